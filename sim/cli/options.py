"""The command line's shared options, declared once so that every command that takes
``--workers``, ``--out`` or ``--no-report`` shows and checks them alike.

Each option names what it takes (``N``, ``DIR``, ``KEY=VALUE``): typer would show a
Python type (``<int range>``, ``list[str]``) and ``<bool>`` after a flag that takes
no value, which reads as if ``--no-report true`` were allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CHECK_NAMES = (
    "random_search",
    "integrated_hazard",
    "tips",
    "break_even",
    "investigations",
    "money",
    "little",
    "determinism",
    "route_choice",
    "boarding",
    "patrol_cycle",
    "timing",
    "tip_geometry",
    "rewards",
    "beliefs",
    "entry",
    "enforcement",
)
"""``sim.verify.suite.CHECKS``'s keys, spelled out for ``verify --help``: importing the suite
costs the CLI most of a second (a test keeps the two the same)."""

ScenarioArg = Annotated[Path, typer.Argument(help="scenario TOML file", metavar="SCENARIO")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="override a key: key.path=value, the value written as in TOML (true, 5.0, "
        '"text", [1, 2]); repeatable',
        metavar="KEY=VALUE",
    ),
]
Workers = Annotated[
    int | None, typer.Option(min=1, metavar="N", help="worker processes (default: all cores)")
]
RunOut = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="results folder (default: results/<name>/<time>)"),
]
VerifyOut = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="results folder (default: results/verify/<time>)"),
]
BreakevenOut = Annotated[
    Path | None,
    typer.Option(
        "--out", metavar="DIR", help="results folder (default: results/breakeven/<name>/<time>)"
    ),
]
NoReport = Annotated[
    bool,
    typer.Option("--no-report", metavar="", help="skip the plotted report (figures, HTML, PDF)"),
]
Checks = Annotated[
    list[str] | None,
    typer.Option(
        "--check",
        metavar="NAME",
        help=f"run only this check (repeatable): {', '.join(CHECK_NAMES)}",
    ),
]
