"""Paired effects in sweeps: each point minus the reference point, replication by replication.

A lever that changes nothing gives differences of exactly zero (the points share their
random numbers); a lever with an effect gives a paired interval far narrower than the
unpaired (Welch) interval of the two levels.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.executors import SerialExecutor
from sim.study.sweep import execute_sweep, prepare_sweep

VESSELS = "patrols.jiangsu_patrol.vessels"
REWARD = "tips.reward_fixed_rmb"  # unused under the default share rule: changes nothing
SWEEP = f"""
base = "base.toml"
replications = 8
outputs = ["tonnes_delivered", "shipments_seized"]
reference = {{ "{VESSELS}" = 0, "{REWARD}" = 0.0 }}
[design]
kind = "grid"
[design.parameters]
"{VESSELS}" = [0, 6]
"{REWARD}" = [0.0, 1e5, 1e6]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("effects")
    (root / "base.toml").write_text("horizon_days = 30\n")
    (root / "sweep.toml").write_text(SWEEP)
    result = execute_sweep(prepare_sweep(root / "sweep.toml", out=root / "out"), SerialExecutor())
    assert result.failures == 0
    return result.folder


def test_a_lever_that_changes_nothing_gives_exactly_zero(folder: Path) -> None:
    effects = pd.read_csv(folder / "effects.csv")
    design = pd.read_csv(folder / "design.csv")
    assert set(effects["reference"]) == {0}
    idle = design.loc[design[VESSELS] == 0, "point"]  # only the unused reward differs
    rows = effects[effects["point"].isin(idle) & (effects["n"] > 0)]
    assert len(rows) > 3 * 40  # every metric with a value, at the three points
    for col in ("mean", "std", "ci95_low", "ci95_high"):
        assert (rows[col] == 0.0).all(), col


def test_paired_interval_is_narrower_than_the_unpaired(folder: Path) -> None:
    runs = pd.read_csv(folder / "runs.csv")
    effects = pd.read_csv(folder / "effects.csv").set_index(["point", "metric"])
    design = pd.read_csv(folder / "design.csv")
    busy = int(design.loc[(design[VESSELS] == 6) & (design[REWARD] == 0), "point"].iloc[0])
    for metric in ("tonnes_delivered", "dprk_revenue_rmb"):
        a = runs.loc[runs["point"] == 0, metric].to_numpy(float)
        b = runs.loc[runs["point"] == busy, metric].to_numpy(float)
        # Welch's interval of the difference of two independent means, by hand
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        unpaired = float(stats.t.ppf(0.975, df)) * math.sqrt(va + vb)
        row = effects.loc[(busy, metric)]
        paired = (row["ci95_high"] - row["ci95_low"]) / 2
        assert row["mean"] == pytest.approx(b.mean() - a.mean(), rel=1e-9)
        assert 0 < paired < unpaired / 3, metric  # common random numbers cancel most noise
        d = b - a  # the t interval over the 8 differences, as the summaries give it
        half = stats.t.ppf(0.975, 7) * d.std(ddof=1) / np.sqrt(8)
        assert paired == pytest.approx(half, rel=1e-6)


def test_default_reference_is_the_point_at_the_base_values(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text("horizon_days = 5\n")
    text = SWEEP.replace(f'reference = {{ "{VESSELS}" = 0, "{REWARD}" = 0.0 }}\n', "")
    text = text.replace("[0.0, 1e5, 1e6]", "[0.0, 50000.0]")
    (tmp_path / "s.toml").write_text(text)
    # the base world's Jiangsu group has 2 vessels: no point has it; the nearest is 0 vessels
    # (2 of the range of 6 away, against 4), with the reward at its base 50,000: point 1
    assert prepare_sweep(tmp_path / "s.toml", dry_run=True).sweep.reference == 1
    (tmp_path / "t.toml").write_text(text.replace("[0, 6]", "[0, 2, 6]"))
    sweep = prepare_sweep(tmp_path / "t.toml", dry_run=True).sweep
    row = sweep.design.rows[sweep.reference]
    assert row == (2, 50000.0)  # both keys at the base scenario's values


@pytest.mark.parametrize(
    ("reference", "named"),
    [
        ('{ "patrols.jiangsu_patrol.vesels" = 0 }', 'reference."patrols.jiangsu_patrol.vesels"'),
        (f'{{ "{VESSELS}" = 3 }}', f'reference."{VESSELS}": no design point has 3'),
        ("99", "reference: point 99 is not in the design"),
        ('"first"', "reference: expected a point number or a table"),
    ],
)
def test_a_bad_reference_exits_2_naming_the_key(tmp_path: Path, reference: str, named: str) -> None:
    (tmp_path / "base.toml").write_text("horizon_days = 5\n")
    text = SWEEP.replace(f'{{ "{VESSELS}" = 0, "{REWARD}" = 0.0 }}', reference)
    (tmp_path / "s.toml").write_text(text)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "s.toml")])
    assert result.exit_code == 2
    assert named in result.output and "Traceback" not in result.output


def test_effects_read_in_chunks_equal_the_whole_table(folder: Path) -> None:
    """A runs.csv too big for memory is read in chunks that cut points apart: the same table."""
    from sim.experiment.effects import effects_of_file, paired_effects

    runs = pd.read_csv(folder / "runs.csv")
    metrics = [c for c in runs.columns if c not in ("point", "replication", "seed")]
    whole = paired_effects(runs, metrics, 2)
    for rows in (5, 7, 1000):  # 8 replications a point: every chunk cuts one
        pd.testing.assert_frame_equal(effects_of_file(folder / "runs.csv", metrics, 2, rows), whole)
    assert set(whole.loc[whole["point"] == 2, "mean"].dropna()) == {0.0}


def test_a_sweep_with_no_finished_replication_has_an_empty_effects_table(tmp_path: Path) -> None:
    from sim.experiment.effects import EFFECT_COLUMNS, effects_of_file

    (tmp_path / "runs.csv").write_text("point,replication,seed,y\n")
    assert list(effects_of_file(tmp_path / "runs.csv", ["y"], 0).columns) == EFFECT_COLUMNS
