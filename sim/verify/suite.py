"""The verification suite: every check, run in order or across processes."""

from __future__ import annotations

import time
from collections.abc import Callable

from sim.scenario.errors import ScenarioError
from sim.verify import (
    adaptive,
    books,
    market_checks,
    patrol_checks,
    runs,
    search,
    tip_checks,
    trade,
)
from sim.verify.core import Check, Simulate, Suite, run

CheckFn = Callable[[bool, Simulate], Check]

CHECKS: dict[str, CheckFn] = {
    "random_search": search.random_search,
    "integrated_hazard": search.integrated_hazard,
    "relative_speed": search.relative_speed,
    "tips": trade.tips,
    "break_even": trade.break_even,
    "investigations": trade.investigations,
    "money": books.money,
    "little": runs.little,
    "determinism": runs.determinism,
    "route_choice": adaptive.route_choice,
    "boarding": patrol_checks.boarding,
    "patrol_cycle": patrol_checks.patrol_cycle,
    "timing": patrol_checks.timing,
    "tip_geometry": tip_checks.tip_geometry,
    "rewards": tip_checks.rewards,
    "beliefs": market_checks.beliefs,
    "entry": market_checks.entry,
    "enforcement": market_checks.enforcement,
}
"""Every check, in the order reports list them. Each takes (quick, simulate)."""


def _one(task: tuple[str, bool]) -> Check:
    key, quick = task
    return CHECKS[key](quick, run)


def check_keys(only: list[str] | None) -> list[str]:
    """The checks to run: ``only`` (if given), each known."""
    keys = list(only or CHECKS)
    unknown = [k for k in keys if k not in CHECKS]
    if unknown:
        raise ScenarioError(
            f"unknown check {', '.join(unknown)}; the checks are: {', '.join(CHECKS)}"
        )
    return keys


def run_suite(
    quick: bool = True,
    only: list[str] | None = None,
    workers: int | None = 1,
    progress: Callable[[Check], None] | None = None,
) -> Suite:
    """Run the checks (``only`` picks some by key) on ``workers`` processes (None: all cores).

    Results come back in the listed order whatever the number of workers.
    """
    from sim.experiment.executors import make_executor, ordered

    keys = check_keys(only)
    t0 = time.perf_counter()
    suite = Suite(quick=quick)
    executor = make_executor(workers, len(keys))
    try:
        for check in ordered(executor.imap_unordered(_one, [(k, quick) for k in keys])):
            suite.checks.append(check)
            if progress:
                progress(check)
    finally:
        executor.close()
    suite.seconds = time.perf_counter() - t0
    return suite
