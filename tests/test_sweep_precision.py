"""run --target-ci: replications added in batches until the headline metrics are precise enough."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import precision
from sim.scenario import Scenario, resolve
from sim.study.run import run_scenario

WriteFile = Callable[..., Path]

TARGETS = ["tonnes_delivered", "tonnes_seized", "seizure_share", "dprk_revenue_rmb", "fines_rmb"]
"""What --target-ci watches unless told otherwise (README, docs/metrics.md)."""


def test_status_rules() -> None:
    got = {
        s.metric: s
        for s in precision.status(
            {
                "flat": [3.0, 3.0, 3.0],
                "zero_flat": [0.0, 0.0],
                "zero_mean": [-1.0, 1.0, -1.0, 1.0],
                "tight": [100.0, 101.0, 99.0, 100.0],
                "loose": [1.0, 9.0, 2.0, 8.0],
                "single": [5.0],
            },
            0.05,
        )
    }
    assert got["flat"].reached and got["zero_flat"].reached
    assert not got["zero_mean"].reached and math.isinf(got["zero_mean"].relative)
    assert got["tight"].reached and 0 < got["tight"].relative < 0.05
    assert not got["loose"].reached and got["loose"].relative > 0.5
    assert not got["single"].reached


def test_batches_never_more_than_double_and_stop_at_the_maximum() -> None:
    far = [precision.Status("m", 1.0, 1.0, 1.0, False)]
    assert precision.next_batch(10, far, 0.01, 1000) == 10  # needs 10^5: doubles
    near = [precision.Status("m", 1.0, 0.06, 0.06, False)]
    assert precision.next_batch(100, near, 0.05, 1000) == math.ceil(100 * 1.44 * 1.1) - 100
    assert precision.next_batch(95, far, 0.01, 100) == 5
    assert precision.next_batch(100, far, 0.01, 100) == 0
    done = [precision.Status("m", 1.0, 0.01, 0.01, True)]
    assert precision.next_batch(10, done, 0.05, 1000) == 0


def test_target_run_equals_a_plain_run_of_the_same_length(tmp_path: Path) -> None:
    s = Scenario(horizon_days=20, replications=3, seed=8)
    result = run_scenario(resolve(s), tmp_path / "t", workers=1, target_ci=0.15,
                          max_replications=60)  # fmt: skip
    n = len(result.runs)
    assert 3 < n <= 60
    m = json.loads((tmp_path / "t" / "manifest.json").read_text())
    assert m["replications"] == n and m["scenario"]["replications"] == n
    target = m["target_ci"]
    assert target["target"] == 0.15 and target["metrics"] == TARGETS
    assert sorted(target["reached"] + target["not_reached"]) == sorted(TARGETS)
    if n < 60:
        assert target["not_reached"] == []
    for st in result.target:
        assert st.reached == (st.relative < 0.15 or st.half_width == 0)
    plain = run_scenario(resolve(s.model_copy(update={"replications": n})), tmp_path / "p",
                         workers=2)  # fmt: skip
    for name in ("runs.csv", "summary.csv", "timeseries.csv", "shipments.csv"):
        assert (tmp_path / "t" / name).read_bytes() == (plain.folder / name).read_bytes(), name


def test_cli_reports_which_metrics_reached_the_target(
    write: WriteFile, tmp_path: Path, runner: CliRunner
) -> None:
    path = write("horizon_days = 20\nreplications = 2\n")
    out = tmp_path / "r"
    result = runner.invoke(
        app,
        ["run", str(path), "--workers", "1", "--out", str(out), "--target-ci", "0.0001",
         "--max-replications", "5", "--no-report", "--target-metric", "tonnes_delivered",
         "--target-metric", "patrol_utilisation"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mean and 95% CI over 5 replications" in result.stdout
    assert "target 95% CI half-width < 0.01% of |mean| after 5 replications" in result.stdout
    assert "not reached for tonnes_delivered" in result.stdout
    bad = runner.invoke(app, ["run", str(path), "--workers", "1", "--out", str(tmp_path / "b"),
                              "--target-ci", "0.1", "--target-metric", "tonnes"])  # fmt: skip
    assert bad.exit_code == 2 and "--target-metric tonnes: unknown metric" in bad.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--target-ci", "0.1", "--target-metric", "tonnes"], "--target-metric tonnes: unknown"),
        (["--target-ci", "0"], "--target-ci 0.0: must be greater than 0"),
        (  # the first batch is the scenario's 4 replications: more than the most allowed
            ["--target-ci", "0.1", "--max-replications", "3"],
            "--max-replications 3: below the first batch of 4 replications",
        ),
        (["--max-replications", "8"], "only apply with --target-ci"),
        (["--target-metric", "tonnes_delivered"], "only apply with --target-ci"),
        (  # no change day: a displacement metric has no value, so it never gets there
            ["--target-ci", "0.1", "--target-metric", "recovery_days"],
            "--target-metric recovery_days: has no value in this scenario",
        ),
        (  # share_waited has a value in any scenario: it is not refused
            ["--target-ci", "0.1", "--target-metric", "share_waited", "--max-replications", "3"],
            "--max-replications 3: below the first batch",
        ),
    ],
)
def test_run_options_that_do_not_fit_fail_before_any_folder(
    options: list[str], message: str, write: WriteFile, tmp_path: Path, runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = write("horizon_days = 20\nreplications = 4\n")
    monkeypatch.chdir(tmp_path)  # the default results/ folder would land here
    result = runner.invoke(app, ["run", str(path), "--workers", "1", "--no-report", *options])
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert not (tmp_path / "results").exists()
