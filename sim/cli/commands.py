"""The ``coalsim`` command line: parse, call the library, print.

User mistakes come back from the library as ``ScenarioError``; they are
printed as one message on stderr with exit code 2, never a traceback.

Commands import the library inside their bodies: the scenario package alone pulls in
pandas, SciPy and shapely, and ``coalsim --help`` should not wait for them.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import calibrate as calibrate_cmd
from sim.cli import checks, discover, optimise
from sim.cli.console import err, fail, out, say, user_errors, warn
from sim.cli.help import Command, Group
from sim.cli.options import (
    DaskLocal,
    MaxReplications,
    NoReport,
    PosteriorOpt,
    Resume,
    RunOut,
    RunReplications,
    RunResume,
    ScenarioArg,
    Scheduler,
    Seed,
    SetOpt,
    SweepFileArg,
    SweepReplications,
    SweepWorkers,
    TargetCi,
    TargetMetric,
    Workers,
)

if TYPE_CHECKING:  # imported by the commands that need them: the CLI starts faster
    from sim.experiment.sweep import SweepResult
    from sim.experiment.sweepfile import Sweep
    from sim.scenario import Scenario
    from sim.study.run import RunResult

app = typer.Typer(
    cls=Group,
    help="coalsim: maritime interdiction risk simulator for sanctioned coal shipments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(shown: bool) -> None:
    if shown:
        from sim import __version__

        say(f"coalsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            metavar="",
            callback=_version,
            is_eager=True,
            help="print the version and exit",
        ),
    ] = False,
) -> None:
    """coalsim: maritime interdiction risk simulator for sanctioned coal shipments."""


@app.command(cls=Command)
def run(
    scenario_file: ScenarioArg,
    replications: RunReplications = None,
    seed: Seed = None,
    set_: SetOpt = None,
    workers: Workers = None,
    out_dir: RunOut = None,
    target_ci: TargetCi = None,
    max_replications: MaxReplications = None,
    target_metric: TargetMetric = None,
    resume: RunResume = None,
    posterior: PosteriorOpt = None,
    no_report: NoReport = False,
) -> None:
    """Run a scenario's replications, save the results and write the report."""
    from sim import scenario as scn
    from sim.experiment.progress import progress
    from sim.metrics import evidence
    from sim.study.resume import resume_run, started
    from sim.study.run import (
        DEFAULT_MAX_REPLICATIONS,
        check_run_options,
        prepare_folder,
        run_scenario,
    )

    overrides = list(set_ or [])
    resolved = user_errors(
        lambda: scn.with_run_options(scn.load(scenario_file, overrides), replications, seed)
    )
    s = resolved.scenario
    if target_ci is None and (max_replications is not None or target_metric):
        fail("--max-replications and --target-metric only apply with --target-ci")
    most = DEFAULT_MAX_REPLICATIONS if max_replications is None else max_replications
    user_errors(lambda: check_run_options(s.replications, target_ci, target_metric, most, s))
    user_errors(lambda: evidence.check(s, str(scenario_file)))
    if resume is not None and (out_dir is not None or target_ci is not None):
        fail("--resume goes on in its own folder with the run's own replications: "
             "give it without --out and --target-ci")  # fmt: skip
    if resume is not None:  # before the banner: a folder that cannot be resumed says so first
        user_errors(lambda: started(resume))
    fitted = calibrate_cmd.posterior_option(posterior, s, scenario_file, resume, target_ci)
    folder = resume or user_errors(lambda: prepare_folder(out_dir, Path("results"), s.name))
    workers = _capped(workers)
    say(_run_banner(s, folder, target_ci, most))
    try:
        with progress(err, "run") as bar:
            result = user_errors(
                lambda: (
                    resume_run(resolved, folder, workers=workers, progress=bar)
                    if resume is not None
                    else run_scenario(
                        resolved,
                        folder,
                        overrides=overrides,
                        workers=workers,
                        progress=bar,
                        target_ci=target_ci,
                        target_metrics=target_metric,
                        max_replications=most,
                        posterior=fitted,
                    )
                )
            )
    except KeyboardInterrupt:
        again = f"coalsim run {_again(scenario_file, overrides, replications, seed)}"
        _run_interrupted(folder, given_out=out_dir is not None, resume=None if target_ci else again)
    except Exception as e:  # a replication failed, the disk is full, the pool broke
        _failed(e, f"{folder} holds no results (its manifest.json says failed)")
    _print_run_summary(s, result, target_ci)
    say(f"results written to {folder}")
    if not no_report:
        _report(folder)


def _run_banner(s: Scenario, folder: Path, target_ci: float | None, most: int) -> str:
    """The line a run starts with: what runs, how many times, with which seed, to where."""
    from sim.metrics.units import counted

    count = counted(s.replications, "replication")
    if target_ci is not None:  # the batches after the first are sized as the CIs narrow
        count += f" to start, up to {most} until the CI target is met"
    return f"coalsim: {s.name}, {count}, seed {s.seed} -> {folder}"


def _again(scenario: Path, overrides: list[str], replications: int | None, seed: int | None) -> str:
    """The arguments that give the same scenario again, for the resume hint."""
    bits = [str(scenario), *(f"--set {o}" for o in overrides)]
    bits += [f"--replications {replications}"] if replications is not None else []
    return " ".join(bits + ([f"--seed {seed}"] if seed is not None else []))


def _run_interrupted(folder: Path, given_out: bool, resume: str | None) -> NoReturn:
    """Ctrl-C or SIGTERM: say what is kept and how to go on (or start over); exit 130."""
    from sim.experiment.stream import read_checkpoint

    state = read_checkpoint(folder) if resume is not None else None
    if state is not None and state[0] > 0:
        warn(
            f"interrupted: {state[0]} finished replications are kept in {folder}; go on with: "
            f"{resume} --resume {folder}"
        )
        raise typer.Exit(130) from None
    again = (  # run never writes over a folder that has a manifest
        f"remove {folder} or give another --out to start over"
        if given_out
        else "run the command again to start over in a new folder"
    )
    warn(f"interrupted: {folder} holds no results (its manifest.json says interrupted); " + again)
    raise typer.Exit(130) from None


def _print_run_summary(s: Scenario, result: RunResult, target_ci: float | None) -> None:
    """The metrics table, its notes, the public figures the world names and, with
    --target-ci, which metrics met the target."""
    from sim.cli.run_table import record_table, summary_table
    from sim.metrics.displacement import run_ranges
    from sim.metrics.units import counted

    n_runs = len(result.runs)
    wide = out.width >= 110
    table, notes = summary_table(s.name, result.summary, n_runs, wide, run_ranges(s))
    out.print(table)
    for note in notes:
        say(note)
    if s.public_figures:
        out.print(record_table(s, result.summary))
    if target_ci is not None:
        reached = [x.metric for x in result.target if x.reached]
        missed = [f"{x.metric} ({100 * x.relative:.4g}%)" for x in result.target if not x.reached]
        say(
            f"target 95% CI half-width < {100 * target_ci:.4g}% of |mean| after "
            f"{counted(n_runs, 'replication')}: "
            f"reached for {', '.join(reached) or 'none'}"
            + (f"; not reached for {', '.join(missed)}" if missed else "")
        )


def _capped(workers: int | None) -> int | None:
    from sim.experiment.executors import cap_workers

    workers, note = cap_workers(workers)
    if note is not None:
        warn(note)
    return workers


def _failed(e: Exception, then: str) -> NoReturn:
    """A run or sweep that broke after it started: one message, exit 1, no traceback."""
    from sim.experiment.replications import ReplicationFailed

    if isinstance(e, typer.Exit):
        raise e
    text = str(e) if isinstance(e, ReplicationFailed) else f"{type(e).__name__}: {e}"
    warn(f"error: {text}; {then}")
    raise typer.Exit(1) from None


def _report(folder: Path) -> None:
    """Write a folder's report; a failure leaves the saved results as they are (exit 1)."""
    from sim.report import write_report

    if calibrate_cmd.kind(folder) == "calibration":
        from sim.calibrate.report import write_calibration_report as write_report
    try:
        page = user_errors(lambda: write_report(folder))
    except typer.Exit:
        raise
    except Exception as e:  # the results are saved; say how to retry, keep the traceback out
        warn(
            f"error: the report failed ({type(e).__name__}: {e}); the results are saved, "
            f"retry with: coalsim report {folder}"
        )
        raise typer.Exit(1) from None
    say(f"report written to {page} (and report.pdf, figures/)")


@app.command(cls=Command)
def report(
    results_dir: Annotated[
        Path, typer.Argument(help="a run or sweep results folder", metavar="RESULTS_DIR")
    ],
) -> None:
    """Write figures/, report.html and report.pdf for a saved run or sweep."""
    _report(results_dir)


@app.command(cls=Command)
def compare(
    run_a: Annotated[Path, typer.Argument(help="results folder of run A", metavar="RUN_A")],
    run_b: Annotated[Path, typer.Argument(help="results folder of run B", metavar="RUN_B")],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="folder for compare.csv, compare.txt and figures/ "
            "(default: results/compare/<A>_vs_<B>/<time>)",
        ),
    ] = None,
) -> None:
    """Paired differences B - A of every metric, with 95% CIs, as a table and a figure."""
    from sim.report import compare as cmp

    if out_dir is not None:  # refuse a results folder before any work
        user_errors(lambda: cmp.check_out(out_dir))
    c = user_errors(lambda: cmp.compare_runs(run_a, run_b))
    # Names are never broken: piped, or in a terminal too narrow for the table, it is
    # printed as wide as it needs, on a console of its own (`out` stays as it is).
    table, width = cmp.rich_table(c, out.width if out.is_terminal else None)
    wide = out
    if width > out.width:  # rich types the property `str`; it holds the literal Console takes
        system = out.color_system
        wide = Console(width=width, force_terminal=out.is_terminal, color_system=system)  # type: ignore[arg-type]
    wide.print(table)
    say(cmp.describe(c))
    folder = out_dir or cmp.default_folder(Path("results"), c)
    files = user_errors(lambda: cmp.write_comparison(c, folder))
    names = ", ".join(str(f.relative_to(folder)) for f in files)  # figures/compare.png ...
    say(f"comparison written to {folder} ({names})")


@app.command(cls=Command)
def sweep(
    sweep_file: SweepFileArg,
    workers: SweepWorkers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    resume: Resume = None,
    replications: SweepReplications = None,
    set_: SetOpt = None,
    out_dir: RunOut = None,
    posterior: PosteriorOpt = None,
    no_report: NoReport = False,
) -> None:
    """Run a sweep file's design; exit 1 if any replication failed."""
    from sim.experiment.progress import progress
    from sim.study.sweep import execute_sweep, prepare_sweep, select_executor

    prepared = user_errors(
        lambda: prepare_sweep(
            sweep_file,
            out=out_dir,
            resume=resume,
            overrides=list(set_ or []),
            replications=replications,
            posterior=posterior,
        )
    )
    sw = prepared.sweep
    total = sw.points * sw.replications
    workers = _capped(workers)
    executor = user_errors(lambda: select_executor(workers, scheduler, dask_local, total))
    try:
        folder = user_errors(prepared.make_folder)
    except typer.Exit:
        executor.close()
        raise
    say(_sweep_banner(sw, executor.describe(), folder))
    try:
        with progress(err, "sweep") as bar:
            result = user_errors(lambda: execute_sweep(prepared, executor, bar))
    except KeyboardInterrupt:
        warn(f"interrupted; continue with: coalsim sweep {sweep_file} --resume {folder}")
        raise typer.Exit(130) from None
    except Exception as e:  # the disk is full, the pool or the cluster broke
        _failed(e, f"continue with: coalsim sweep {sweep_file} --resume {folder}")
    finally:
        executor.close()
    _print_sweep_digest(result, sw)
    say(f"results written to {folder} ({', '.join(result.files)})")
    if not no_report:
        _report(folder)
    if result.failures:
        warn(
            f"error: {result.failures} of {result.replications} replications failed; "
            f"see {folder / 'failures.csv'}"
        )
        raise typer.Exit(1)


def _sweep_banner(sw: Sweep, where: str, folder: Path) -> str:
    """The line a sweep starts with: its design, its size, its seed, where it runs and writes."""
    return (
        f"coalsim: sweep {sw.name}, {sw.design.kind} design, {sw.points} points x "
        f"{sw.replications} replication{'s' if sw.replications != 1 else ''}, seed {sw.seed}, "
        f"on {where} -> {folder}"
    )


def _print_sweep_digest(result: SweepResult, sw: Sweep) -> None:
    """Each point's means (or each parameter's indices), never wrapped when piped."""
    from sim.cli.sweep_table import sweep_digest
    from sim.metrics.units import counted

    header, rows = sweep_digest(result, sw)
    table = Table(title=f"{sw.name}: " + ("sensitivity" if sw.design.kind in ("sobol", "morris")
                  else f"means over {counted(sw.replications, 'replication')}"))  # fmt: skip
    for name in header:
        left = name in ("point", "parameter")
        table.add_column(name, justify="left" if left else "right", no_wrap=not left, min_width=5)
    for row in rows:
        table.add_row(*row)
    (out if out.is_terminal else Console(width=1000)).print(table)  # piped: never wrapped
    if len(rows) < len(sw.design.rows) and header[0] == "point":
        say(f"({sw.points - len(rows)} more points in summary.csv)")


@app.command(cls=Command)
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="scenario or sweep files to check", metavar="FILE...")
    ],
) -> None:
    """Check scenario and sweep files (every design point); exit 2 if any is invalid."""
    from sim import scenario as scn
    from sim.metrics import evidence
    from sim.scenario.errors import ScenarioError
    from sim.study.sweep import is_sweep_file, prepare_sweep

    bad = 0
    for f in files:
        try:
            if is_sweep_file(f):
                sw = prepare_sweep(f, dry_run=True).sweep
                say(f"ok: {f} (sweep: {sw.design.kind}, {sw.points} points)")
            elif calibrate_cmd.is_targets_file(f):
                say(f"ok: {f} ({calibrate_cmd.checked_targets(f)})")
            else:
                evidence.check(scn.load(f).scenario, str(f))
                say(f"ok: {f}")
        except ScenarioError as e:
            warn(f"error: {e}")
            bad += 1
    if bad:
        raise typer.Exit(2)


@app.command(cls=Command)
def show(
    scenario_file: ScenarioArg,
    set_: SetOpt = None,
) -> None:
    """Print the fully resolved scenario as TOML (loads back to the same scenario)."""
    from sim import scenario as scn

    resolved = user_errors(lambda: scn.load(scenario_file, list(set_ or [])))
    sys.stdout.write(scn.dumps(resolved.scenario))


app.command(cls=Command)(checks.verify)
app.command(cls=Command)(checks.breakeven)
app.command(cls=Command)(discover.discover)
app.command(cls=Command)(calibrate_cmd.calibrate)
app.command(cls=Command)(optimise.optimise)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled wherever Ctrl-C is.

    A subclass rather than ``KeyboardInterrupt`` itself. A SIGTERM that landed while
    ``dataclasses`` ran the source of a method it builds with ``exec`` (the scenario's
    parameters are compiled into dataclasses at the start of a run) ended the process
    by SIGINT, status -2, although the command had handled it and exited 130: CPython
    flags a ``KeyboardInterrupt`` (that class exactly) leaving ``exec``'d code as
    unhandled. Stopped by SIGTERM early in a run on a loaded machine, 12 of 60 runs ended
    so before (each one inside such code); none of 156 since. ``tests/test_hardening.py``'s
    SIGTERM test was the one that failed now and then."""


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, a scheduler's stop) ends a command as Ctrl-C does, so a run's or a
    sweep's manifest says ``interrupted`` and a sweep can be resumed."""
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    app()
