"""A run folder's tables as replications finish, and the checkpoint that lets an
interrupted run go on where it stopped (``coalsim run --resume``).

The checkpoint names how many replications are whole on disk and each table's size
and SHA-256 at that moment. It is taken in memory after every replication (a flush,
no disk sync) and made durable every few seconds and when the run is interrupted, so a
SIGKILL loses at most those seconds of work; resuming cuts each table back to the
checkpoint and runs the rest. A run's files never depend on where it was cut.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from sim.experiment import store
from sim.experiment.replications import ReplicationResult
from sim.experiment.stream import CHECKPOINT, Table

DURABLE_SECONDS = 2.0
"""How often the checkpoint is synced to disk while a run goes on; the environment
variable COALSIM_CHECKPOINT_SECONDS sets another interval (0: after every replication,
as the tests of resuming do)."""


def durable_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("COALSIM_CHECKPOINT_SECONDS", DURABLE_SECONDS)))
    except ValueError:
        return DURABLE_SECONDS


class RunWriter:
    """The run's tables, growing as replications finish: runs.csv, and each table the
    model returns in a file of its name, created when the model first returns it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = Table(folder, "runs.csv", None)
        self.runs.create()
        self.tables = [self.runs]
        self.named: dict[str, Table] = {}
        self.done = 0
        self._state: dict[str, Any] = {"done": 0, "sizes": {}, "sha256": {}}
        self._durable_at = time.monotonic()
        self._every = durable_seconds()

    @classmethod
    def reopened(
        cls, folder: Path, done: int, sizes: dict[str, int], sha: dict[str, str]
    ) -> RunWriter:
        """The writer of an interrupted run, its tables cut back to the checkpoint."""
        self = cls.__new__(cls)
        self.folder, self.done, self.named = folder, done, {}
        self.runs = Table(folder, "runs.csv", None)
        self.tables = [self.runs]
        for name in sizes:
            if name != "runs.csv":
                self.named[name.removesuffix(".csv")] = table = Table(folder, name, None)
                self.tables.append(table)
        for t in self.tables:
            t.reopen(sizes.get(t.name, 0), sha.get(t.name))
        self._state = {"done": done, "sizes": sizes, "sha256": sha}
        self._durable_at = time.monotonic()
        self._every = durable_seconds()
        return self

    def write(self, row: dict[str, Any], r: ReplicationResult) -> None:
        runs_t = self.runs
        if runs_t.columns is None:
            runs_t.columns = list(row)
            runs_t.rows([runs_t.columns])
        runs_t.rows([[row.get(c) for c in runs_t.columns]])
        for name, table in r.outputs.tables.items():
            if name not in self.named:
                self.named[name] = Table(self.folder, f"{name}.csv", None)
                self.named[name].create()
                self.tables.append(self.named[name])
            self.named[name].append(table, {"replication": r.replication, "seed": r.seed})
        self.done += 1
        self._state = {
            "done": self.done,
            "sizes": {t.name: t.size() for t in self.tables},
            "sha256": {t.name: t.digest() for t in self.tables},
        }
        if time.monotonic() - self._durable_at >= self._every:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Sync the tables and record the last whole replication's state."""
        for t in self.tables:
            t.sync()
        store.write_atomic(self.folder / CHECKPOINT, json.dumps(self._state) + "\n")
        self._durable_at = time.monotonic()

    def pause(self) -> None:
        """Keep what is whole for a resume: the checkpoint, then the files closed."""
        self.checkpoint()
        for t in self.tables:
            t.close()

    def finish(self) -> None:
        for t in self.tables:
            t.finish()
        (self.folder / CHECKPOINT).unlink(missing_ok=True)

    def discard(self) -> None:
        for t in self.tables:
            t.discard()
        (self.folder / CHECKPOINT).unlink(missing_ok=True)

    def files(self) -> list[str]:
        return sorted(["runs.csv", "summary.csv", *(f"{name}.csv" for name in self.named)])
