"""The report says why a run on ``endogenous`` terms reads like an ``advance`` run, from its
saved tables alone, and says nothing when some contract was paid after delivery."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.report.data import RunData, SweepData
from sim.report.terms import endogenous_note, endogenous_sweep_note


def run_data(terms: str, after: list[float]) -> RunData:
    """Two replications of three weeks, their beliefs and contracts written by hand."""
    runs = pd.DataFrame(
        {
            "replication": [0, 1],
            "share_advance": [1.0 - a for a in after],
            "share_after_delivery": after,
        }
    )
    timeseries = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1, 1, 1],
            "week": [0, 1, 2, 0, 1, 2],
            "mean_belief": [0.10, 0.30, 0.20, 0.20, 0.50, 0.10],
            "contracts": [3, 4, 5, 2, 2, 2],
        }
    )
    manifest = {"kind": "run", "scenario": {"contract": {"payment_terms": terms}}}
    return RunData(Path("."), manifest, runs, pd.DataFrame(), timeseries, None, None, None)


def test_endogenous_run_without_a_switch_says_why_it_equals_advance() -> None:
    note = endogenous_note(run_data("endogenous", [0.0, 0.0]))
    # contracts: (3 + 4 + 5 + 2 + 2 + 2) / 2 replications = 9
    assert "no contract in any replication was paid after delivery (9 contracts" in note
    assert "reads as an `advance` run would" in note
    # weekly means 15%, 40%, 15%: the peak is week 2 (counted from 1); one replication 50%
    assert "peaked at 40% (week 2" in note
    assert "50% in any one replication" in note
    assert "coalsim breakeven" in note


def test_no_statement_when_terms_did_switch_or_were_fixed() -> None:
    assert endogenous_note(run_data("endogenous", [0.0, 0.02])) == ""
    assert endogenous_note(run_data("advance", [0.0, 0.0])) == ""
    assert endogenous_note(run_data("after_delivery", [1.0, 1.0])) == ""


def test_no_contracts_at_all_is_not_explained_as_advance() -> None:
    assert endogenous_note(run_data("endogenous", [float("nan"), float("nan")])) == ""


def sweep_data(after_endogenous: list[float]) -> SweepData:
    """Three points (advance, after_delivery, endogenous), two replications each."""
    design = pd.DataFrame(
        {"point": [0, 1, 2], "contract.payment_terms": ["advance", "after_delivery", "endogenous"]}
    )
    runs = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2],
            "replication": [0, 1] * 3,
            "share_after_delivery": [0.0, 0.0, 1.0, 1.0, *after_endogenous],
            "mean_belief_end": [0.20, 0.25, 0.30, 0.31, 0.22, 0.27],
        }
    )
    manifest = {"kind": "sweep", "parameters": ["contract.payment_terms"]}
    return SweepData(Path("."), manifest, design, runs, pd.DataFrame(), None)


def test_sweep_names_the_endogenous_points_that_read_as_advance() -> None:
    note = endogenous_sweep_note(sweep_data([0.0, 0.0]))
    assert note.startswith("At the `endogenous` point 2 no contract")
    assert "at most 27%" in note  # the endogenous point's highest mean_belief_end, by hand
    assert endogenous_sweep_note(sweep_data([0.0, 0.1])) == ""  # it did switch
