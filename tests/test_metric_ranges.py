"""Confidence intervals are cut to the values a metric can take, and only there."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import run
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.precision import status
from sim.experiment.summary import summarise
from sim.metrics import replication_metrics
from sim.metrics.ranges import NONNEGATIVE, UNBOUNDED, cut_ends, metric_range
from sim.report.data import band
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]


def t_half(values: list[float]) -> float:
    x = np.asarray(values, dtype=float)
    return float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))


@pytest.mark.parametrize("name", ["baseline", "lianyungang_surge"])
def test_real_runs_stay_inside_the_declared_ranges(name: str) -> None:
    resolved = load(ROOT / "scenarios" / f"{name}.toml")
    for rep in range(2):
        row = replication_metrics(run(resolved, rep))
        for metric, value in row.items():
            low, high = metric_range(metric)
            assert math.isnan(value) or low <= value <= high, (name, rep, metric, value)


def test_summary_cuts_an_interval_at_the_metrics_range_and_keeps_its_other_end() -> None:
    runs = pd.DataFrame(
        {
            "shipments_seized": [0.0, 0.0, 12.0],  # t interval reaches below 0 voyages
            "seizure_share": [0.9, 1.0, 1.0],  # and above a share of 1
            "dprk_net_rmb": [-5.0, 0.0, 5.0],  # a net position: either sign is possible
            "tonnes_delivered": [10.0, 11.0, 12.0],  # well inside: not touched
        }
    )
    s = summarise(runs, list(runs.columns)).set_index("metric")
    seized = s.loc["shipments_seized"]
    assert seized["ci95_low"] == 0.0
    assert seized["ci95_high"] == pytest.approx(4.0 + t_half([0, 0, 12]))
    share = s.loc["seizure_share"]
    assert share["ci95_high"] == 1.0
    assert share["ci95_low"] == pytest.approx(np.mean([0.9, 1, 1]) - t_half([0.9, 1, 1]))
    net = s.loc["dprk_net_rmb"]
    assert net["ci95_low"] == pytest.approx(-t_half([-5, 0, 5]))
    assert net["ci95_high"] == pytest.approx(t_half([-5, 0, 5]))
    tonnes = s.loc["tonnes_delivered"]
    half = t_half([10, 11, 12])  # 4.303 x 1 / sqrt(3)
    assert (tonnes["ci95_low"], tonnes["ci95_high"]) == pytest.approx((11 - half, 11 + half))


def test_the_precision_target_reads_the_uncut_half_width() -> None:
    """A cut interval looks narrower than the data say; stopping on it would stop early."""
    (st,) = status({"shipments_seized": [0.0, 0.0, 12.0]}, 0.05)
    assert st.half_width == pytest.approx(t_half([0, 0, 12]))


def test_only_an_interval_with_a_spread_counts_as_cut() -> None:
    assert cut_ends(0.0, 5.0, 2.0, NONNEGATIVE) == (True, False)
    assert cut_ends(0.1, 1.0, 0.2, metric_range("seizure_share")) == (False, True)
    assert cut_ends(0.0, 0.0, 0.0, NONNEGATIVE) == (False, False)  # every value 0
    assert cut_ends(-3.0, 3.0, 1.0, UNBOUNDED) == (False, False)


def test_report_bands_are_cut_per_week_and_nan_weeks_stay_nan() -> None:
    frame = pd.DataFrame(
        {"week": [0, 0, 1, 1, 2], "v": [0.0, 3.0, 50.0, 51.0, 7.0]}  # week 2: one value
    )
    b = band(frame, "v", within=(0.0, 100.0)).set_index("week")
    assert b.loc[0, "lo"] == 0.0
    assert b.loc[0, "hi"] == pytest.approx(1.5 + t_half([0, 3]))
    assert b.loc[1, "lo"] == pytest.approx(50.5 - t_half([50, 51]))
    assert math.isnan(b.loc[2, "lo"]) and math.isnan(b.loc[2, "hi"])


def test_run_table_marks_a_cut_end_and_says_why(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(ROOT / "scenarios" / "baseline.toml"),
            "--replications",
            "2",
            "--set",
            "horizon_days=90",
            "--workers",
            "1",
            "--no-report",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0* .. " in result.stdout
    assert "the interval is cut there" in result.stdout
    assert "from 2 replications" in result.stdout


def test_days_to_recover_are_cut_at_the_days_left_after_the_change(tmp_path: Path) -> None:
    """By hand: 0, 0 and 19 days have mean 6.33 and a t half-width of
    4.303 x 10.97 / sqrt(3) = 27.3, which would reach 33.6 days; with 20 days left after
    the change the interval ends at 20 (and at 0 below)."""
    from sim.metrics.displacement import run_ranges

    scenario = load(ROOT / "scenarios" / "crackdown_midyear.toml", ["horizon_days=200"])
    days_left = run_ranges(scenario.scenario)["recovery_days"]
    assert days_left == (0.0, 20.0)  # policy on day 180 of 200
    runs = pd.DataFrame({"recovery_days": [0.0, 0.0, 19.0]})
    s = summarise(runs, ["recovery_days"], {"recovery_days": days_left}).iloc[0]
    assert (s["ci95_low"], s["ci95_high"]) == (0.0, 20.0)
    assert s["mean"] + t_half([0, 0, 19]) > 33.0  # what the uncut interval would have said
    # A real run: two replications of the Lianyungang surge (change on day 120 of 365)
    # at seed 2 recover in 23 and 69 days (observed); Student's t with one degree of
    # freedom reaches past the 245 days left, and the saved interval stops there.
    out = tmp_path / "run"
    surge = ROOT / "scenarios" / "lianyungang_surge.toml"
    args = ["run", str(surge), "--replications", "2", "--seed", "2", "--no-report"]
    args += ["--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = pd.read_csv(out / "summary.csv").set_index("metric").loc["recovery_days"]
    assert saved["n"] == 2 and saved["ci95_low"] == 0.0 and saved["ci95_high"] == 245.0
    assert "recovery_days" in result.output and "245*" in result.output
