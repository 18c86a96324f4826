"""Why a run on ``endogenous`` payment terms can read exactly like one on ``advance``.

Under endogenous terms the seller offers advance payment and a buyer asks for payment
after delivery only once it believes interception likely enough that paying in advance no
longer pays. At the shipped defaults no buyer gets there, so every contract is on advance
payment and the run equals an ``advance`` run: a reader who set ``endogenous`` and sees
no difference should be told so, and why, rather than suspect the setting was ignored.

The statement is read from the run's saved tables only (the share of contracts on each
term, the buyers' weekly mean belief), never from the model's decision rule, which may
change: a run whose buyers did switch terms gets no statement.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.metrics.units import counted
from sim.report.data import RunData, SweepData

TERMS = "contract.payment_terms"
WHY = (
    "Under these terms the seller offers advance payment, and a buyer asks for payment after "
    "delivery only once it believes interception so likely that paying in advance no longer "
    "pays (the seller agreeing only if it still expects to gain)."
)
BREAKEVEN = (
    "`coalsim breakeven SCENARIO` gives the belief at which advance payment stops paying "
    "(the buyer's break-even under advance terms) to set against it."
)


def endogenous_note(data: RunData) -> str:
    """The statement, or "" when the run is not on endogenous terms, some contract was paid
    after delivery, or the run saved too little to say."""
    terms = data.scenario.get("contract", {}).get("payment_terms")
    runs = data.runs
    if terms != "endogenous" or "share_after_delivery" not in runs:
        return ""
    after = runs["share_after_delivery"].astype(float)
    if after.isna().all() or (after.fillna(0.0) > 0).any():
        return ""  # no contract at all, or terms did switch: nothing to explain
    text = (
        "Payment terms are `endogenous`, yet no contract in any replication was paid after "
        f"delivery{_contracts(data)}: every one was on advance payment, so the run reads as "
        f"an `advance` run would. {WHY}"
    )
    peak = _peak_belief(data.timeseries)
    return " ".join(
        [
            text,
            *([peak] if peak else []),
            BREAKEVEN,
        ]
    )


def _contracts(data: RunData) -> str:
    ts = data.timeseries
    if ts is None or "contracts" not in ts or "replication" not in ts:
        return ""
    per_run = ts.groupby("replication")["contracts"].sum()
    if per_run.empty:
        return ""
    return f" ({counted(round(float(per_run.mean())), 'contract')} a replication, on average)"


def _peak_belief(ts: pd.DataFrame | None) -> str:
    """The highest weekly mean belief, over replications and in any single one."""
    if ts is None or not {"mean_belief", "week", "replication"} <= set(ts.columns):
        return ""
    weekly = ts.groupby("week")["mean_belief"].mean().dropna()
    if weekly.empty:
        return ""
    week = int(weekly.to_numpy().argmax())
    week = int(weekly.index[week])
    top = float(ts["mean_belief"].max())
    if not math.isfinite(top):
        return ""
    return (
        f"Here the buyers' mean believed chance of interception peaked at {weekly.max():.0%} "
        f"(week {week + 1}, mean over replications; {top:.0%} in any one replication), and no "
        "buyer asked for payment after delivery, or none was granted it."
    )


def endogenous_sweep_note(sweep: SweepData) -> str:
    """The same statement for a sweep's points on endogenous terms where no contract was
    paid after delivery (points that did switch are not named), or ""."""
    runs, design = sweep.runs, sweep.design
    if "share_after_delivery" not in runs or "point" not in runs:
        return ""
    if TERMS in design:
        points = design.loc[design[TERMS].astype(str) == "endogenous", "point"]
    elif sweep.manifest.get("scenario", {}).get("contract", {}).get(TERMS.split(".")[1]) == (
        "endogenous"
    ):
        points = design["point"]
    else:
        return ""
    never = []
    for point in sorted(set(points.tolist())):
        after = runs.loc[runs["point"] == point, "share_after_delivery"].astype(float)
        if after.notna().any() and not (after.fillna(0.0) > 0).any():
            never.append(int(point))
    if not never:
        return ""
    which = "the `endogenous` point" + (" " if len(never) == 1 else "s ")
    names = [str(p) for p in never]
    which += names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    text = (
        f"At {which} no contract in any replication was paid after delivery: every one was on "
        "advance payment, so they read as the same points on `advance` terms would. " + WHY
    )
    if "mean_belief_end" in runs:
        top = float(runs.loc[runs["point"].isin(never), "mean_belief_end"].max())
        if math.isfinite(top):
            text += (
                f" There the buyers' mean believed chance of interception at the end of a run "
                f"was at most {top:.0%} (sweeps save no weekly series), and no buyer asked "
                "for payment after delivery, or none was granted it."
            )
    return f"{text} {BREAKEVEN}"
