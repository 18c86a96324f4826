"""Sobol and Morris indices against functions whose answers are known analytically."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sweep_helpers as h
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.design import Parameter, build
from sim.experiment.executors import SerialExecutor
from sim.experiment.sensitivity import elementary_effects
from sim.experiment.sweep import run_sweep

WriteFile = Callable[..., Path]
PI = math.pi


def indices(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(folder / "sensitivity.csv")
    assert list(frame.columns) == ["metric", "parameter", "index", "value", "ci95_low", "ci95_high"]
    return frame.set_index(["index", "parameter"])


def ranges(*bounds: tuple[float, float]) -> tuple[Parameter, ...]:
    return tuple(Parameter(f"x{i + 1}", low=lo, high=hi) for i, (lo, hi) in enumerate(bounds))


def test_sobol_recovers_the_ishigami_indices(tmp_path: Path) -> None:
    params = ranges((-PI, PI), (-PI, PI), (-PI, PI))
    design = build("sobol", params, (), samples=1024, seed=5)
    assert len(design.rows) == 1024 * 5
    run_sweep(h.synthetic_sweep(design), tmp_path, evaluate=h.ishigami, metrics=["y"],
              executor=SerialExecutor())  # fmt: skip
    got = indices(tmp_path)
    s1, st = h.ishigami_indices()
    for name, truth in (("S1", s1), ("ST", st)):
        for i, want in enumerate(truth):
            row = got.loc[(name, f"x{i + 1}")]
            assert abs(row["value"] - want) < 0.05, (name, i, row["value"], want)
            # the interval is a real interval around the estimate, wide enough to be honest
            assert row["ci95_low"] < row["value"] < row["ci95_high"]
            assert row["ci95_low"] - 0.02 <= want <= row["ci95_high"] + 0.02, (name, i)


def test_sobol_of_a_linear_model_is_its_variance_shares(tmp_path: Path) -> None:
    design = build("sobol", ranges((0, 1), (0, 1), (0, 1)), (), samples=512, seed=2)
    run_sweep(h.synthetic_sweep(design), tmp_path, evaluate=h.linear, metrics=["y"],
              executor=SerialExecutor())  # fmt: skip
    got = indices(tmp_path)
    a = np.array(h.LINEAR)
    share = a**2 / np.sum(a**2)  # additive: S1 = ST = a_i^2 / sum a^2
    for i, want in enumerate(share):
        for name in ("S1", "ST"):
            assert abs(got.loc[(name, f"x{i + 1}")]["value"] - want) < 0.03, (name, i)


def test_morris_of_a_linear_model_is_exact(tmp_path: Path) -> None:
    bounds = ((0.0, 1.0), (0.0, 2.0), (-1.0, 1.0))
    design = build("morris", ranges(*bounds), (), samples=12, levels=4, seed=9)
    sweep = h.synthetic_sweep(design, replications=2)
    run_sweep(sweep, tmp_path, evaluate=h.linear, metrics=["y"], executor=SerialExecutor())
    got = indices(tmp_path)
    for i, (lo, hi) in enumerate(bounds):
        effect = h.LINEAR[i] * (hi - lo)  # per full range of the parameter
        mu = got.loc[("mu_star", f"x{i + 1}")]
        sigma = got.loc[("sigma", f"x{i + 1}")]
        assert mu["value"] == pytest.approx(effect, rel=1e-6)
        assert mu["ci95_low"] == pytest.approx(effect, rel=1e-6)  # no spread, no width
        assert sigma["value"] == pytest.approx(0.0, abs=1e-6)
        assert sigma["ci95_high"] == pytest.approx(0.0, abs=1e-6)


def test_morris_elementary_effects_match_salib(tmp_path: Path) -> None:
    design = build("morris", ranges((-PI, PI), (-PI, PI), (-PI, PI)), (), samples=30, seed=1)
    run_sweep(h.synthetic_sweep(design), tmp_path, evaluate=h.ishigami, metrics=["y"],
              executor=SerialExecutor())  # fmt: skip
    got = indices(tmp_path)
    y = pd.read_csv(tmp_path / "summary.csv")["mean"].to_numpy()
    ee = elementary_effects(design, y)
    for i in range(3):
        assert got.loc[("mu_star", f"x{i + 1}")]["value"] == pytest.approx(
            np.abs(ee[i]).mean(), rel=1e-6
        )
        assert got.loc[("sigma", f"x{i + 1}")]["value"] == pytest.approx(
            ee[i].std(ddof=1), rel=1e-6
        )
    # x2 enters only through sin^2: large effects of both signs, so a large sigma
    assert got.loc[("sigma", "x2")]["ci95_low"] > 0


def test_sensitivity_file_from_the_command_line(
    write: WriteFile, tmp_path: Path, runner: CliRunner
) -> None:
    write("horizon_days = 20\n", "base.toml")
    path = write(
        'base = "base.toml"\nreplications = 1\noutputs = ["tonnes_delivered", "fines_rmb"]\n'
        '[design]\nkind = "morris"\nsamples = 3\n[design.parameters]\n'
        '"enforcement.fine_rmb" = { low = 0, high = 4e6 }\n'
        '"patrols.bohai_strait_patrol.vessels" = { low = 0, high = 6 }\n',
        "morris.toml",
    )
    out = tmp_path / "m"
    result = runner.invoke(app, ["sweep", str(path), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out / "sensitivity.csv")
    assert len(got) == 2 * 2 * 2  # metrics x parameters x (mu_star, sigma)
    assert set(got["index"]) == {"mu_star", "sigma"}
    assert set(got["parameter"]) == {"enforcement.fine_rmb", "patrols.bohai_strait_patrol.vessels"}
    fine = got[(got.metric == "fines_rmb") & (got.parameter == "enforcement.fine_rmb")]
    assert fine[fine["index"] == "mu_star"]["value"].iloc[0] > 0
