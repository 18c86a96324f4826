"""``coalsim compare`` names the inputs the two runs differ in, and draws each panel of its
figure on one scale."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.report import compare as cmp
from sim.report.compare_figure import compare_figure
from sim.report.compare_inputs import differing

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _run(scenario: Path, out: Path, *extra: str) -> Path:
    args = ["run", str(scenario), "--replications", "3", "--set", "horizon_days=30"]
    result = CliRunner().invoke(
        app, [*args, "--workers", "1", "--no-report", *extra, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inputs")
    return {
        "base": _run(SCENARIOS / "baseline.toml", root / "base"),
        "surge": _run(SCENARIOS / "patrol_surge.toml", root / "surge"),
        "again": _run(SCENARIOS / "baseline.toml", root / "again"),
    }


def test_the_inputs_that_differ_are_the_surge_files_set_table(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    surge = tomllib.loads((SCENARIOS / "patrol_surge.toml").read_text())
    expected = {(k, "2", str(v)) for k, v in surge["set"].items()}  # the baseline has 2 each
    result = CliRunner().invoke(
        app, ["compare", str(runs["base"]), str(runs["surge"]), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert f"inputs that differ ({len(expected)}), A -> B:" in result.output
    for k, a, b in expected:
        assert f"  {k}: {a} -> {b}" in result.output
    saved = pd.read_csv(tmp_path / "c" / "inputs.csv", dtype=str)
    assert set(saved.itertuples(index=False, name=None)) == expected
    assert "inputs that differ" in (tmp_path / "c" / "compare.txt").read_text()


def test_the_same_scenario_has_no_differing_input(runs: dict[str, Path]) -> None:
    c = cmp.compare_runs(runs["base"], runs["again"])
    assert c.inputs == [] and "scenarios are the same" in cmp.describe(c)


def test_entries_only_one_run_has_are_one_line_each() -> None:
    a = {"name": "a", "patrols": [{"name": "p1", "vessels": 2}], "seed": 1, "xs": [1, 2]}
    b = {
        "name": "b",
        "patrols": [{"name": "p1", "vessels": 3}, {"name": "p2", "vessels": 1, "zone": "z"}],
        "seed": 1,
        "xs": [1, 3],
    }
    assert differing(a, b) == [
        ("patrols.p1.vessels", "2", "3"),
        ("xs", "[1, 2]", "[1, 3]"),
        ("patrols.p2", "(none)", "(entry)"),
    ]


def test_each_panel_of_the_figure_has_one_scale(runs: dict[str, Path]) -> None:
    c = cmp.compare_runs(runs["base"], runs["surge"])
    fig = compare_figure(c)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2  # one Axes per panel: no twin axes, no per-row scales
    scaled = [ax for ax in panels if ax.get_xticks().size]
    assert len(scaled) == 1 and "% of A's mean" in scaled[0].get_xlabel()
    # the other panel has no axis at all: its values are written out in their units
    other = next(ax for ax in panels if ax is not scaled[0])
    assert not other.get_xticks().size and len(other.texts) > 0
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "Inputs that differ (A -> B): patrols.bohai_strait_patrol.vessels: 2 -> 4" in notes


def test_an_empty_policy_list_against_a_policy_is_its_entries_alone() -> None:
    """The surge against no surge: A's 'policy = []' is not a line of its own beside B's
    policy entry (the unnamed entry's keys are listed by index)."""
    a = {"policy": [], "zones": []}
    b = {"policy": [{"day": 120.0, "set": {"patrols.jiangsu_patrol.vessels": 8}}], "zones": ["x"]}
    assert differing(a, b) == [
        ("zones", "[]", '["x"]'),
        ("policy.0.day", "(none)", "120.0"),
        ("policy.0.set.patrols.jiangsu_patrol.vessels", "(none)", "8"),
    ]
