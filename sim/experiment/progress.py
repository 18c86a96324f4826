"""Progress of replications: a rich bar on a terminal, a few plain lines anywhere else.

On a terminal the bar shows the count, the rate and the time left. In CI
logs and pipes, where a bar would be a stream of control characters,
it prints a line at the start, one each time another tenth is done, and
one at the end: plain text, no escape codes, no carriage returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

Callback = Callable[[int, int], None]


def duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


class RateColumn(ProgressColumn):
    """Replications per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")


class PlainProgress:
    """A line at each tenth; the rate counts only what this process ran (not resumed work).

    A total that grows (a precision target adding a batch) starts the tenths again from
    where the count stands, so a run that goes on past its first batch keeps reporting."""

    def __init__(self, stream: IO[str], label: str, steps: int = 10) -> None:
        self.stream, self.label, self.steps = stream, label, steps
        self.t0 = time.monotonic()
        self.first: int | None = None
        self.shown = -1
        self.total: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.first is None:
            self.first = done
        if total != self.total:
            self.total, self.shown = total, -1
        step = self.steps if total <= 0 else done * self.steps // total
        if step <= self.shown:
            return
        self.shown = step
        elapsed = time.monotonic() - self.t0
        ran = done - self.first
        pct = 100 if total <= 0 else 100 * done // total
        line = f"{self.label}: {done}/{total} replications ({pct}%)"
        if ran > 0 and elapsed > 0:
            rate = ran / elapsed
            line += f", {rate:.1f}/s"
            line += f", {duration(elapsed)} elapsed" if done >= total else ""
            line += f", about {duration((total - done) / rate)} left" if done < total else ""
        self.stream.write(line + "\n")
        self.stream.flush()


@contextmanager
def progress(console: Console, label: str) -> Iterator[Callback]:
    """A ``(done, total)`` callback drawing on ``console``: a bar if it is a terminal."""
    if not console.is_terminal:
        yield PlainProgress(console.file, label)
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
