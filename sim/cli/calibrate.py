"""``coalsim calibrate``: fit a world's uncertain parameters to observed figures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sim.cli.console import err, fail, out, say, user_errors, warn
from sim.cli.options import DaskLocal, NoReport, RunOut, Scheduler, Seed, SweepWorkers

if TYPE_CHECKING:
    import pandas as pd

    from sim.calibrate.posterior import Posterior
    from sim.calibrate.run import CalibrationResult
    from sim.calibrate.schema import Target
    from sim.scenario import Scenario

TargetsArg = Annotated[Path, typer.Argument(help="targets TOML file", metavar="TARGETS")]
Budget = Annotated[
    int | None,
    typer.Option(
        min=40,
        metavar="N",
        help="simulations in all (default: the file's, or 1200); the least a file allows "
        "grows with its parameters and waves, and a budget below it is refused with that least",
    ),
]
CalResume = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="continue an interrupted calibration in this folder"),
]


def calibrate(
    targets_file: TargetsArg,
    budget: Budget = None,
    workers: SweepWorkers = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    resume: CalResume = None,
    out_dir: RunOut = None,
    seed: Seed = None,
    no_report: NoReport = False,
) -> None:
    """Fit a world's parameters to observed figures (history matching, GP emulators)."""
    from sim.calibrate import run as cal
    from sim.calibrate.engine import plan
    from sim.calibrate.targets import load_targets
    from sim.cli.commands import _capped, _failed, _report
    from sim.experiment.progress import progress
    from sim.study.run import prepare_folder
    from sim.study.sweep import select_executor

    if resume is not None and out_dir is not None:
        user_errors(lambda: _refuse("--resume and --out: give one; --resume goes on in its folder"))
    if resume is not None and seed is None:
        seed = user_errors(lambda: cal.started_seed(resume))
    targets = user_errors(lambda: load_targets(targets_file, seed, budget))
    user_errors(lambda: plan(targets))  # a budget too small is refused before any folder
    if resume is not None:
        user_errors(lambda: cal.check_resume(targets, resume))
    folder = resume or user_errors(lambda: prepare_folder(out_dir, Path("results"), targets.name))
    executor = user_errors(lambda: select_executor(_capped(workers), scheduler, dask_local, 1000))
    say(
        f"coalsim: calibrate {targets.name} ({', '.join(targets.paths)}) against "
        f"{len(targets.targets)} targets, budget {targets.spec.budget}, seed {targets.seed}, "
        f"on {executor.describe()} -> {folder}"
    )
    again = f"coalsim calibrate {targets_file} --resume {folder}"
    try:
        result = user_errors(
            lambda: cal.calibrate(
                targets,
                folder,
                executor,
                resume=resume is not None,
                progress=lambda label: progress(err, label),
                note=say,
            )
        )
    except KeyboardInterrupt:
        warn(f"interrupted; continue with: {again}")
        raise typer.Exit(130) from None
    except Exception as e:
        _failed(e, f"continue with: {again}")
    finally:
        executor.close()
    _print(result)
    say(f"results written to {folder} ({', '.join(result.files)})")
    if not no_report:
        _report(folder)


def _refuse(message: str) -> None:
    from sim.scenario.errors import ScenarioError

    raise ScenarioError(message)


FEW_WORLDS = 30
"""Below this effective sample size the posterior's quantiles rest on a handful of worlds."""


def _print(result: CalibrationResult) -> None:
    """The parameters' posteriors, the targets' check, and the parameters no target can
    constrain (their posterior is their prior)."""
    import pandas as pd

    params = pd.read_csv(result.folder / "parameters.csv")
    table = Table(title="posterior: median and 90% interval")
    for c in ("parameter", "prior", "posterior", "90% width / prior's", "constrained by"):
        left = c in ("parameter", "constrained by")
        table.add_column(c, justify="left" if left else "right", overflow="fold")
    for r in params.itertuples():
        table.add_row(
            str(r.parameter), f"{r.low:.4g} to {r.high:.4g}",
            f"{r.median:.4g} ({r.q05:.4g} to {r.q95:.4g})", f"{r.width_ratio:.0%}",
            str(r.constrained_by),
        )  # fmt: skip
    out.print(table)
    out.print(_check_table(pd.read_csv(result.folder / "check.csv"), result.fit.targets.targets))
    for p in result.unconstrained:
        warn(f"note: no target constrains {p}: its posterior is its prior, not a finding")
    if result.fit.ess < FEW_WORLDS:
        warn(
            f"note: the posterior rests on few worlds (effective sample size "
            f"{result.fit.ess:.0f}): its intervals are rough; a larger --budget steadies them"
        )


def _check_table(check: pd.DataFrame, targets: Sequence[Target]) -> Table:
    """Each target (``check.csv``'s rows, in the targets' order) against the posterior
    predictive, both in the metric's unit (kt, M RMB, %) as the run table shows them, not
    in the file's tonnes and yuan."""
    from sim.metrics.registry import definition
    from sim.metrics.units import number

    table = Table(title="targets against the posterior predictive (median, 90% interval)")
    for c in ("target", "unit", "observed", "simulated", "inside"):
        table.add_column(c, justify="left" if c in ("target", "unit") else "right")
    for r, t in zip(check.itertuples(), targets, strict=True):
        u = definition(str(r.metric)).unit
        observed = t.describe(lambda x: number(float(u(x))))  # noqa: B023 (called here)
        simulated = f"{number(float(u(r.median)))} ({number(float(u(r.q05)))} to "
        table.add_row(str(r.target), u.label, observed,
                      simulated + f"{number(float(u(r.q95)))})", str(r.inside))  # fmt: skip
    return table


def posterior_option(
    path: Path | None, s: Scenario, source: Path, resume: Path | None, target_ci: float | None
) -> Posterior | None:
    """The ``--posterior`` file, read and checked against the scenario's world."""
    if path is None:
        return None
    if resume is not None or target_ci is not None:
        fail("--posterior: not with --resume (it goes on with its own) or --target-ci")
    from sim.calibrate.posterior import read_posterior
    from sim.calibrate.predictive import check_world

    fitted = user_errors(lambda: read_posterior(path))
    user_errors(lambda: check_world(fitted, s.model_dump(mode="json"), str(source)))
    return fitted


def kind(folder: Path) -> str | None:
    import json

    try:
        kind = json.loads((folder / "manifest.json").read_text()).get("kind")
    except (OSError, ValueError, AttributeError):
        return None
    return str(kind) if kind is not None else None


def is_targets_file(path: Path) -> bool:
    """A TOML file with a ``[[targets]]`` list is a targets file (``coalsim calibrate``)."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.load import read_toml

    try:
        return isinstance(read_toml(path).get("targets"), list)
    except ScenarioError:
        return False


def checked_targets(path: Path) -> str:
    """Check a targets file as ``calibrate`` would before running; say what it fits."""
    from sim.calibrate.engine import plan
    from sim.calibrate.targets import load_targets

    targets = load_targets(path)
    plan(targets)
    return f"targets: {len(targets.targets)} figures, {len(targets.parameters)} parameters"
