"""Turns a finished run's records into metrics, weekly series, a shipment log and the network.

What each metric means, its unit and its range are in ``sim.metrics.registry``.

All money figures come from the ledger and all counts from the shipment
records, so that a figure in a table can always be traced to entries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from sim.metrics.costs import enforcement_spend
from sim.metrics.displacement import (
    displacement_metrics,
    station_intervals,
    volume_columns,
    zones_columns,
)
from sim.metrics.outputs import Column, Columns, Kind
from sim.metrics.registry import names
from sim.model.enforcement import TIPSTERS
from sim.model.ledger import STATE, seller_party
from sim.model.model import RunOutput
from sim.model.records import Shipment
from sim.observe import observe

if TYPE_CHECKING:
    import pandas as pd

HOURS_PER_WEEK = 168.0


def on_station_hours(out: RunOutput) -> dict[str, float]:
    """Hours each patrol vessel spent on station over the run (the same spells as the
    per-zone table, so its zones add up to this)."""
    total: dict[str, float] = defaultdict(float)
    for vessel, _, start, end in station_intervals(out.patrol_events, out.horizon_hours):
        total[vessel] += end - start
    return {v: total.get(v, 0.0) for v in out.patrol_service}


def service_hours(out: RunOutput) -> float:
    return sum(
        ((end if end is not None else out.horizon_hours) - float(start or 0.0))
        for start, end in out.patrol_service.values()
    )


def _share(items: list[Shipment], pred: Callable[[Shipment], bool]) -> float:
    return sum(1 for s in items if pred(s)) / len(items) if items else math.nan


def _transfer_share(delivered: list[Shipment]) -> float:
    tonnes = sum(s.tonnes for s in delivered)
    at_sea = sum(s.tonnes for s in delivered if s.delivery == "ship_to_ship")
    return at_sea / tonnes if tonnes > 0 else math.nan


def replication_metrics(out: RunOutput) -> dict[str, float]:
    ships = out.shipments
    sailed = [s for s in ships if not math.isnan(s.t_depart)]
    delivered = [s for s in ships if s.outcome == "delivered"]
    seized = [s for s in ships if s.outcome == "seized"]
    contracted = [s for s in ships if s.payment_terms]
    sellers = {seller_party(n) for n in out.seller_parties}
    buyers = {b.party for b in out.buyers}
    net = out.balances_fen
    revenue = losses = fines = buyer_fines = seized_value = rewards = fees = 0
    for e in out.ledger:
        if e.reason == "payment" and e.payee in sellers:
            revenue += e.fen
        elif e.reason == "seizure":
            seized_value += e.fen
            if e.payer in sellers:
                losses += e.fen
        elif e.reason == "fine" and e.payee == STATE:
            fines += e.fen
            if e.payer in buyers:
                buyer_fines += e.fen
        elif e.reason == "reward" and e.payee == TIPSTERS:
            rewards += e.fen
        elif e.reason == "broker_fee":
            fees += e.fen
    hours = on_station_hours(out)
    in_service = service_hours(out)
    settled = len(delivered) + len(seized)
    end = out.horizon_hours
    active = [b for b in out.buyers if out.network.active(b.name, end)]
    return {
        "shipments_attempted": float(len(sailed)),
        "shipments_delivered": float(len(delivered)),
        "shipments_seized": float(len(seized)),
        "shipments_seized_patrol": float(sum(s.cause == "patrol" for s in seized)),
        "shipments_seized_tip": float(sum(s.cause == "tip" for s in seized)),
        "shipments_at_sea_end": float(sum(s.outcome == "at_sea" for s in ships)),
        "lots_held": float(sum(s.outcome == "held" for s in ships)),
        "lots_waiting_end": float(sum(s.outcome in ("waiting", "loading") for s in ships)),
        "tonnes_delivered": sum(s.tonnes for s in delivered),
        "tonnes_seized": sum(s.tonnes for s in seized),
        "seizure_share": len(seized) / settled if settled else math.nan,
        "tonnes_per_voyage": sum(s.tonnes for s in sailed) / len(sailed) if sailed else math.nan,
        "transfer_tonnes_share": _transfer_share(delivered),
        "dprk_revenue_rmb": revenue / 100,
        "dprk_losses_rmb": losses / 100,
        "dprk_net_rmb": sum(v for k, v in net.items() if k in sellers) / 100,
        "buyer_profit_rmb": sum(v for k, v in net.items() if k in buyers) / 100,
        "buyer_fines_rmb": buyer_fines / 100,
        "fines_rmb": fines / 100,
        "broker_fees_rmb": fees / 100,
        "seized_value_rmb": seized_value / 100,
        "rewards_paid_rmb": rewards / 100,
        "tips": float(sum(s.tips for s in ships)),
        "enforcement_return": (fines + seized_value) / rewards if rewards else math.nan,
        "accomplices_named": float(len(out.named)),
        "buyers_active_end": float(len(active)),
        "buyers_entered": float(sum(b.entered_at > 0 for b in out.buyers)),
        "buyers_left": float(sum(bool(b.left) for b in out.buyers)),
        "mean_belief_end": out.mean_belief_end,
        "contacts_detected": float(sum(s.contacts for s in ships)),
        "patrol_hours_on_station": sum(hours.values()),
        "patrol_utilisation": sum(hours.values()) / in_service if in_service else math.nan,
        "share_advance": _share(contracted, lambda s: s.payment_terms == "advance"),
        "share_after_delivery": _share(contracted, lambda s: s.payment_terms == "after_delivery"),
        "share_ship_to_ship": _share(contracted, lambda s: s.delivery == "ship_to_ship"),
        "ledger_imbalance_rmb": sum(net.values()) / 100,
        **displacement_metrics(ships, out.horizon_hours, out.scenario),
        **observed_metrics(out),
        "enforcement_spend_rmb": enforcement_spend(out, rewards / 100),
    }


def observed_metrics(out: RunOutput) -> dict[str, float]:
    """The run's deliveries and seizures, and what an outside observer saw of them."""
    if out.seed is None:  # a run put together by hand, with no seed to observe it by
        return dict.fromkeys(names("observed"), math.nan)
    seen = observe(out.shipments, out.scenario.observation, out.seed)
    return {
        "transfers": float(seen.transfers),
        "port_calls": float(seen.port_calls),
        "observed_transfers": float(seen.observed_transfers),
        "observed_port_calls": float(seen.observed_port_calls),
        "observed_tonnes": seen.observed_tonnes,
        "announced_seizures": float(seen.announced_seizures),
        "announced_tonnes_seized": seen.announced_tonnes_seized,
        "dark_figure": seen.dark_figure,
    }


FLOWS = (
    "shipments_departed",
    "shipments_delivered",
    "shipments_seized",
    "shipments_seized_tip",
    "tonnes_delivered",
    "tonnes_seized",
    "dprk_revenue_rmb",
    "rewards_paid_rmb",
    "contracts",
    "contracts_advance",
)
SERIES = (*FLOWS, "share_advance", "patrols_on_station", "buyers_active", "mean_belief")


def weekly_series(out: RunOutput) -> pd.DataFrame:
    return weekly_columns(out).frame()


WEEKLY_KINDS: dict[str, Kind] = {"week": "int", **dict.fromkeys(SERIES, "float")}


def weekly_columns(out: RunOutput) -> Columns:
    """One row per week: flows in that week, patrols on station (time-weighted mean),
    buyers active and their mean belief (at the start of the week)."""
    n_weeks = math.ceil(out.horizon_hours / HOURS_PER_WEEK)
    # Python lists, not numpy arrays: a numpy scalar ``+=`` costs ten times a float's,
    # and the sums (in the same order) are the same doubles.
    cols: dict[str, list[float]] = {k: [0.0] * n_weeks for k in FLOWS}

    last = n_weeks - 1
    contracts, advance = cols["contracts"], cols["contracts_advance"]
    departed, delivered = cols["shipments_departed"], cols["shipments_delivered"]
    t_delivered, seized = cols["tonnes_delivered"], cols["shipments_seized"]
    seized_tip, t_seized = cols["shipments_seized_tip"], cols["tonnes_seized"]
    rewards = cols["rewards_paid_rmb"]
    for s in out.shipments:  # ``t == t``: not NaN
        if s.t_contract == s.t_contract:
            w = min(int(s.t_contract // HOURS_PER_WEEK), last)
            contracts[w] += 1
            advance[w] += s.payment_terms == "advance"
        if s.t_depart == s.t_depart:
            departed[min(int(s.t_depart // HOURS_PER_WEEK), last)] += 1
        if s.outcome == "delivered":
            w = min(int(s.t_arrive // HOURS_PER_WEEK), last)
            delivered[w] += 1
            t_delivered[w] += s.tonnes
        elif s.outcome == "seized":
            w = min(int(s.seizure_time // HOURS_PER_WEEK), last)
            seized[w] += 1
            seized_tip[w] += s.cause == "tip"
            t_seized[w] += s.tonnes
            rewards[w] += s.reward_rmb
    sellers = {seller_party(n) for n in out.seller_parties}
    revenue = cols["dprk_revenue_rmb"]
    for e in out.ledger:
        if e.reason == "payment" and e.payee in sellers:
            revenue[min(int(e.time // HOURS_PER_WEEK), last)] += e.fen / 100
    data: dict[str, np.ndarray] = {"week": np.arange(n_weeks)}
    data |= {k: np.array(v, dtype=float) for k, v in cols.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        data["share_advance"] = np.where(
            data["contracts"] > 0, data["contracts_advance"] / data["contracts"], np.nan
        )
    data["patrols_on_station"] = _on_station_by_week(out, n_weeks)
    for col in ("buyers_active", "mean_belief"):
        values = np.array([snap.get(col, math.nan) for snap in out.weekly], dtype=float)
        data[col] = np.pad(
            values[:n_weeks], (0, max(0, n_weeks - len(values))), constant_values=np.nan
        )
    return Columns({k: data[k] for k in WEEKLY_KINDS}, WEEKLY_KINDS)


def _on_station_by_week(out: RunOutput, n_weeks: int) -> np.ndarray:
    """Time-weighted number of patrol vessels on station, week by week."""
    edges = np.arange(n_weeks + 1) * HOURS_PER_WEEK
    edges[-1] = out.horizon_hours
    times = [0.0] + [ev.time for ev in out.patrol_events] + [out.horizon_hours]
    levels, level = [0], 0
    for ev in out.patrol_events:
        level += 1 if ev.on_station else -1
        levels.append(level)
    cum = np.concatenate([[0.0], np.cumsum(np.diff(times) * np.asarray(levels))])
    integral = np.interp(edges, times, cum)
    result: np.ndarray = np.diff(integral) / np.diff(edges)
    return result


def _kind(annotation: object) -> Kind:
    """A ``Shipment`` field's kind, from its annotation (a string under postponed
    evaluation, a class in the compiled build)."""
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if name not in ("float", "int", "bool", "str"):
        raise TypeError(f"Shipment field of type {annotation!r}: the shipment log cannot write it")
    return name  # type: ignore[return-value]


SHIPMENT_KINDS: dict[str, Kind] = {f.name: _kind(f.type) for f in fields(Shipment)}
SHIPMENT_COLUMNS = list(SHIPMENT_KINDS)
_SHIPMENT_GETTERS = [(name, attrgetter(name)) for name in SHIPMENT_COLUMNS]


def shipments_frame(out: RunOutput) -> pd.DataFrame:
    return shipments_columns(out).frame()


def shipments_columns(out: RunOutput) -> Columns:
    """One row per lot, column by column from ``attrgetter`` maps (``dataclasses.asdict``,
    which deep-copies every field, costs eight times more)."""
    ships = out.shipments
    return Columns({name: list(map(get, ships)) for name, get in _SHIPMENT_GETTERS}, SHIPMENT_KINDS)


def displacement_frames(out: RunOutput) -> dict[str, pd.DataFrame]:
    return {name: table.frame() for name, table in displacement_columns(out).items()}


def displacement_columns(out: RunOutput) -> dict[str, Columns]:
    """The volume (week x destination x route x mode) and zones tables of one replication."""
    zones = [z.name for z in out.scenario.zones]
    return {
        "volume": volume_columns(out.shipments, out.horizon_hours),
        "zones": zones_columns(
            zones, out.patrol_events, out.zone_events, out.shipments, out.horizon_hours
        ),
    }


def network_frames(out: RunOutput) -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes, edges = network_columns(out)
    return nodes.frame(), edges.frame()


NODE_KINDS: dict[str, Kind] = {
    "node": "str",
    "kind": "str",
    "named_at_hours": "float",
    "left": "bool",
}
EDGE_KINDS: dict[str, Kind] = {"source": "str", "target": "str"}


def network_columns(out: RunOutput) -> tuple[Columns, Columns]:
    """Node list (with when each was named) and edge list of the trading network."""
    g = out.network
    names = list(g.kind)
    named_at, left = g.named_at, g.left
    nodes: dict[str, Column] = {
        "node": names,
        "kind": list(g.kind.values()),
        "named_at_hours": [named_at.get(n, math.nan) for n in names],
        "left": [n in left for n in names],
    }
    edges = [(a, b) for a, nbrs in g.adj.items() for b in nbrs if a < b]
    return Columns(nodes, NODE_KINDS), Columns.from_rows(edges, EDGE_KINDS)
