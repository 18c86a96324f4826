"""``coalsim discover SWEEP_DIR --where "METRIC < X"``: PRIM scenario discovery over a saved
sweep; registered on the app by ``sim.cli.commands``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import say, user_errors


def discover(
    sweep_dir: Annotated[
        Path, typer.Argument(help="a finished sweep's results folder", metavar="SWEEP_DIR")
    ],
    where: Annotated[
        str,
        typer.Option(
            "--where",
            metavar="CONDITION",
            help='the condition of interest on a point\'s means, e.g. "tonnes_delivered < 1e6" '
            "(metric names and units as in runs.csv; combine with and, or, brackets)",
        ),
    ],
    box: Annotated[
        int | None,
        typer.Option(
            "--box",
            metavar="N",
            help="show box N of the peeling trajectory (default: the best balance of coverage "
            "and density)",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="folder for the discovery (default: SWEEP_DIR/discovery/<condition>)",
        ),
    ] = None,
) -> None:
    """The boxes of inputs where a condition holds (PRIM), with the coverage-density trade-off."""
    from sim.experiment.store import check_out
    from sim.report import discovery as dv

    if out_dir is not None:  # refuse another command's folder before any work
        user_errors(lambda: check_out(out_dir, dv.MARKER))
    found = user_errors(lambda: dv.discover_sweep(sweep_dir, where, box))
    for line in dv.describe(found):
        say(line)
    folder = out_dir or dv.default_out(found)
    files = user_errors(lambda: dv.write_discovery(found, folder))
    say(f"discovery written to {folder} ({', '.join(str(f.relative_to(folder)) for f in files)})")
    if out_dir is None:
        say(f"the sweep's report lists it once rewritten: coalsim report {sweep_dir}")
