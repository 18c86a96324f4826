"""The Dask distributed executor: an existing cluster, or a LocalCluster started for the run.

Workers need the same version of the package installed (they import the
evaluation function by name); they need no shared file system, since
results come back to this process, which alone writes the files. Dask is
the optional ``cluster`` extra, so it is imported only when asked for.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sim.experiment.executors import default_window, windowed
from sim.scenario.errors import ScenarioError

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "install the cluster extra: pip install 'coalsim[cluster]'"

QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "60s",
    "distributed.admin.tick.interval": "10s",
    "distributed.worker.memory.monitor-interval": "10s",
}
"""A LocalCluster's workers without the diagnostics only a dashboard shows (none is
started): the sampling profiler walks the task's stack every 10 ms, and the monitors'
reads of /proc in the event loop's thread take the GIL from the model's thread
(benchmarks/README.md, "Dask's cost")."""


class DaskExecutor:
    """Runs tasks on a Dask cluster: ``address`` of a running scheduler, or ``local_workers``."""

    def __init__(
        self,
        address: str | None = None,
        *,
        local_workers: int | None = None,
        processes: bool = True,
        timeout_s: float = 10.0,
    ) -> None:
        if (address is None) == (local_workers is None):
            raise ValueError("give exactly one of address and local_workers")
        try:
            dist: Any = importlib.import_module("distributed")
        except ImportError:
            what = f"--scheduler {address}" if address else f"--dask-local {local_workers}"
            raise ScenarioError(f"{what}: Dask is not installed; {INSTALL_HINT}") from None
        self._cluster: Any = None
        if address is not None:
            self.label = f"Dask scheduler {address}"
            _check_address(dist, address)
            try:
                self._client: Any = dist.Client(address, timeout=timeout_s, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as e:
                raise ScenarioError(
                    f"--scheduler {address}: cannot connect to a Dask scheduler ({e})"
                ) from None
        else:
            self.label = f"Dask LocalCluster ({local_workers} workers)"
            config: Any = importlib.import_module("dask.config")
            with config.set(QUIET_WORKERS):
                self._cluster = dist.LocalCluster(
                    n_workers=local_workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            self._client = dist.Client(self._cluster, set_as_default=False)
        self.workers = max(1, sum(self._client.nthreads().values()))

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], window: int | None = None
    ) -> Iterator[tuple[int, R]]:
        dist: Any = importlib.import_module("distributed")
        client = self._client
        finished = dist.as_completed(loop=client.loop)

        def submit(task: T) -> Any:
            future = client.submit(fn, task, pure=False)
            finished.add(future)
            return future

        def wait_any(futures: set[Any]) -> set[Any]:
            done = {next(finished)}
            while finished.has_ready():
                done.add(next(finished))
            return done

        def result(future: Any) -> R:
            value: R = future.result()
            future.release()
            return value

        yield from windowed(
            submit,
            wait_any,
            result,
            tasks,
            window or default_window(self.workers),
        )

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        return f"{self.label}, {self.workers} threads"


def _check_address(dist: Any, address: str) -> None:
    """Reject a malformed address before a Client is half-built (its clean-up then hangs)."""
    try:
        scheme, location = dist.comm.addressing.parse_address(address)
        dist.comm.registry.get_backend(scheme)
        if scheme in ("tcp", "tls"):
            dist.comm.addressing.parse_host_port(location)
    except ValueError as e:
        raise ScenarioError(
            f"--scheduler {address}: not a Dask scheduler address ({e}); expected tcp://HOST:PORT"
        ) from None
