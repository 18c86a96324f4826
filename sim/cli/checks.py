"""The checking commands, ``coalsim verify`` and ``coalsim breakeven``: the model against
theory and each party's break-even, each a table, a report and an exit code.

Registered on the app by ``sim.cli``; they import their suites only when run, since
the suites pull in the model and matplotlib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.console import err, out, say, user_errors
from sim.cli.options import BreakevenOut, Checks, ScenarioArg, SetOpt, VerifyOut, Workers


def verify(
    quick: Annotated[
        bool,
        typer.Option("--quick", metavar="", help="the short suite: fewer points, under a minute"),
    ] = False,
    check: Checks = None,
    workers: Workers = None,
    out_dir: VerifyOut = None,
) -> None:
    """Check the model's mechanics against theory; exit 1 if any check fails."""
    from sim.study.run import prepare_folder
    from sim.verify import report as vr
    from sim.verify import run_suite
    from sim.verify.suite import check_keys

    user_errors(lambda: check_keys(check))  # before any folder is made
    folder = user_errors(lambda: prepare_folder(out_dir, Path("results"), "verify", "verify.csv"))
    say(f"coalsim verify ({'quick' if quick else 'full'} suite) -> {folder}")
    suite = user_errors(
        lambda: run_suite(
            quick,
            only=check,
            workers=workers,
            progress=lambda c: say(f"  {vr.result(c.passed)}  {c.title} ({c.seconds:.1f} s)"),
        )
    )
    for title, caption, body in vr.sections(suite):
        table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
        for name in vr.SECTION_COLUMNS:
            table.add_column(name, justify="left" if name == "point" else "right")
        for row in body:
            table.add_row(*row)
        out.print(table)
        out.print()
    files = user_errors(lambda: vr.write(suite, folder))
    say(vr.summary_line(suite))
    say(f"results written to {folder} ({', '.join(f.name for f in files[:3])}, figures/)")
    if not suite.passed:
        raise typer.Exit(1)


def breakeven(
    scenario_file: ScenarioArg,
    set_: SetOpt = None,
    replications: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="replications of the check world per simulated point"
        ),
    ] = 2,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            metavar="",
            help="fewer simulated worlds: one interception chance either side of each "
            "break-even (not two) and two reward levels (not four)",
        ),
    ] = False,
    out_dir: BreakevenOut = None,
) -> None:
    """Each party's break-even, by hand and by simulation; exit 1 if one is on the wrong side.

    A simulated point falls on the wrong side when its profit's sign contradicts the break-even
    worked out by hand."""
    from sim import scenario as scn
    from sim.study.run import prepare_folder
    from sim.verify import breakeven_report as be

    resolved = user_errors(lambda: scn.load(scenario_file, list(set_ or [])))
    name = resolved.scenario.name
    folder = user_errors(
        lambda: prepare_folder(out_dir, Path("results") / "breakeven", name, "breakeven.csv")
    )
    a = be.analyse(resolved, quick=quick, replications=replications)
    table = Table(title=f"{name}: break-even of each party")
    for col in be.COLUMNS[:-1]:  # formulas are listed below the table
        table.add_column(col)
    rows = be.rows(a)
    for row in rows:
        table.add_row(*row[:-1])
    out.print(table)
    for row, party in zip(rows, a.parties, strict=True):
        say(f"{row[0]}, {row[1]}: {row[-1]}" + (f"; {party.note}" if party.note else ""))
    say(be.describe(a))
    terms = Table(title=f"{name}: the buyer's terms per deal (RMB)")
    for col in be.TERMS_HEADER:
        terms.add_column(col)
    for row in be.terms_rows(a):
        terms.add_row(*row)
    out.print(terms)
    say(be.TERMS_NOTE)
    say(be.decision_note(a))
    files = user_errors(lambda: be.write(a, folder))
    say(f"{len(a.points)} simulated points in {a.seconds:.1f} s")
    say(f"results written to {folder} ({', '.join(f.name for f in files[:3])}, figures/)")
    if not a.passed:
        err.print("error: a simulated point lies on the wrong side of zero", markup=False)
        raise typer.Exit(1)
