"""Tables written row by row as work finishes, and a checkpoint that says how much is whole.

A table grows under ``<name>.partial`` and takes its final name only when
the work is done, so a reader never mistakes it for a finished file. The
checkpoint records, atomically, how many units of work (sweep points) are
on disk and each table's size in bytes at that moment; after a crash or a
SIGKILL, ``reopen`` cuts every table back to that size, so the rows of a
half-written point disappear and the point simply runs again.

Values are formatted one by one (floats as ``%.10g``, as the results store
does), so a row's bytes depend only on its values, not on which rows
share a file or a write with it.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from sim.experiment import store
from sim.metrics.outputs import Column, Columns, Kind
from sim.scenario.errors import ScenarioError

PARTIAL = ".partial"
CHECKPOINT = ".checkpoint.json"
LOCK = ".lock"


def cell(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.10g}"
    try:
        return cell(value.item())  # numpy scalars
    except AttributeError:
        return str(value)


def column_cells(column: Column, kind: Kind) -> list[str]:
    """``cell`` of every value of a column of one kind, with the dispatch done once per
    column rather than once per value (a run's shipment log has some 27,000 cells)."""
    values = column.tolist() if isinstance(column, np.ndarray) else column
    try:
        if kind == "float":  # ``%`` formats a float a fifth faster than an f-string
            return ["" if v != v else "%.10g" % v for v in values]  # noqa: UP031
        if kind in ("int", "bool"):
            return ["" if v is None else str(v) for v in values]
    except TypeError:  # a value of another type (None): the general path says what to write
        pass
    return [v if type(v) is str else cell(v) for v in values]


def csv_lines(rows: Iterable[Sequence[Any]], formatted: bool = False) -> str:
    """CSV text of ``rows``; ``formatted`` when every value is already its cell's string."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if formatted:
        writer.writerows(rows)
        return buf.getvalue()
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()


_QUOTED = (",", '"', "\n", "\r")


def row_lines(columns: Sequence[list[str]]) -> str:
    """CSV text of rows given column by column as formatted cells.

    When no cell needs quoting (the usual case: numbers never do) and a row has two or
    more cells (the csv module quotes a lone empty cell), plain joins give the csv
    module's bytes several times faster; otherwise the csv module writes them.
    """
    text = "".join(["".join(cells) for cells in columns])
    if len(columns) < 2 or any(c in text for c in _QUOTED):
        return csv_lines(zip(*columns, strict=True), formatted=True)
    return "".join([",".join(row) + "\n" for row in zip(*columns, strict=True)])


class Table:
    """One CSV table growing at ``folder/<name>.partial``."""

    def __init__(self, folder: Path, name: str, columns: Sequence[str] | None) -> None:
        self.name = name
        self.final = folder / name
        self.path = folder / (name + PARTIAL)
        self.columns = list(columns) if columns is not None else None
        self._f: IO[str] | None = None
        self._hash = hashlib.sha256()  # of every byte written, for the checkpoint

    def create(self) -> None:
        self._f = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if self.columns is not None:
            self._write(csv_lines([self.columns]))

    def _write(self, text: str) -> None:
        assert self._f is not None
        self._f.write(text)
        self._hash.update(text.encode("utf-8"))

    def digest(self) -> str:
        return self._hash.hexdigest()

    def reopen(self, size: int, digest: str | None = None) -> None:
        """Continue after ``size`` bytes, cutting off anything written after the checkpoint;
        a file shorter than that, or whose first ``size`` bytes are not the ones the
        checkpoint saw (``digest``), is refused rather than trusted."""
        try:
            with open(self.path, "r+b") as f:
                head = f.read(size)
                if len(head) < size:
                    raise self._damaged(f"{len(head)} bytes, shorter than the {size} it")
                self._hash = hashlib.sha256(head)
                if digest is not None and self.digest() != digest:
                    raise self._damaged(f"its first {size} bytes differ from what it")
                f.truncate(size)
        except FileNotFoundError:
            raise self._damaged("missing, though it") from None
        self._f = open(self.path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        if self.columns is None and size > 0:
            with open(self.path, encoding="utf-8", newline="") as f:
                self.columns = next(csv.reader(f))

    def _damaged(self, what: str) -> ScenarioError:
        return ScenarioError(
            f"{self.path}: {what} recorded in {CHECKPOINT}; the folder's files are damaged, "
            "so it cannot be resumed: start it again in a new folder"
        )

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        self._write(csv_lines(rows))

    def append(self, table: Columns, lead: dict[str, Any] | None = None) -> None:
        """Append a table's rows; the first table with columns fixes the header.

        ``lead`` gives constant columns written before the table's own (a replication's
        number and seed). A later table whose columns differ is written under the first
        one's header: a column it lacks is left empty, one the header lacks is dropped.
        """
        if not table.data:
            return
        lead = lead or {}
        n = table.rows
        cells = {name: [cell(v)] * n for name, v in lead.items()}
        cells |= {k: column_cells(v, table.kinds[k]) for k, v in table.data.items()}
        if self.columns is None:
            self.columns = list(cells)
            self.rows([self.columns])
        empty = [""] * n
        self._write(row_lines([cells.get(c, empty) for c in self.columns]))  # hashed too

    def size(self) -> int:
        assert self._f is not None
        self._f.flush()
        return self._f.tell()

    def sync(self) -> None:
        assert self._f is not None
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None

    def finish(self) -> None:
        """Give the whole table its final name (idempotent, for a resumed finish)."""
        self.close()
        if self.path.exists():
            if self.columns is None:  # no rows ever: an empty file, not a missing one
                self.path.touch()
            os.replace(self.path, self.final)

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def write_checkpoint(folder: Path, done: int, tables: Sequence[Table]) -> None:
    for t in tables:
        t.sync()
    sizes = {t.name: t.size() for t in tables}
    sha256 = {t.name: t.digest() for t in tables}
    state = {"done": done, "sizes": sizes, "sha256": sha256}
    store.write_atomic(folder / CHECKPOINT, json.dumps(state) + "\n")


def read_checkpoint(folder: Path) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """Points done, each table's size and the SHA-256 of its bytes (none in checkpoints of
    sweeps started before they were recorded)."""
    try:
        data = json.loads((folder / CHECKPOINT).read_text())
        sizes = {str(k): int(v) for k, v in data["sizes"].items()}
        return int(data["done"]), sizes, {str(k): str(v) for k, v in data.get("sha256", {}).items()}
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as e:
        raise ScenarioError(f"{folder}: damaged checkpoint {CHECKPOINT} ({e})") from None


class FolderLock:
    """An exclusive lock on a results folder, released by the OS if the process dies.

    ``remove``: delete the lock file on release (a run's folder, once written, is never
    written again, and every writer checks the folder for a manifest under the lock).
    """

    def __init__(self, folder: Path, remove: bool = False) -> None:
        self.folder = folder
        self.remove = remove
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ScenarioError(
                f"{self.folder}: another coalsim process is writing to this folder"
            ) from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            if self.remove:
                (self.folder / LOCK).unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None
