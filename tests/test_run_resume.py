"""coalsim run --resume: an interrupted run goes on where it stopped, and the finished
folder is the one an uninterrupted run writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[1]
ARGS = [str(ROOT / "scenarios" / "baseline.toml"), "--set", "horizon_days=100",
        "--replications", "60", "--workers", "1", "--no-report"]  # fmt: skip


def start(out: Path) -> subprocess.Popen[str]:
    """The run in a process of its own, its checkpoint made durable after every replication
    (not every 2 s), so a kill lands mid-run however fast the machine is."""
    env = {**os.environ, "COALSIM_CHECKPOINT_SECONDS": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "run", *ARGS, "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )  # fmt: skip


def _ctrl_c_as_at_a_terminal() -> None:
    """A shell without job control starts background jobs with SIGINT ignored, and Python
    then installs no KeyboardInterrupt handler: the run would ignore Ctrl-C, as a
    background job should. The tests run wherever they are started from, so the run
    starts as it would at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_checkpoint(folder: Path, proc: subprocess.Popen[str]) -> int:
    """Replications done at the first durable checkpoint with some."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            done = int(json.loads((folder / ".checkpoint.json").read_text())["done"])
            if done > 0:
                return done
        except (FileNotFoundError, ValueError):
            pass
        assert proc.poll() is None, "the run ended before its first checkpoint"
        time.sleep(0.05)
    raise AssertionError("no checkpoint within 120 s")


def csvs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_a_run_killed_with_sigkill_resumes_to_the_same_files(tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    assert CliRunner().invoke(app, ["run", *ARGS, "--out", str(whole)]).exit_code == 0
    cut = tmp_path / "cut"
    proc = start(cut)
    done = wait_for_checkpoint(cut, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert 0 < done < 60 and not (cut / "runs.csv").exists()
    result = CliRunner().invoke(app, ["run", *ARGS, "--resume", str(cut)])
    assert result.exit_code == 0, result.output
    assert csvs(cut) == csvs(whole) and len(csvs(whole)) == 8
    assert not (cut / ".checkpoint.json").exists()
    assert json.loads((cut / "manifest.json").read_text())["status"] == "complete"


def test_ctrl_c_keeps_the_finished_replications_and_says_how_to_go_on(tmp_path: Path) -> None:
    cut = tmp_path / "cut"
    proc = start(cut)
    wait_for_checkpoint(cut, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "finished replications are kept in" in err and f"--resume {cut}" in err
    assert json.loads((cut / "manifest.json").read_text())["status"] == "interrupted"
    result = CliRunner().invoke(app, ["run", *ARGS, "--resume", str(cut)])
    assert result.exit_code == 0, result.output
    assert (cut / "summary.csv").is_file()


def test_a_resume_that_would_not_give_the_same_run_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut"
    proc = start(cut)
    wait_for_checkpoint(cut, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    other = [a if a != "horizon_days=100" else "horizon_days=110" for a in ARGS]
    for args, words in [
        (other, "started with another scenario (horizon_days differ)"),
        ([*ARGS, "--out", str(tmp_path / "x")], "give it without --out"),
    ]:
        result = CliRunner().invoke(app, ["run", *args, "--resume", str(cut)])
        assert result.exit_code == 2 and words in result.output, result.output
    done = CliRunner().invoke(app, ["run", *ARGS, "--resume", str(cut)])
    assert done.exit_code == 0
    again = CliRunner().invoke(app, ["run", *ARGS, "--resume", str(cut)])
    assert again.exit_code == 2 and "nothing to resume" in again.output
