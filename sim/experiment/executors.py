"""Executors: ways of mapping a function over tasks, behind one interface.

Every executor offers ``imap_unordered(fn, tasks, window)``: it yields
``(task index, result)`` pairs as tasks finish, and never lets a task start
more than ``window`` places ahead of the oldest unfinished one. That bound
keeps memory flat however many tasks there are (results that finish early
wait for at most ``window`` predecessors), and callers that need task order
restore it with :func:`ordered`. Output files never depend on which executor
ran them or how many workers it had, because callers write in task order.

The serial executor is the reference; the local process pool and the Dask
executor (``sim.experiment.dask_executor``) must match it byte for byte.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs tasks somewhere; ``workers`` is how many run at once."""

    workers: int

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], window: int | None = None
    ) -> Iterator[tuple[int, R]]: ...

    def close(self) -> None: ...

    def describe(self) -> str: ...


def default_window(workers: int) -> int:
    """Tasks allowed in flight: enough to keep every worker busy, few enough to stay small."""
    return 4 * workers + 4


def windowed(
    submit: Callable[[T], Any],
    wait_any: Callable[[set[Any]], set[Any]],
    result: Callable[[Any], R],
    tasks: Iterable[T],
    window: int,
) -> Iterator[tuple[int, R]]:
    """The look-ahead rule shared by the pooled executors.

    ``submit`` starts a task and returns a handle, ``wait_any`` blocks until at
    least one handle of the set is done and returns the done ones, ``result``
    gets a done handle's value (re-raising its error).
    """
    source = enumerate(tasks)
    pending: dict[Any, int] = {}
    unfinished: set[int] = set()
    exhausted = False
    next_index = 0

    def fill() -> None:
        nonlocal exhausted, next_index
        while not exhausted and next_index < min(unfinished, default=next_index) + window:
            try:
                i, task = next(source)
            except StopIteration:
                exhausted = True
                return
            pending[submit(task)] = i
            unfinished.add(i)
            next_index = i + 1

    fill()
    while pending:
        for handle in sorted(wait_any(set(pending)), key=pending.__getitem__):
            i = pending.pop(handle)
            value = result(handle)
            unfinished.discard(i)
            yield i, value
        fill()


def ordered(pairs: Iterable[tuple[int, R]]) -> Iterator[R]:
    """Results of ``imap_unordered`` back in task order (buffering at most the window)."""
    buffer: dict[int, R] = {}
    want = 0
    for i, value in pairs:
        buffer[i] = value
        while want in buffer:
            yield buffer.pop(want)
            want += 1


class SerialExecutor:
    """Runs everything in this process, in order; the reference the others must match."""

    workers = 1

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], window: int | None = None
    ) -> Iterator[tuple[int, R]]:
        for i, task in enumerate(tasks):
            yield i, fn(task)

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        return map(fn, tasks)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "serial"


def _worker_init(parent: int) -> None:
    """Leave Ctrl-C to the parent, and exit if the parent dies (even by SIGKILL); SIGTERM
    ends a worker outright (the parent's handler turns it into Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


class ProcessExecutor:
    """A local pool of worker processes, started on first use and kept until ``close``."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_worker_init, initargs=(os.getpid(),)
            )
        return self._pool

    def imap_unordered(
        self, fn: Callable[[T], R], tasks: Iterable[T], window: int | None = None
    ) -> Iterator[tuple[int, R]]:
        pool = self._get_pool()

        def wait_any(handles: set[Future[R]]) -> set[Future[R]]:
            return set(wait(handles, return_when=FIRST_COMPLETED).done)

        try:
            yield from windowed(
                lambda t: pool.submit(fn, t),
                wait_any,
                lambda f: f.result(),
                tasks,
                window or default_window(self.workers),
            )
        except BaseException:
            self.close(cancel=True)
            raise

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        return ordered(self.imap_unordered(fn, tasks))

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
            self._pool = None

    def describe(self) -> str:
        return f"local processes ({self.workers})"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


FORCE_WORKERS = "COALSIM_FORCE_WORKERS"


def cap_workers(workers: int | None) -> tuple[int | None, str | None]:
    """``--workers`` at most the cores this process may use, and a note when it was cut:
    more processes than cores only share them, each with a model's memory. The
    environment variable ``COALSIM_FORCE_WORKERS=1`` keeps the number asked for."""
    cores = default_workers()
    if workers is None or workers <= cores or os.environ.get(FORCE_WORKERS) == "1":
        return workers, None
    return cores, (
        f"note: --workers {workers} capped at {cores}, the cores available "
        f"(set {FORCE_WORKERS}=1 to start {workers} processes anyway)"
    )


def make_executor(workers: int | None, n_tasks: int) -> Executor:
    """Serial for one worker or one task, else a local process pool."""
    n = min(workers or default_workers(), n_tasks)
    return SerialExecutor() if n <= 1 else ProcessExecutor(n)
