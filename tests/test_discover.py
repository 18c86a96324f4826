"""Scenario discovery: PRIM finds a planted box; the --where grammar refuses bad input.

The synthetic sweep has five inputs, uniform over their ranges; the condition holds
exactly where two of them lie inside given ranges, so the right answer is known by
construction: those two dimensions restricted, to about those ranges, the other three
free.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.discovery import discover
from sim.experiment.store import write_csv
from sim.experiment.where import parse
from sim.metrics import METRICS

KEYS = ["a.x", "b.fine_rmb", "c.vessels", "d.share", "e.y"]
PLANTED = {"b.fine_rmb": (1.2e6, 3.6e6), "c.vessels": (4.0, 10.0)}  # of 0..6e6 and 0..10


def _inputs(n: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({k: rng.uniform(0, 1, n) for k in KEYS})
    x["b.fine_rmb"] *= 6e6
    x["c.vessels"] = rng.integers(0, 11, n)
    return x


def _inside(x: pd.DataFrame) -> np.ndarray:
    ok = np.ones(len(x), dtype=bool)
    for k, (lo, hi) in PLANTED.items():
        ok &= (x[k] >= lo).to_numpy() & (x[k] <= hi).to_numpy()
    return ok


def test_prim_recovers_the_planted_box() -> None:
    x = _inputs(2000)
    found = discover(x, _inside(x))
    box = found.box(found.chosen)
    restricted = box[box["restricted"]].set_index("parameter")
    assert sorted(restricted.index) == sorted(PLANTED)
    lo, hi = PLANTED["b.fine_rmb"]  # a continuous input: its limits within 5% of its range
    assert abs(restricted.loc["b.fine_rmb", "low"] - lo) < 0.05 * 6e6
    assert abs(restricted.loc["b.fine_rmb", "high"] - hi) < 0.05 * 6e6
    lo, hi = restricted.loc["c.vessels", ["low", "high"]]  # a whole number: the same values
    assert [v for v in range(11) if lo <= v <= hi] == list(range(4, 11))
    t = found.trajectory.iloc[found.chosen]
    assert t["coverage"] > 0.9 and t["density"] > 0.9
    assert (restricted["qp_low"].fillna(0) < 0.05).all()  # both restrictions significant


@pytest.fixture()
def sweep_folder(tmp_path: Path) -> Path:
    x = _inputs(400, seed=9)
    design = x.assign(point=range(len(x)))[["point", *KEYS]]
    metrics = [*list(METRICS)[:5], "tonnes_delivered"]
    means = np.where(_inside(x), 0.5e6, 2e6)
    rows = [
        (p, m, float(means[p]) if m == "tonnes_delivered" else 1.0)
        for p in range(len(x))
        for m in dict.fromkeys(metrics)
    ]
    summary = pd.DataFrame(rows, columns=["point", "metric", "mean"])
    write_csv(tmp_path / "design.csv", design)
    write_csv(tmp_path / "summary.csv", summary)
    manifest = {"kind": "sweep", "name": "planted", "status": "complete"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_discover_through_the_cli(sweep_folder: Path) -> None:
    result = CliRunner().invoke(
        app, ["discover", str(sweep_folder), "--where", "tonnes_delivered < 1e6"]
    )
    assert result.exit_code == 0, result.output
    out = sweep_folder / "discovery" / "tonnes_delivered_lt_1e6"
    for f in ("discovery.csv", "limits.csv", "discovery.txt", "figures/discovery.png"):
        assert (out / f).is_file(), f
    trajectory = pd.read_csv(out / "discovery.csv")
    assert trajectory["chosen"].sum() == 1
    assert "c.vessels" in result.output and "b.fine_rmb (million RMB)" in result.output
    assert "any value of: a.x, d.share, e.y" in result.output
    again = CliRunner().invoke(
        app, ["discover", str(sweep_folder), "--where", "tonnes_delivered < 1e6", "--box", "0"]
    )
    assert again.exit_code == 0 and "no parameter is restricted" in again.output


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ("tonnes_delivred < 1e6", "unknown metric 'tonnes_delivred'"),
        ("tonnes_delivered << 1e6", "token '<' at position 19"),
        ("tonnes_delivered < lots", "token 'lots' at position 20"),
        ("tonnes_delivered < 1e6 and", "end of the condition"),
        ("tonnes_delivered < 1e6 ; rm -rf", "token ';' at position 24"),
        ("(tonnes_delivered < 1e6", "expected ')'"),
        ("tonnes_delivered < 1e6 seizure_share", "token 'seizure_share' at position 24"),
    ],
)
def test_a_bad_where_exits_2_naming_the_token(sweep_folder: Path, where: str, named: str) -> None:
    result = CliRunner().invoke(app, ["discover", str(sweep_folder), "--where", where])
    assert result.exit_code == 2
    assert named in result.output and "Traceback" not in result.output
    assert not (sweep_folder / "discovery").exists()


def test_a_condition_that_never_holds_exits_2(sweep_folder: Path) -> None:
    result = CliRunner().invoke(
        app, ["discover", str(sweep_folder), "--where", "tonnes_delivered < 0"]
    )
    assert result.exit_code == 2 and "holds at none of the 400 points" in result.output


def test_and_binds_tighter_than_or() -> None:
    frame = pd.DataFrame({"tonnes_delivered": [1.0, 5.0, 5.0], "seizure_share": [0.9, 0.9, 0.1]})
    c = parse("tonnes_delivered < 2 or tonnes_delivered > 4 and seizure_share > 0.5", METRICS)
    assert list(c.holds(frame)) == [True, True, False]
    c = parse("(tonnes_delivered < 2 or tonnes_delivered > 4) and seizure_share > 0.5", METRICS)
    assert list(c.holds(frame)) == [True, True, False]
    c = parse("(tonnes_delivered < 2 or seizure_share < 0.5) and tonnes_delivered > 0", METRICS)
    assert list(c.holds(frame)) == [True, False, True]


def test_discover_from_python(sweep_folder: Path) -> None:
    import sim

    found = sim.discover(sweep_folder, "tonnes_delivered < 1e6")
    t, limits = found.tables["trajectory"], found.tables["limits"]
    chosen = int(t.loc[t["chosen"], "box"].iloc[0])
    box = limits[limits["box"] == chosen]
    assert sorted(box.loc[box["restricted"], "parameter"]) == sorted(PLANTED)
    assert not (sweep_folder / "discovery").exists()  # kept in memory


def test_discover_never_writes_into_another_commands_folder(
    sweep_folder: Path, tmp_path: Path
) -> None:
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    result = CliRunner().invoke(
        app,
        ["discover", str(sweep_folder), "--where", "tonnes_delivered < 1e6", "--out", str(other)],
    )
    assert result.exit_code == 2 and "not empty" in result.output
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    assert "discovery over sweep" not in result.output  # refused before any work
