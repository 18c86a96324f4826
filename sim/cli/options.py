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
    "relative_speed",
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

# The run and sweep commands' own options, named here so their signatures read as a list.
RunReplications = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="replications to run (default: the scenario's)"),
]
Seed = Annotated[
    int | None, typer.Option(min=0, metavar="S", help="root seed (default: the scenario's)")
]
TargetCi = Annotated[
    float | None,
    typer.Option(
        metavar="FRACTION",
        help="add replications until every headline metric's 95% CI half-width "
        "is below this fraction of its mean (> 0, e.g. 0.05)",
    ),
]
MaxReplications = Annotated[
    int | None,
    typer.Option(
        min=1, metavar="N", help="most replications a --target-ci run may use (default 1000)"
    ),
]
TargetMetric = Annotated[
    list[str] | None,
    typer.Option(
        metavar="METRIC", help="metric for --target-ci (repeatable; default: headline metrics)"
    ),
]
SweepFileArg = Annotated[Path, typer.Argument(help="sweep TOML file", metavar="SWEEP_FILE")]
SweepWorkers = Annotated[
    int | None,
    typer.Option(
        min=1,
        metavar="N",
        help="local worker processes (default: all cores); or --scheduler or --dask-local",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(metavar="ADDRESS", help="run on an existing Dask cluster: tcp://HOST:PORT"),
]
DaskLocal = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="start a Dask LocalCluster of N workers"),
]
Resume = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="continue an interrupted sweep in this folder"),
]
RunResume = Annotated[
    Path | None,
    typer.Option(
        "--resume",
        metavar="DIR",
        help="go on with an interrupted run in this folder (give the scenario and the "
        "--set, --replications and --seed it started with)",
    ),
]
SweepReplications = Annotated[
    int | None,
    typer.Option(min=1, metavar="N", help="replications per point (overrides the file)"),
]
PosteriorOpt = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="FILE",
        help="draw each replication's fitted parameters from a calibration's posterior.csv "
        "(same seeds as without; intervals then carry parameter and stochastic uncertainty)",
    ),
]
