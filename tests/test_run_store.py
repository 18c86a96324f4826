"""A run folder never looks complete unless the run finished."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.study.run
from sim.experiment import store
from sim.experiment.replications import ReplicationFailed
from sim.scenario import Scenario, resolve
from sim.scenario.errors import ScenarioError
from sim.study.run import run_scenario


def _manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "manifest.json").read_text())
    return data


def test_complete_run_records_what_it_ran(tmp_path: Path) -> None:
    resolved = resolve(Scenario(horizon_days=30, replications=2, seed=5))
    result = run_scenario(resolved, tmp_path / "ok", workers=1)
    m = _manifest(result.folder)
    assert m["status"] == "complete"
    assert m["seed"] == 5 and m["replications"] == 2
    assert m["scenario"] == resolved.scenario.model_dump(mode="json")
    assert m["finished_at"] is not None and m["package_version"]
    # the test environment is the editable install: the model runs from its .py files
    assert m["model_compiled"] is False and m["kernel_compiled"] is False
    runs = pd.read_csv(result.folder / "runs.csv")
    assert list(runs["replication"]) == [0, 1] and set(runs["seed"]) == {5}
    ts = pd.read_csv(result.folder / "timeseries.csv")
    assert len(ts) == 2 * 5  # 30 days is 4.3 weeks: five weekly rows per replication
    assert not list(result.folder.glob(".*.tmp"))


def test_failed_run_says_so_and_leaves_no_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}

    def broken(scenario_json: str, seed: np.random.SeedSequence) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("model blew up")
        from sim.metrics.evaluate import evaluate

        return evaluate(scenario_json, seed)

    monkeypatch.setattr(sim.study.run, "evaluate", broken)
    resolved = resolve(Scenario(horizon_days=20, replications=3))
    # The second replication (index 1) is the one that raised; the message says so.
    with pytest.raises(ReplicationFailed, match="replication 1 failed: RuntimeError: model blew"):
        run_scenario(resolved, tmp_path / "bad", workers=1)
    m = _manifest(tmp_path / "bad")
    assert m["status"] == "failed"
    assert "model blew up" in str(m["error"])
    assert sorted(p.name for p in (tmp_path / "bad").iterdir()) == ["manifest.json"]


def test_interrupted_run_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(scenario_json: str, seed: np.random.SeedSequence) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.study.run, "evaluate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_scenario(resolve(Scenario(horizon_days=20)), tmp_path / "int", workers=1)
    assert _manifest(tmp_path / "int")["status"] == "interrupted"


@pytest.mark.parametrize(
    ("marker", "own", "refused"),
    [
        ("manifest.json", None, True),  # a run's or a sweep's folder is never written into
        ("manifest.json", "verify.csv", True),
        ("verify.csv", "verify.csv", False),  # an earlier verify is replaced whole
        ("verify.csv", None, True),  # but a run or sweep is not written next to it
        ("compare.csv", "breakeven.csv", True),
    ],
)
def test_out_folders_hold_one_kind_of_output(
    tmp_path: Path, marker: str, own: str | None, refused: bool
) -> None:
    (tmp_path / marker).write_text("x", encoding="utf-8")
    if refused:
        with pytest.raises(ScenarioError, match=f"already holds .*\\({marker}\\)"):
            store.check_out(tmp_path, own)
    else:
        store.check_out(tmp_path, own)


def test_interrupted_run_from_the_cli_says_how_to_start_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C: exit 130 and one line on what is left. With --out, running the command again
    would be refused (the folder has a manifest), so the line says what to do instead."""
    from typer.testing import CliRunner

    from sim.cli import app

    def interrupted(scenario_json: str, seed: np.random.SeedSequence) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.study.run, "evaluate", interrupted)
    scenario = tmp_path / "s.toml"
    scenario.write_text("horizon_days = 20\nreplications = 2\n")
    out = tmp_path / "int"
    args = ["run", str(scenario), "--workers", "1", "--no-report", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 130, result.output
    assert f"interrupted: {out} holds no results" in result.stderr
    assert f"remove {out} or give another --out" in result.stderr
    assert "Traceback" not in result.output
    assert _manifest(out)["status"] == "interrupted"


def test_manifest_says_when_the_model_runs_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """``make fast`` installs the model as extension modules: the manifest must say so."""
    import importlib.machinery
    import importlib.util

    def compiled_spec(name: str) -> importlib.machinery.ModuleSpec:
        return importlib.machinery.ModuleSpec(
            name, None, origin=f"/x/{name.replace('.', '/')}.cpython-311-x86_64-linux-gnu.so"
        )

    monkeypatch.setattr(importlib.util, "find_spec", compiled_spec)
    manifest = store.base_manifest()
    assert manifest["model_compiled"] is True and manifest["kernel_compiled"] is True
