"""The ``coalsim`` command line: parse, call the library, print.

User mistakes come back from the library as ``ScenarioError``; they are
printed as one message on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from sim import scenario as scn
from sim.errors import ScenarioError
from sim.metrics import METRICS

app = typer.Typer(
    help="coalsim: maritime interdiction risk simulator for sanctioned coal shipments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)
T = TypeVar("T")

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a key: key.path=value (repeatable)", metavar="KEY=VALUE"),
]


def _user_errors(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ScenarioError as e:
        err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def human(x: float) -> str:
    """Numbers as an analyst reads them: 1.2 M, 340 k, 0.127."""
    if isinstance(x, float) and math.isnan(x):
        return "n/a"
    a = abs(x)
    for div, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="scenario TOML file", metavar="SCENARIO")],
    replications: Annotated[int | None, typer.Option(min=1, help="replications to run")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="root seed")] = None,
    set_: SetOpt = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="worker processes (default: all cores)")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="results folder (default: results/<name>/<time>)")
    ] = None,
) -> None:
    """Run a scenario's replications and save the results."""
    from sim.run import prepare_folder, run_scenario

    overrides = list(set_ or [])
    if replications is not None:
        overrides.append(f"replications={replications}")
    if seed is not None:
        overrides.append(f"seed={seed}")
    resolved = _user_errors(lambda: scn.load(scenario_file, overrides))
    s = resolved.scenario
    folder = _user_errors(lambda: prepare_folder(out_dir, Path("results"), s.name))
    out.print(
        f"coalsim: {s.name}, {s.replications} replications, seed {s.seed} -> {folder}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if sys.stderr.isatty():
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("replications", total=s.replications)
            result = run_scenario(
                resolved,
                folder,
                overrides=overrides,
                workers=workers,
                progress=lambda n: bar.update(task, completed=n),
            )
    else:
        result = run_scenario(resolved, folder, overrides=overrides, workers=workers)
    wide = out.width >= 110
    table = Table(title=f"{s.name}: mean and 95% CI over {s.replications} replications")
    table.add_column("metric", no_wrap=True)
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("95% CI", justify="right", no_wrap=True)
    if wide:
        table.add_column("meaning")
    for row in result.summary.to_dict("records"):
        lo, hi, n = float(row["ci95_low"]), float(row["ci95_high"]), int(row["n"])
        ci = f"{human(lo)} .. {human(hi)}" if n > 1 else "n/a"
        name = str(row["metric"])
        cells = [name, human(float(row["mean"])), ci]
        table.add_row(*cells, *([METRICS[name]] if wide else []))
    out.print(table)
    out.print(f"results written to {folder}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="scenario files to check", metavar="FILE...")],
) -> None:
    """Check scenario files; exit 2 if any is invalid."""
    bad = 0
    for f in files:
        try:
            scn.load(f)
            out.print(f"ok: {f}", markup=False, highlight=False, soft_wrap=True)
        except ScenarioError as e:
            err.print(f"error: {e}", markup=False, highlight=False, soft_wrap=True)
            bad += 1
    if bad:
        raise typer.Exit(2)


@app.command()
def show(
    scenario_file: Annotated[Path, typer.Argument(help="scenario TOML file", metavar="SCENARIO")],
    set_: SetOpt = None,
) -> None:
    """Print the fully resolved scenario as TOML (loads back to the same scenario)."""
    resolved = _user_errors(lambda: scn.load(scenario_file, list(set_ or [])))
    sys.stdout.write(scn.dumps(resolved.scenario))


def main() -> None:
    app()
