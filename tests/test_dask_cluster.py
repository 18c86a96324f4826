"""A sweep on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, driven through ``coalsim sweep --scheduler``; its files must be byte for byte
those of the serial run. The processes are torn down whatever happens, and each has a
timeout of its own (the scheduler's idle timeout, the workers' death timeout) in case
this process is killed before it can."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("design.csv", "runs.csv", "summary.csv", "failures.csv")
SWEEP = """
base = "base.toml"
replications = 3
[design]
kind = "grid"
[design.parameters]
"patrols.bohai_strait_patrol.vessels" = [0, 4]
"enforcement.fine_rmb" = [0.0, 2.4e6]
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process group (a worker's nanny has a child), SIGKILL if it lingers."""
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    dask = Path(sys.executable).parent / "dask"
    cli = [str(dask)] if dask.exists() else [sys.executable, "-m", "dask"]
    folder = tmp_path_factory.mktemp("cluster")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    common = ["--no-dashboard", "--host", "127.0.0.1"]
    commands = [
        [*cli, "scheduler", "--port", port, "--idle-timeout", "300s", *common],
        *[
            [*cli, "worker", address, "--nthreads", "1", "--death-timeout", "30", *common]
            for _ in range(2)
        ],
    ]
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for cmd in commands:
            logs.append(log := open(folder / f"{len(procs)}.log", "wb"))  # noqa: SIM115
            procs.append(
                subprocess.Popen(
                    cmd, cwd=folder, env=env, stdout=log, stderr=log, start_new_session=True
                )
            )
        with distributed.Client(address, timeout=20, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=30)
        yield address
    finally:
        stop(procs)
        for log in logs:
            log.close()


def start_sweep(folder: Path, *options: str) -> subprocess.Popen[str]:
    (folder / "base.toml").write_text("horizon_days = 30\n")
    (folder / "sweep.toml").write_text(SWEEP)
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(folder / "sweep.toml"), "--no-report",
         "--out", str(folder / "out"), *options],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def test_sweep_on_a_dask_cluster_matches_serial(scheduler: str, tmp_path: Path) -> None:
    runs = {}
    try:  # the serial reference runs here while the cluster works
        for name, options in (
            ("serial", ["--workers", "1"]),
            ("cluster", ["--scheduler", scheduler]),
        ):
            (tmp_path / name).mkdir()
            runs[name] = start_sweep(tmp_path / name, *options)
        said = {name: p.communicate(timeout=120) for name, p in runs.items()}
    finally:
        for p in runs.values():
            if p.poll() is None:  # timed out: leave nothing running
                p.kill()
                p.wait()
    for name, p in runs.items():
        assert p.returncode == 0, said[name][1]
    assert f"on Dask scheduler {scheduler}, 2 threads" in said["cluster"][0]
    serial, cluster = tmp_path / "serial" / "out", tmp_path / "cluster" / "out"
    for table in TABLES:
        assert (serial / table).read_bytes() == (cluster / table).read_bytes(), table
    assert len((cluster / "runs.csv").read_text().splitlines()) == 1 + 4 * 3
