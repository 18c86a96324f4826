"""What the command line prints, and how a user's mistake ends a command.

A ``ScenarioError`` from the library becomes one message on stderr and exit code 2,
never a traceback; every command prints through the same two consoles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer
from rich.console import Console

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def fail(message: object) -> NoReturn:
    """A user error: one line on stderr, exit code 2."""
    warn(f"error: {message}")
    raise typer.Exit(2)


def user_errors(fn: Callable[[], T]) -> T:
    from sim.scenario.errors import ScenarioError  # not at import: the package is heavy

    try:
        return fn()
    except ScenarioError as e:
        fail(e)


def say(text: str) -> None:
    """A line on stdout as written: no rich markup, highlighting or wrapping."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def warn(text: str) -> None:
    """A line on stderr as written (an error, an interruption): no markup or wrapping."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)
