"""Turns a finished run's records into metrics, weekly series and a shipment log.

All money figures come from the ledger and all counts from the shipment
records, so that a figure in a table can always be traced to entries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, fields

import numpy as np
import pandas as pd

from sim.model.ledger import STATE, balances_fen, buyer_party, seller_party
from sim.model.model import RunOutput
from sim.model.records import Shipment

HOURS_PER_WEEK = 168.0

METRICS: dict[str, str] = {
    "shipments_attempted": "voyages that sailed",
    "shipments_delivered": "voyages that reached the buyer",
    "shipments_seized": "voyages seized at sea (all causes)",
    "shipments_seized_patrol": "voyages seized by area search",
    "shipments_at_sea_end": "voyages still at sea at the horizon",
    "lots_waiting_end": "lots ready but not sailed at the horizon",
    "tonnes_delivered": "coal delivered, t",
    "tonnes_seized": "coal seized, t",
    "seizure_share": "seized / (seized + delivered) voyages",
    "dprk_revenue_rmb": "payments received by DPRK sellers",
    "dprk_losses_rmb": "cargo value DPRK sellers lost to seizure",
    "dprk_net_rmb": "DPRK sellers' cash position: payments received - running costs",
    "buyer_profit_rmb": "Chinese buyers' cash position: resale - payments - fines",
    "fines_rmb": "fines paid to the state",
    "seized_value_rmb": "cargo value confiscated by the state",
    "contacts_detected": "patrol detections of smuggling ships (boarded or not)",
    "patrol_hours_on_station": "patrol vessel-hours on station",
    "patrol_utilisation": "share of patrol vessel-hours spent on station",
    "share_advance": "share of contracts on advance payment",
    "ledger_imbalance_rmb": "sum of all parties' net positions (must be 0)",
}


def on_station_hours(out: RunOutput) -> dict[str, float]:
    """Hours each patrol vessel spent on station over the run."""
    since: dict[str, float] = {}
    total: dict[str, float] = defaultdict(float)
    for ev in out.patrol_events:
        if ev.on_station:
            since[ev.vessel] = ev.time
        elif ev.vessel in since:
            total[ev.vessel] += ev.time - since.pop(ev.vessel)
    for vessel, t in since.items():
        total[vessel] += out.horizon_hours - t
    return {v: total.get(v, 0.0) for v in out.patrol_vessels}


def replication_metrics(out: RunOutput) -> dict[str, float]:
    ships = out.shipments
    sailed = [s for s in ships if not math.isnan(s.t_depart)]
    delivered = [s for s in ships if s.outcome == "delivered"]
    seized = [s for s in ships if s.outcome == "seized"]
    sellers = {seller_party(n) for n in out.seller_parties}
    buyers = {buyer_party(n) for n in out.buyer_parties}
    net = balances_fen(out.ledger)
    revenue = losses = fines = seized_value = 0
    for e in out.ledger:
        if e.reason == "payment" and e.payee in sellers:
            revenue += e.fen
        elif e.reason == "seizure":
            seized_value += e.fen
            if e.payer in sellers:
                losses += e.fen
        elif e.reason == "fine" and e.payee == STATE:
            fines += e.fen
    hours = on_station_hours(out)
    n_patrol = len(out.patrol_vessels)
    settled = len(delivered) + len(seized)
    contracted = [s for s in ships if s.payment_terms]
    return {
        "shipments_attempted": float(len(sailed)),
        "shipments_delivered": float(len(delivered)),
        "shipments_seized": float(len(seized)),
        "shipments_seized_patrol": float(sum(s.cause == "patrol" for s in seized)),
        "shipments_at_sea_end": float(sum(s.outcome == "at_sea" for s in ships)),
        "lots_waiting_end": float(sum(s.outcome in ("waiting", "loading") for s in ships)),
        "tonnes_delivered": sum(s.tonnes for s in delivered),
        "tonnes_seized": sum(s.tonnes for s in seized),
        "seizure_share": len(seized) / settled if settled else float("nan"),
        "dprk_revenue_rmb": revenue / 100,
        "dprk_losses_rmb": losses / 100,
        "dprk_net_rmb": sum(v for k, v in net.items() if k in sellers) / 100,
        "buyer_profit_rmb": sum(v for k, v in net.items() if k in buyers) / 100,
        "fines_rmb": fines / 100,
        "seized_value_rmb": seized_value / 100,
        "contacts_detected": float(sum(s.contacts for s in ships)),
        "patrol_hours_on_station": sum(hours.values()),
        "patrol_utilisation": (
            sum(hours.values()) / (n_patrol * out.horizon_hours) if n_patrol else float("nan")
        ),
        "share_advance": (
            sum(s.payment_terms == "advance" for s in contracted) / len(contracted)
            if contracted
            else float("nan")
        ),
        "ledger_imbalance_rmb": sum(net.values()) / 100,
    }


SERIES = (
    "shipments_departed",
    "shipments_delivered",
    "shipments_seized",
    "tonnes_delivered",
    "tonnes_seized",
    "dprk_revenue_rmb",
    "patrols_on_station",
)


def weekly_series(out: RunOutput) -> pd.DataFrame:
    """One row per week: flows in that week, and the mean number of patrols on station."""
    n_weeks = math.ceil(out.horizon_hours / HOURS_PER_WEEK)
    cols = {k: np.zeros(n_weeks) for k in SERIES}

    def week(t: float) -> int:
        return min(int(t // HOURS_PER_WEEK), n_weeks - 1)

    for s in out.shipments:
        if not math.isnan(s.t_depart):
            cols["shipments_departed"][week(s.t_depart)] += 1
        if s.outcome == "delivered":
            cols["shipments_delivered"][week(s.t_arrive)] += 1
            cols["tonnes_delivered"][week(s.t_arrive)] += s.tonnes
        elif s.outcome == "seized":
            cols["shipments_seized"][week(s.seizure_time)] += 1
            cols["tonnes_seized"][week(s.seizure_time)] += s.tonnes
    sellers = {seller_party(n) for n in out.seller_parties}
    for e in out.ledger:
        if e.reason == "payment" and e.payee in sellers:
            cols["dprk_revenue_rmb"][week(e.time)] += e.amount
    # Time-weighted count on station: integrate the step function week by week.
    edges = np.arange(n_weeks + 1) * HOURS_PER_WEEK
    edges[-1] = out.horizon_hours
    times = [0.0] + [ev.time for ev in out.patrol_events] + [out.horizon_hours]
    levels, level = [0], 0
    for ev in out.patrol_events:
        level += 1 if ev.on_station else -1
        levels.append(level)
    cum = np.concatenate([[0.0], np.cumsum(np.diff(times) * np.asarray(levels))])
    integral = np.interp(edges, times, cum)
    cols["patrols_on_station"] = np.diff(integral) / np.diff(edges)
    frame = pd.DataFrame(cols)
    frame.insert(0, "week", np.arange(n_weeks))
    return frame


SHIPMENT_COLUMNS = [f.name for f in fields(Shipment)]


def shipments_frame(out: RunOutput) -> pd.DataFrame:
    return pd.DataFrame([asdict(s) for s in out.shipments], columns=SHIPMENT_COLUMNS)
