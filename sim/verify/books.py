"""Checks of the books and the clock: money conservation, Little's law, determinism."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any

from sim.model import ledger as L
from sim.model.model import RunOutput
from sim.model.records import Shipment
from sim.scenario import Resolved
from sim.verify.contracts import kinds, mismatches
from sim.verify.core import (
    Check,
    Point,
    Simulate,
    run,
)
from sim.verify.worlds import trade_world

FLOWS = (
    "payment",
    "resale",
    "broker_fee",
    "operating_cost",
    "cargo_value",
    "seizure",
    "fine",
    "reward",
)


def _fen(amount: float) -> int:
    return round(amount * 100)


def companies(resolved: Resolved) -> dict[str, Any]:
    """Company name -> its seller entry (entries with count > 1 are numbered #1, #2, ...)."""
    out = {}
    for sl in resolved.scenario.sellers:
        for k in range(sl.count):
            out[sl.name if sl.count == 1 else f"{sl.name}#{k + 1}"] = sl
    return out


def expected_flows(resolved: Resolved, out: RunOutput) -> tuple[dict[str, int], dict[str, int]]:
    """What every kind of ledger flow must add up to, in fen, worked out from the shipment
    records and the scenario's prices, fees, fines and rules (docs/model.md, Money); and
    how many entries each is made of (the rounding tolerance, one fen each)."""
    s = resolved.scenario
    c, e, t = s.contract, s.enforcement, s.tips
    routes, by_name = resolved.geography.routes, companies(resolved)
    total: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)

    def add(reason: str, fen: int) -> None:
        if fen > 0:
            total[reason] += fen
            count[reason] += 1

    for sh in out.shipments:
        if not sh.payment_terms:
            continue
        value = round(sh.tonnes * sh.price_rmb_per_tonne, 2)
        handed = not math.isnan(sh.t_handover)
        if sh.payment_terms == "advance" or sh.outcome == "delivered" or handed:
            add("payment", _fen(value))
        if sh.outcome == "delivered":
            add("resale", _fen(value * c.resale_multiplier))
            if sh.broker:
                add("broker_fee", _fen(sh.tonnes * s.network.broker_fee_rmb_per_tonne))
        elif sh.outcome == "seized":
            add("cargo_value", _fen(value))
            add("seizure", _fen(value))
            add(
                "fine",
                _fen(e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value),
            )
            if sh.cause == "tip":
                reward = (
                    t.reward_fixed_rmb
                    if t.reward_rule == "fixed"
                    else (min(t.reward_share * value, t.reward_cap_rmb))
                )
                add("reward", _fen(reward))
        cost = _running_cost(sh, by_name[sh.seller], routes[sh.route], out.horizon_hours)
        if cost is not None:
            add("operating_cost", cost)
    for _ in out.named:
        add("fine", _fen(e.accomplice_fine_rmb))
    return dict(total), dict(count)


def _running_cost(sh: Shipment, seller: Any, route: Any, horizon: float) -> int | None:
    """From loading until the ship is home, or seized; None if it is not home by the horizon."""
    if math.isnan(sh.t_depart):
        return None
    speed = seller.speed_knots
    if sh.outcome == "seized" and math.isnan(sh.t_handover):  # the ship itself was seized
        end = sh.seizure_time
    elif not math.isnan(sh.t_handover):  # ship-to-ship: the empty ship sails home
        end = sh.t_handover + float(route.transfer_nm or 0.0) / speed
    elif sh.outcome == "delivered":
        end = sh.t_arrive + (seller.discharge_hours + route.length_nm / speed)
    else:
        return None
    if not end < horizon:
        return None
    start = sh.t_depart - seller.loading_hours
    return _fen((end - start) * (seller.operating_cost_rmb_per_day / 24.0))


REGIMES = (("after_delivery", 0.0), ("advance", 0.0), ("endogenous", 0.5))
"""Payment terms and the share of deals to Lianyungang delivered ship-to-ship."""


def _flows(
    world: Resolved, out: RunOutput, terms: str, notes: list[str], plot: list[Point] | None
) -> tuple[int, int]:
    """(fen unaccounted, rounding tolerance in fen) of one run's books, flow by flow;
    strange entries go to ``notes``, one dot per flow to ``plot`` (if given)."""
    ledger: dict[str, int] = defaultdict(int)
    for en in out.ledger:
        ledger[en.reason] += en.fen
        if en.fen <= 0 or en.reason not in FLOWS:
            notes.append(f"{terms}: entry {en} is not a positive known flow")
    want, n = expected_flows(world, out)
    unaccounted = abs(sum(L.balances_fen(out.ledger).values()))
    tolerance = 0
    for reason in FLOWS:
        unaccounted += abs(ledger.get(reason, 0) - want.get(reason, 0))
        tolerance += n.get(reason, 0) if reason == "operating_cost" else 0
        # cargo_value equals seizure by construction (a pass-through pair): one dot
        shown = reason != "cargo_value" and (want.get(reason) or ledger.get(reason))
        if plot is not None and shown:
            got, ought = ledger.get(reason, 0) / 100, want.get(reason, 0) / 100
            series = "seizure = cargo_value" if reason == "seizure" else reason
            label = f"{terms}: {reason}"
            plot.append(Point(label, ought, ought, got, got, got, n.get(reason, 0), series))
    return unaccounted, tolerance


def money(quick: bool = True, simulate: Simulate = run) -> Check:
    """The ledger balances to zero and every kind of flow equals what the records imply."""
    t0 = time.perf_counter()
    points: list[Point] = []
    plot: list[Point] = []
    notes: list[str] = []
    off_notes: list[str] = []  # shown; the contract points fail on their own
    for i, (terms, sts) in enumerate(REGIMES):
        world = trade_world(terms, ship_to_ship=sts)
        unaccounted = tolerance = entries = off_contract = covered = 0
        for r in range(1 if quick else 4):
            out = simulate(world, r)
            entries += len(out.ledger)
            wrong = mismatches(world, out)
            off_contract += len(wrong)
            covered += kinds(world, out)
            off_notes += [f"{terms}: {w}" for w in wrong[:2]]
            fen_off, fen_tol = _flows(world, out, terms, notes, plot if r == 0 else None)
            unaccounted, tolerance = unaccounted + fen_off, tolerance + fen_tol
        est, tol = unaccounted / 100, tolerance / 100
        how = f"{terms} terms" + (f", {sts:.0%} ship-to-ship" if sts else "")
        label = f"{how}: RMB unaccounted in {entries:,} entries"
        points.append(Point(label, float(i), 0.0, est, max(0.0, est - tol), est + tol, entries))
        label = f"{how}: shipments whose entries differ from the contract"
        wrong_n = float(off_contract)
        points.append(Point(label, i + 0.5, 0.0, wrong_n, wrong_n, wrong_n, covered))
    return Check(
        key="money",
        title="Money conservation",
        mechanism="The default trade on each payment regime: the ledger's net positions sum "
        "to zero (true by construction of the ledger: a sanity line), and each kind of flow "
        "(payments, resale, broker fees, running costs, confiscated cargo, fines, rewards) "
        "equals what the shipment records, the investigations and the scenario's prices and "
        "rules imply; RMB unaccounted. Then shipment by shipment: the entries of each "
        "delivery, seizure and investigation against the contract worked out by hand (who "
        "pays whom how much: sim/verify/contracts.py).",
        formula="sum of net positions = 0; ledger total = records total, flow by flow; "
        "each shipment's entries = its contract's",
        interval="exact to the fen (running costs: 1 fen per entry for rounding)",
        level="exact to the fen",
        points=tuple(points),
        x_label="Implied by the shipment records and the rules (RMB); one dot per flow and regime",
        y_label="Ledger total over 120 days (RMB)",
        seconds=time.perf_counter() - t0,
        log_axes=True,
        plot=tuple(plot),
        point_label="ledger",
        notes=tuple(dict.fromkeys(notes + off_notes)),
        extra_ok=not notes,
    )
