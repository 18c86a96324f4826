"""Hostile and broken inputs (issue 15): none may exhaust the machine, hang a run, escape
the results folder or lose a user's files. The heavy cases run in a child process under a
memory limit, so that a regression fails the test instead of taking the machine."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import sweep_helpers as h
from typer.testing import CliRunner

import sim.study.run
from sim.cli import app
from sim.experiment import store
from sim.experiment.design import Parameter, build
from sim.experiment.executors import FORCE_WORKERS, SerialExecutor, cap_workers, default_workers
from sim.experiment.stream import CHECKPOINT, FolderLock, Table
from sim.experiment.sweep import run_sweep
from sim.model.model import EventCeiling, simulate
from sim.scenario import Scenario, load
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
MB = 1024 * 1024
runner = CliRunner()


def _limited(
    code: str, cwd: Path, memory_mb: int, timeout: float
) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter whose address space is capped at ``memory_mb``."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd, env=env, preexec_fn=cap, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


# 1. A design is counted before any row is built.


def test_a_billion_point_grid_is_refused_at_once_under_a_memory_limit(tmp_path: Path) -> None:
    values = list(range(10))
    ones = [v + 1 for v in values]
    params = "\n".join(f'"sellers.0.{k}" = {ones}' for k in ("vessels", "count")) + "\n"
    params += "\n".join(f'"patrols.{i}.vessels" = {values}' for i in range(4)) + "\n"
    params += "\n".join(f'"buyers.{i}.count" = {ones}' for i in range(3))
    sweep = tmp_path / "huge.toml"
    sweep.write_text(
        f'base = "{BASELINE}"\n[design]\nkind = "grid"\n[design.parameters]\n{params}\n'
    )
    started = time.monotonic()
    done = _limited(
        f"""
        from sim.cli import main
        import sys
        sys.argv = ["coalsim", "validate", {str(sweep)!r}]
        main()
        """,
        tmp_path, memory_mb=1500, timeout=60,
    )  # fmt: skip
    # 10 values of each of 9 parameters: 10**9 points, refused by count, not by building them
    assert done.returncode == 2, done.stderr[-2000:]
    assert "design: 1,000,000,000 points; at most 100,000" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_the_largest_allowed_design_is_checked_in_seconds_and_little_memory(
    tmp_path: Path,
) -> None:
    """10**5 points (the limit), every one checked, in a 2 GB address space, well under a
    minute (about 4 s on one core). The design adds under 200 MB to the process; with the
    libraries' own ~150 MB the peak is 290-325 MB, at the issue's 300 MB target, not under
    it (docs/limits.md says so), so the bound is on what validation adds."""
    steps = "steps = 10 }"
    sweep = tmp_path / "largest.toml"
    sweep.write_text(
        f'base = "{BASELINE}"\n[design]\nkind = "grid"\n[design.parameters]\n'
        f'"enforcement.fine_rmb" = {{ low = 0, high = 4.8e6, {steps}\n'
        f'"contract.resale_multiplier" = {{ low = 2, high = 3, {steps}\n'
        '"patrols.0.vessels" = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n'
        f'"tips.base_probability" = {{ low = 0.0, high = 0.01, {steps}\n'
        f'"sellers.0.patience_days" = {{ low = 1, high = 30, {steps}\n'
    )
    started = time.monotonic()
    done = _limited(
        f"""
        import resource
        from pathlib import Path
        from sim.study.sweep import prepare_sweep
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        sw = prepare_sweep(Path({str(sweep)!r}), dry_run=True).sweep
        print(sw.points, len(sw.point_json[99_999]) > 1000)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - before)
        """,
        tmp_path, memory_mb=2000, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    first, added = done.stdout.splitlines()
    assert first == "100000 True"
    assert int(added) < 200
    assert time.monotonic() - started < 40


def test_a_point_that_breaks_a_cross_check_is_still_caught(tmp_path: Path) -> None:
    """Points are checked key by key; a check across keys still sees each combination:
    lot_tonnes_max 7000 fits only the larger ship, and the policy's day 180 only the
    longer horizon."""
    sweep = tmp_path / "pairs.toml"
    base = ROOT / "scenarios" / "crackdown_midyear.toml"
    sweep.write_text(
        f'base = "{base}"\n[design]\nkind = "grid"\n[design.parameters]\n'
        '"sellers.0.lot_tonnes_max" = [5000.0, 7000.0]\n'
        '"sellers.0.vessel_capacity_dwt" = [6000.0, 8000.0]\n'
        '"horizon_days" = [365, 100]\n'
    )
    result = runner.invoke(app, ["validate", str(sweep)])
    assert result.exit_code == 2
    # last parameter fastest: (*, *, 100) are points 1, 3, 5, 7 and (7000, 6000, *) are
    # points 4, 5: five of eight bad, three shown
    assert "design point 1 (" in result.output and "policy[0].day" in result.output
    assert "design point 4 (" in result.output and "does not fit a 6000.0 dwt ship" in result.output
    assert "(and 2 more points)" in result.output


# 2. Durations have physical lower bounds; a replication has an event budget.


@pytest.mark.parametrize(
    ("path", "value", "bound"),
    [
        ("patrols.0.endurance_hours", 1e-9, "greater than or equal to 1"),
        ("sellers.0.lot_interval_days", 1e-7, "greater than or equal to 0.1"),
        ("allocation.review_days", 1e-9, "greater than or equal to 1"),
        ("adaptation.check_hours", 1e-9, "greater than or equal to 1"),
    ],
)
def test_durations_that_hung_a_run_are_refused(path: str, value: float, bound: str) -> None:
    with pytest.raises(ScenarioError) as e:
        load(BASELINE, [f"{path}={value}"])
    assert path.replace(".0.", "[0].") in str(e.value) or path in str(e.value)
    assert bound in str(e.value)


def test_the_default_event_budget_follows_the_scenario_size() -> None:
    # The default world: 4 companies with 35 ships, 200 buyers, 8 patrol vessels = 247
    # actors; 20 events per actor-day over 365 days.
    assert Scenario().event_ceiling() == 20 * 365 * 247
    assert Scenario(horizon_days=10).event_ceiling() == 1_000_000  # the floor
    assert Scenario(horizon_days=3650, max_events=5000).event_ceiling() == 5000


def test_a_runaway_replication_stops_and_names_its_busiest_mechanism() -> None:
    # One patrol vessel group cycling every hour, 40 vessels: far more events than 5,000.
    s = load(
        BASELINE,
        ["max_events=5000", "patrols.0.vessels=40", "patrols.0.endurance_hours=1",
         "patrols.0.transit_hours=0", "patrols.0.turnaround_hours=0"],
    )  # fmt: skip
    with pytest.raises(EventCeiling) as e:
        simulate(s, np.random.SeedSequence(1))
    assert "stopped after 5,000 events" in str(e.value)
    assert "from patrols (PatrolVessel." in str(e.value)
    assert "max_events" in str(e.value)


def test_run_reports_a_failed_replication_with_exit_1_and_a_failed_manifest(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["run", str(BASELINE), "--replications", "2", "--workers", "1", "--no-report",
         "--set", "max_events=1000", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "error: replication 0 failed: sim.model.model.EventCeiling: stopped after 1,000" in (
        result.output
    )
    assert "says failed" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "EventCeiling" in manifest["error"]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


# 3. Many zones: a spatial index and a capped list of problems.


def test_two_thousand_identical_zones_are_checked_quickly_and_briefly(tmp_path: Path) -> None:
    ring = [[121.0, 38.0], [122.0, 38.0], [122.0, 38.6], [121.0, 38.6]]
    zones = "".join(f'[[zones]]\nname = "z{i}"\npolygon = {ring}\n' for i in range(2000))
    path = tmp_path / "zones.toml"
    path.write_text(zones)
    started = time.monotonic()
    done = _limited(
        f"""
        from sim.cli import main
        import sys
        sys.argv = ["coalsim", "validate", {str(path)!r}]
        main()
        """,
        tmp_path, memory_mb=1500, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    # zone 1 .. 1999 each overlap zone 0 (one problem each), and the four default patrols
    # name zones that are not defined: 2,003 problems, 20 of them shown.
    assert "2003 problems:" in done.stderr
    assert "zones[1].polygon: zone 'z1' overlaps zone 'z0'" in done.stderr
    assert "... and 1,983 more" in done.stderr
    assert len(done.stderr.splitlines()) < 30
    assert time.monotonic() - started < 30


# 4. Tracebacks that escaped.


def test_a_huge_integer_is_a_message(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text("seed = " + "9" * 5000 + "\n")
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2 and "invalid TOML" in result.output
    assert "4300" in result.output
    ok = tmp_path / "ok.toml"
    ok.write_text('name = "x"\n')
    result = runner.invoke(app, ["show", str(ok), "--set", "seed=" + "9" * 5000])
    assert result.exit_code == 2 and "seed: Input should be a valid integer" in result.output
    sweep = tmp_path / "sw.toml"
    sweep.write_text(
        f'base = "ok.toml"\n[design]\nkind = "grid"\n[design.parameters]\n"seed" = [{"9" * 5000}]\n'
    )
    result = runner.invoke(app, ["validate", str(sweep)])
    assert result.exit_code == 2 and "invalid TOML" in result.output


def test_base_files_that_loop_nest_too_deep_or_name_a_folder(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "a.toml").write_text('base = "loop"\n')
    with pytest.raises(ScenarioError, match=r"a\.toml: base: cannot follow"):
        load(tmp_path / "a.toml")
    (tmp_path / "b0.toml").write_text('name = "deep"\n')
    for i in range(1, 41):
        (tmp_path / f"b{i}.toml").write_text(f'base = "b{i - 1}.toml"\n')
    with pytest.raises(ScenarioError, match="more than 32 base files in a chain"):
        load(tmp_path / "b40.toml")
    assert load(tmp_path / "b20.toml").scenario.name == "deep"  # 20 deep is fine
    (tmp_path / "dir.toml").write_text('base = "/tmp"\n')
    with pytest.raises(ScenarioError, match="base: /tmp is a directory, not a scenario file"):
        load(tmp_path / "dir.toml")


def test_a_full_disk_during_a_run_is_a_message_and_a_failed_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Table, rows: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Table, "rows", full)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["run", str(BASELINE), "--replications", "1", "--workers", "1", "--no-report",
         "--set", "horizon_days=10", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "error: OSError: [Errno 28] No space left on device" in result.output
    assert "Traceback" not in result.output
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write_atomic(tmp_path / "manifest.json", "old\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        store.write_atomic(tmp_path / "manifest.json", "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]
    assert (tmp_path / "manifest.json").read_text() == "old\n"


def test_a_memory_error_or_a_broken_pool_in_a_run_is_a_message_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(scenario_json: str, seed: np.random.SeedSequence) -> object:
        raise MemoryError

    base = ["run", str(BASELINE), "--replications", "2", "--no-report", "--set", "horizon_days=10"]
    monkeypatch.setattr(sim.study.run, "evaluate", exhausted)
    result = runner.invoke(app, [*base, "--workers", "1", "--out", str(tmp_path / "a")])
    assert result.exit_code == 1
    assert "error: replication 0 failed: MemoryError;" in result.output
    assert "Exception ignored" not in result.output and "Traceback" not in result.output
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["status"] == "failed"
    monkeypatch.setattr(sim.study.run, "evaluate", h.dies)  # each worker process dies
    monkeypatch.setenv(FORCE_WORKERS, "1")
    result = runner.invoke(app, [*base, "--workers", "2", "--out", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "error: BrokenProcessPool:" in result.output and "says failed" in result.output
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["status"] == "failed"


def test_a_full_disk_during_a_sweep_is_a_message_and_leaves_it_resumable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Callable[..., Path]
) -> None:
    write("horizon_days = 10\nreplications = 1\n", "base.toml")
    sweep = write(
        'base = "base.toml"\n[design]\nkind = "oat"\n[design.parameters]\n'
        '"enforcement.fine_rmb" = [0.0, 1.0]\n',
        "fines.toml",
    )
    written = {"n": 0}
    rows = Table.rows

    def fills(self: Table, data: object) -> None:
        written["n"] += 1
        if written["n"] > 3:  # the headers went in; the first point's rows do not
            raise OSError(errno.ENOSPC, "No space left on device")
        rows(self, data)

    monkeypatch.setattr(Table, "rows", fills)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["sweep", str(sweep), "--workers", "1", "--out", str(out), "--no-report"]
    )
    assert result.exit_code == 1
    assert "error: OSError: [Errno 28] No space left on device" in result.output
    assert f"continue with: coalsim sweep {sweep} --resume {out}" in result.output
    assert "Traceback" not in result.output
    assert json.loads((out / "manifest.json").read_text())["status"] == "failed"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# 5. Two runs into one folder.


def test_a_run_into_a_folder_another_process_is_writing_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["run", str(BASELINE), "--replications", "1", "--workers", "1", "--no-report",
            "--set", "horizon_days=10", "--out", str(out)]  # fmt: skip
    with FolderLock(out):  # as a run that started a moment earlier holds it
        result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "another coalsim process is writing to this folder" in result.output
    assert not (out / "manifest.json").exists()
    assert runner.invoke(app, args).exit_code == 0  # once it is free
    assert not (out / ".lock").exists()
    again = runner.invoke(app, args)  # and never over a finished run
    assert again.exit_code == 2 and "already holds" in again.output


# 6. Names used in paths.


def test_a_name_from_a_manifest_cannot_leave_the_results_folder(tmp_path: Path) -> None:
    root = tmp_path / "results"
    folder = store.new_run_dir(root, "../../../escaped")
    assert folder.resolve().is_relative_to(root.resolve())
    assert folder.parent.name == "_.._.._escaped"
    assert store.new_run_dir(root, "..").parent.name == "unnamed"
    assert store.new_run_dir(root, "my run #2").parent.name == "my run #2"  # a valid name


# 7. A user's own files.


def test_out_into_a_folder_of_the_users_own_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "runs.csv").write_text("my data\n")
    (out / "summary.csv").write_text("my summary\n")
    result = runner.invoke(
        app, ["run", str(BASELINE), "--replications", "1", "--no-report", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "not empty (runs.csv, summary.csv) and not a coalsim output folder" in result.output
    assert (out / "runs.csv").read_text() == "my data\n"


# 8. Resume checks the partial tables against the checkpoint.


@pytest.mark.parametrize("damage", ["shorter", "changed"])
def test_resume_refuses_partial_tables_that_do_not_match_the_checkpoint(
    tmp_path: Path, damage: str
) -> None:
    x1 = Parameter("x1", values=tuple(float(i) for i in range(8)))
    design = build("grid", (x1, Parameter("x2", values=(1.0,)), Parameter("x3", values=(2.0,))), ())
    sweep = h.synthetic_sweep(design, replications=4)
    folder = tmp_path / "cut"
    h.STOP_AT["point"] = 5
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(sweep, folder, evaluate=h.stops, metrics=["y", "z"],
                      executor=SerialExecutor())  # fmt: skip
    finally:
        h.STOP_AT["point"] = -1
    partial = folder / "runs.csv.partial"
    data = partial.read_bytes()
    size = json.loads((folder / CHECKPOINT).read_text())["sizes"]["runs.csv"]
    if damage == "shorter":  # as a disk that lost the file's tail: resume padded it with NULs
        partial.write_bytes(data[: size - 1])
    else:
        partial.write_bytes(data.replace(b",", b";", 1))
    with pytest.raises(ScenarioError, match="damaged, so it cannot be resumed"):
        run_sweep(sweep, folder, evaluate=h.noisy_linear, metrics=["y", "z"],
                  executor=SerialExecutor(), resume=True)  # fmt: skip
    assert b"\0" not in partial.read_bytes()


# 9. Workers, SIGTERM.


def test_workers_are_capped_at_the_cores_unless_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    cores = default_workers()
    monkeypatch.delenv(FORCE_WORKERS, raising=False)
    workers, note = cap_workers(cores + 22)
    assert workers == cores and note is not None and f"capped at {cores}" in note
    assert cap_workers(cores) == (cores, None)
    monkeypatch.setenv(FORCE_WORKERS, "1")
    assert cap_workers(cores + 22) == (cores + 22, None)


def test_sigterm_leaves_the_manifest_interrupted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(BASELINE), "--replications", "200",
         "--workers", "1", "--no-report", "--out", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (out / "runs.csv.partial").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    assert "Traceback" not in err
