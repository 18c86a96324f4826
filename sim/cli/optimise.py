"""``coalsim optimise PROBLEM``: the best enforcement plan within a budget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.console import err, say, user_errors, warn
from sim.cli.options import DaskLocal, RunOut, Scheduler, SweepWorkers

ProblemArg = Annotated[
    Path, typer.Argument(help="optimisation problem TOML file", metavar="PROBLEM")
]
OptResume = Annotated[
    Path | None,
    typer.Option("--resume", metavar="DIR", help="continue an interrupted optimisation"),
]
Trials = Annotated[
    int | None,
    typer.Option(min=1, max=10_000, metavar="N", help="plans to try (overrides search.trials)"),
]


def optimise(
    problem_file: ProblemArg,
    workers: SweepWorkers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    resume: OptResume = None,
    out_dir: RunOut = None,
    trials: Trials = None,
) -> None:
    """Search decision variables for the best plan within a budget; exit 2 if none fits."""
    from sim.cli.commands import _capped, _failed
    from sim.experiment.progress import progress
    from sim.study.optimise_run import make_folder, prepare, run_optimisation
    from sim.study.sweep import select_executor

    problem, folder = user_errors(lambda: prepare(problem_file, out_dir, resume, trials))
    s = problem.spec.search
    executor = user_errors(
        lambda: select_executor(_capped(workers), scheduler, dask_local, s.batch * s.replications)
    )
    try:
        folder = folder or user_errors(lambda: make_folder(problem, out_dir))
        say(
            f"coalsim: optimise {problem.name}, {len(problem.spec.variables)} variables, "
            f"{s.trials} plans x {s.replications} replications, seed {problem.seed}, "
            f"on {executor.describe()} -> {folder}"
        )
        with progress(err, "optimise") as bar:
            outcome = user_errors(lambda: run_optimisation(problem, folder, executor, bar))
    except KeyboardInterrupt:
        warn(f"interrupted; continue with: coalsim optimise {problem_file} --resume {folder}")
        raise typer.Exit(130) from None
    except Exception as e:  # a replication failed, the disk is full, the cluster broke
        _failed(e, f"continue with: coalsim optimise {problem_file} --resume {folder}")
    finally:
        executor.close()
    say(outcome.text)
    figure = outcome.figure
    figure = figure.relative_to(folder) if figure.is_relative_to(folder) else figure
    say(f"results written to {folder} (plans.csv, trials.csv, optimise.txt, {figure})")
