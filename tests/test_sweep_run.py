"""Running sweeps: the same files on every executor, failures recorded, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import sweep_helpers as h
from typer.testing import CliRunner

import sim.study.sweep
from sim.cli import app
from sim.experiment.design import Parameter, build
from sim.experiment.executors import ProcessExecutor, SerialExecutor
from sim.experiment.stream import CHECKPOINT
from sim.experiment.sweep import fingerprint, run_sweep
from sim.experiment.sweepfile import load_sweep
from sim.metrics import METRICS
from sim.metrics.registry import names
from sim.study.sweep import execute_sweep, prepare_sweep

WriteFile = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[1]
TABLES = ("design.csv", "runs.csv", "summary.csv", "failures.csv")

SWEEP = """
base = "base.toml"
replications = 3
outputs = ["tonnes_delivered", "shipments_seized"]
[design]
kind = "grid"
[design.parameters]
"patrols.bohai_strait_patrol.vessels" = [0, 4]
"enforcement.fine_rmb" = [0.0, 2.4e6]
"""


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "manifest.json").read_text())
    return data


def same_tables(a: Path, b: Path, names: tuple[str, ...] = TABLES) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("grid")
    (root / "base.toml").write_text("horizon_days = 30\n")
    (root / "sweep.toml").write_text(SWEEP)
    return root / "sweep.toml"


@pytest.fixture(scope="module")
def serial(grid: Path) -> Path:
    prepared = prepare_sweep(grid, out=grid.parent / "serial")
    result = execute_sweep(prepared, SerialExecutor())
    assert result.failures == 0
    return result.folder


def test_sweep_folder_is_complete(serial: Path) -> None:
    m = manifest(serial)
    assert m["kind"] == "sweep" and m["status"] == "complete"
    assert m["design"] == "grid" and m["points"] == 4 and m["failures"] == 0
    assert m["parameters"] == ["patrols.bohai_strait_patrol.vessels", "enforcement.fine_rmb"]
    assert m["outputs"] == ["tonnes_delivered", "shipments_seized"]
    assert m["replications"] == 3 and m["seed"] == 2019
    assert m["files"] == [*TABLES, "effects.csv"] and m["reference"] == 0
    assert sorted(p.name for p in serial.iterdir() if not p.name.startswith(".")) == sorted(
        ["manifest.json", *TABLES, "effects.csv"]
    )
    design = pd.read_csv(serial / "design.csv")
    assert list(design.columns) == ["point", *m["parameters"]]  # type: ignore[misc]
    runs = pd.read_csv(serial / "runs.csv")
    assert list(runs.columns[:3]) == ["point", "replication", "seed"]
    assert set(METRICS) <= set(runs.columns)
    assert list(zip(runs["point"], runs["replication"], strict=True)) == [
        (p, r) for p in range(4) for r in range(3)
    ]
    summary = pd.read_csv(serial / "summary.csv")
    assert list(summary.columns) == ["point", "metric", "mean", "std", "ci95_low", "ci95_high", "n"]
    assert len(summary) == 4 * len(METRICS)
    assert set(summary[summary.metric == "tonnes_delivered"]["n"]) == {3}
    # common random numbers: with no patrols and no fine, the fine level changes nothing
    r0, r1 = runs[runs.point == 0], runs[runs.point == 1]
    assert list(r0["tonnes_delivered"]) == list(r1["tonnes_delivered"])


def test_identical_files_on_every_executor(grid: Path, serial: Path) -> None:
    from sim.experiment.dask_executor import DaskExecutor

    executors = {
        "processes": ProcessExecutor(2),
        "dask": DaskExecutor(local_workers=2),
    }
    for name, executor in executors.items():
        try:
            prepared = prepare_sweep(grid, out=grid.parent / name)
            execute_sweep(prepared, executor)
        finally:
            executor.close()
        same_tables(serial, grid.parent / name)


def test_local_dask_workers_leave_the_model_the_gil() -> None:
    """No dashboard shows what the workers' profiler and monitors gather, and each of
    their wake-ups in the event loop's thread takes the GIL from the model's thread:
    none samples or polls more than once a second."""
    from sim.experiment.dask_executor import DaskExecutor

    executor = DaskExecutor(local_workers=1)
    try:
        periods = executor._client.run(
            lambda dask_worker: {
                k: c.callback_time for k, c in dask_worker.periodic_callbacks.items()
            }
        )
    finally:
        executor.close()
    (worker,) = periods.values()
    assert "profile" not in worker
    assert {k: ms for k, ms in worker.items() if ms < 1000} == {}


def test_failing_replication_goes_to_failures_csv(tmp_path: Path) -> None:
    params = (
        Parameter("x1", values=(0.0, 0.5, 1.0)),
        Parameter("x2", values=(1.0,)),
        Parameter("x3", values=(1.0,)),
    )
    sweep = h.synthetic_sweep(build("grid", params, ()), replications=3)
    executor = ProcessExecutor(2)
    try:
        result = run_sweep(
            sweep, tmp_path / "f", evaluate=h.flaky, metrics=["y"], executor=executor
        )
    finally:
        executor.close()
    assert result.failures == 1
    failures = pd.read_csv(tmp_path / "f" / "failures.csv")
    assert list(failures.columns) == ["point", "replication", "seed", "error", "traceback"]
    row = failures.iloc[0]
    assert (row["point"], row["replication"], row["seed"]) == (1, 1, 3)
    assert row["error"] == "ValueError: provoked failure at x = [0.5, 1.0, 1.0]"
    assert "Traceback (most recent call last)" in row["traceback"] and "flaky" in row["traceback"]
    runs = pd.read_csv(tmp_path / "f" / "runs.csv")
    assert len(runs) == 8 and (1, 1) not in set(zip(runs.point, runs.replication, strict=True))
    summary = pd.read_csv(tmp_path / "f" / "summary.csv").set_index("point")
    assert list(summary["n"]) == [3, 2, 3]
    assert manifest(tmp_path / "f")["failures"] == 1


def test_cli_sweep_with_a_failure_exits_1(
    grid: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sim.study.sweep, "evaluate_metrics", h.flaky_model)
    out = tmp_path / "cli"
    result = runner.invoke(app, ["sweep", str(grid), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"error: 2 of 12 replications failed; see {out / 'failures.csv'}" in result.stderr
    # progress without a terminal: a few plain lines, no control characters
    lines = [x for x in result.stderr.splitlines() if x.startswith("sweep: ")]
    assert 2 <= len(lines) <= 11 and lines[-1].startswith("sweep: 12/12 replications (100%)")
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    failures = pd.read_csv(out / "failures.csv")
    assert list(failures["point"]) == [0, 2] and set(failures["replication"]) == {1}
    assert set(failures["error"]) == {"RuntimeError: provoked model failure"}
    assert manifest(out)["status"] == "complete"


def test_interrupted_sweep_resumes_to_the_same_files(tmp_path: Path) -> None:
    x1 = Parameter("x1", values=tuple(float(i) for i in range(8)))
    design = build("grid", (x1, Parameter("x2", values=(1.0,)), Parameter("x3", values=(2.0,))), ())
    sweep = h.synthetic_sweep(design, replications=4)
    whole = run_sweep(sweep, tmp_path / "whole", evaluate=h.noisy_linear, metrics=["y", "z"],
                      executor=SerialExecutor())  # fmt: skip
    folder = tmp_path / "cut"
    h.STOP_AT["point"] = 5
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(sweep, folder, evaluate=h.stops, metrics=["y", "z"],
                      executor=SerialExecutor())  # fmt: skip
    finally:
        h.STOP_AT["point"] = -1
    assert manifest(folder)["status"] == "interrupted"
    assert not (folder / "runs.csv").exists() and (folder / "runs.csv.partial").exists()
    # rows written after the last checkpoint (a half-written point) are cut off on resume
    with open(folder / "runs.csv.partial", "a") as f:
        f.write("99,0,3,half a ro")
    run_sweep(sweep, folder, evaluate=h.noisy_linear, metrics=["y", "z"],
              executor=SerialExecutor(), resume=True)  # fmt: skip
    same_tables(whole.folder, folder)
    m = manifest(folder)
    assert m["status"] == "complete" and len(m["resumed_at"]) == 1  # type: ignore[arg-type]
    assert not (folder / CHECKPOINT).exists()


KILL_SWEEP = """
base = "base.toml"
replications = 2
[design]
kind = "grid"
[design.parameters]
"patrols.bohai_strait_patrol.vessels" = [0, 1, 2, 4, 6, 8]
"detection.recognition_probability" = [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0]
"""


def _children_of(folder: Path) -> list[int]:
    """Processes still running with ``folder`` on their command line."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(folder).encode() in cmd:
                found.append(int(proc.name))
    return found


def test_sweep_killed_with_sigkill_resumes_to_the_same_files(
    tmp_path: Path, runner: CliRunner
) -> None:
    (tmp_path / "base.toml").write_text("horizon_days = 40\n")
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(KILL_SWEEP)
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "sim", "sweep", str(sweep_file), "--workers", "2",
           "--out", str(killed)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            done = json.loads((killed / CHECKPOINT).read_text())["done"]
        except (OSError, ValueError):
            done = 0
        if done >= 3:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    assert 3 <= done < 42
    assert manifest(killed)["status"] == "running"
    # the pool's workers notice that their parent is gone and exit
    deadline = time.monotonic() + 10
    while _children_of(killed) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_of(killed) == []

    result = runner.invoke(
        app, ["sweep", str(sweep_file), "--resume", str(killed), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert manifest(killed)["status"] == "complete"
    whole = tmp_path / "whole"
    result = runner.invoke(app, ["sweep", str(sweep_file), "--out", str(whole), "--workers", "1"])
    assert result.exit_code == 0, result.output
    same_tables(whole, killed)


def test_resume_refuses_what_it_cannot_continue(
    grid: Path, serial: Path, tmp_path: Path, runner: CliRunner
) -> None:
    def resume(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["sweep", str(grid), "--workers", "1", *args])
        assert "Traceback" not in result.output
        return result.exit_code, result.stderr

    code, msg = resume("--resume", str(serial))
    assert code == 2 and "the sweep is already complete; nothing to resume" in msg
    code, msg = resume("--resume", str(tmp_path / "nowhere"))
    assert code == 2 and f"--resume {tmp_path / 'nowhere'}: no such folder" in msg
    code, msg = resume("--resume", str(tmp_path))
    assert code == 2 and "not a results folder (no manifest.json)" in msg
    # a sweep started with other options: its folder says so, and resume will not mix them
    started = tmp_path / "started"
    prepared = prepare_sweep(grid, out=started)
    prepared.make_folder()
    m = dict(manifest(serial), status="interrupted")
    started.joinpath("manifest.json").write_text(json.dumps(m))
    changed = runner.invoke(
        app, ["sweep", str(grid), "--workers", "1", "--resume", str(started), "--replications", "5"]
    )
    assert changed.exit_code == 2
    assert "now gives a different sweep (replications changed)" in changed.stderr, changed.stderr
    assert "coalsim: sweep" not in changed.stdout  # refused before the sweep is announced
    # started with --replications 1: a resume that changes --set alone is told only that,
    # for the stored --replications still applies
    one = load_sweep(grid, list(METRICS), names(target=True), replications=1)
    m1 = dict(m, options={"set": [], "replications": 1}, fingerprint=fingerprint(one, METRICS))
    started.joinpath("manifest.json").write_text(json.dumps(m1))
    args = ["sweep", str(grid), "--workers", "1", "--resume", str(started)]
    only_set = runner.invoke(app, [*args, "--set", "tips.knowers=2"])
    assert only_set.exit_code == 2
    assert "(base scenario changed)" in only_set.stderr, only_set.stderr
    code, msg = resume("--resume", str(started), "--out", str(tmp_path / "x"))
    assert code == 2 and "--resume and --out: give one" in msg
    assert prepared.sweep.points == 4


def test_bad_executor_options_fail_before_any_folder(
    grid: Path, tmp_path: Path, runner: CliRunner
) -> None:
    out = tmp_path / "never"
    for args, message in (
        (["--scheduler", "foo://bar"], "--scheduler foo://bar: not a Dask scheduler address"),
        (["--scheduler", "tcp://nohost"], "missing port number"),
        (["--workers", "2", "--dask-local", "2"], "--workers and --dask-local: choose one"),
    ):
        result = runner.invoke(app, ["sweep", str(grid), "--out", str(out), *args])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output
        assert not out.exists()
