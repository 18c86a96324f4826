"""The Python API: docs/api.md's example runs as written, a run saved from memory is the
folder `coalsim run` writes, and mistakes are ScenarioErrors, not tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def test_the_documented_example_runs(tmp_path: Path) -> None:
    """docs/api.md's example, run from a plain interpreter in a copy of the repository's
    scenarios, as a user would paste it."""
    (code,) = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(), re.S)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "coal delivered:" in done.stdout and "report.html" in done.stdout
    assert (tmp_path / "results" / "api-example" / "baseline" / "report.pdf").is_file()


def test_a_run_saved_from_memory_is_the_folder_coalsim_run_writes(tmp_path: Path) -> None:
    r = sim.run(sim.load_scenario(BASELINE, ["horizon_days=40"]), replications=2, workers=1)
    assert r.folder is None and len(r.runs) == 2
    r.save(tmp_path / "api")
    args = ["run", str(BASELINE), "--set", "horizon_days=40", "--replications", "2"]
    result = CliRunner().invoke(app, [*args, "--no-report", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    cli_files = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert sorted(p.name for p in (tmp_path / "api").iterdir()) == cli_files
    for name in cli_files:
        if name.endswith(".csv"):
            assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    back = sim.load_results(tmp_path / "api")
    assert back.kind == "run" and back.folder == tmp_path / "api"
    pd.testing.assert_frame_equal(back.runs, r.runs, check_dtype=False)
    assert set(back.tables) == set(r.tables)


def test_mistakes_are_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(sim.ScenarioError, match="file not found"):
        sim.load_scenario(tmp_path / "missing.toml")
    with pytest.raises(sim.ScenarioError, match="horizon_days"):
        sim.load_scenario(BASELINE, ["horizon_days=-1"])
    r = sim.run(sim.load_scenario(BASELINE, ["horizon_days=20"]), replications=1, workers=1)
    with pytest.raises(sim.ScenarioError, match="save the results first"):
        r.report()
    with pytest.raises(sim.ScenarioError, match="save each first"):
        sim.compare(r, r)
    r.save(tmp_path / "once")
    with pytest.raises(sim.ScenarioError, match="only a run made in memory"):
        r.save(tmp_path / "twice")


def test_a_sweep_from_python(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(
        f'name = "tiny"\nbase = "{BASELINE}"\nreplications = 1\noutputs = ["tonnes_delivered"]\n'
        '[set]\nhorizon_days = 20\n[design]\nkind = "grid"\n'
        '[design.parameters]\n"enforcement.fine_rmb" = [0.0, 1200000.0]\n'
    )
    s = sim.sweep(sweep_file, tmp_path / "out", workers=1)
    assert s.kind == "sweep" and len(s["design"]) == 2 and len(s.runs) == 2
    assert s.folder == tmp_path / "out"


def test_results_show_as_one_line_in_a_notebook() -> None:
    """A notebook echoes the object: the names and sizes of its tables, not every row."""
    from sim.api.results import Results

    runs = pd.DataFrame({"replication": range(3), "tonnes_delivered": [1.0, 2.0, 3.0]})
    summary = pd.DataFrame({"metric": ["tonnes_delivered"], "mean": [2.0]})
    r = Results("run", {"runs": runs, "summary": summary}, {"scenario_name": "baseline"})
    assert repr(r) == (
        "<Results: run 'baseline', not saved; tables (rows x columns): runs 3x2, summary 1x2>"
    )
