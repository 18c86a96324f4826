"""Benchmark: CPU time per replication-year on the sweep path and on the ``run`` path.

The yardstick is what users feel: how many replication-years a core gets through
per second. For each scenario (default: the baseline and the foundation scope) and
each replication index, in one process and in turn:

- sweep path: ``evaluate_metrics`` (model and metrics), as every sweep point runs;
- run path: ``evaluate`` plus writing the run folder's tables (``runs.csv`` and the
  model's tables, through the same ``Table`` writer ``coalsim run`` uses);
- the run path's model alone: the model with its weekly sample, which sweeps leave out,
  and the metrics, but no tables: what the run path costs before its frames and CSV;
- a bare SimPy loop of the same number of events, for information: what SimPy
  itself costs per event next to what the model costs.

Times are ``time.process_time`` (CPU of this process): other work on the machine
slows wall time but hardly the CPU time of a run. Event counts come from a separate,
untimed run on an event-counting environment, so counting costs nothing in the timings.

    .venv/bin/python benchmarks/bench_model.py [SCENARIO ...] [-n 20] [--json PATH]

``--profile N`` also runs replications 0..4 under cProfile, after the timed runs (so the
figures above are unaffected), and prints the N functions with the most own time.
Instruction counts (repeatable to a few parts per million): ``bench_instructions.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim.experiment.replications import ReplicationResult
from sim.experiment.seeds import replication_seed
from sim.experiment.store import kernel_compiled, model_compiled
from sim.experiment.stream import Table
from sim.metrics.evaluate import _resolved, evaluate, evaluate_metrics
from sim.metrics.outputs import Outputs
from sim.metrics.replication import replication_metrics
from sim.model.model import Model, fewer_collections, simulate
from sim.scenario import Resolved, Scenario, load, resolve
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.toml"
FOUNDATION = ROOT / "benchmarks" / "bench_foundation.toml"
DAYS_PER_YEAR = 365.0
TARGET_SWEEP = 30.0  # replication-years per core-second, baseline, sweep path
TARGET_RUN = 20.0  # the same on the run path
TARGET_WRITE_SHARE = 0.15  # frames and CSV, share of a run-path replication


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.events = 0

    def step(self) -> None:
        self.events += 1
        super().step()


def load_scenario(path: str | None) -> Resolved:
    if path is not None:
        return load(path)
    if DEFAULT_SCENARIO.exists():
        return load(DEFAULT_SCENARIO)
    return resolve(Scenario(), "<default Scenario()>")


def model_run(resolved: Resolved, replication: int, series: bool = True) -> CountingEnvironment:
    env = CountingEnvironment()
    seed = replication_seed(resolved.scenario.seed, replication)
    Model(resolved, seed, env=env, series=series).run()
    return env


def metrics_with_series(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """``evaluate`` without the tables: the model as the run path runs it (with the weekly
    sample) and the metrics, so that the tables' own share of the run path can be told."""
    with fewer_collections():
        return Outputs(replication_metrics(simulate(_resolved(scenario_json), seed)))


def ticker(env: simpy.Environment, period: float) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(period)


def bare_run(
    processes: int, horizon: float, events: int, env: simpy.Environment | None = None
) -> simpy.Environment:
    """``processes`` staggered fixed-period timeout loops giving about ``events`` events."""
    env = env if env is not None else simpy.Environment()
    # Periods spread over [0.5, 1.5] * mean; sum of horizon / period_k is about ``events``.
    factors = [0.5 + (k + 0.5) / processes for k in range(processes)]
    scale = horizon * sum(1.0 / f for f in factors) / max(events - processes, 1)
    for f in factors:
        env.process(ticker(env, f * scale))
    env.run(until=horizon)
    return env


def timed(fn: Callable[[], CountingEnvironment]) -> tuple[float, int]:
    """Wall seconds and events of one counted run (what ``bench_adaptation`` compares)."""
    t0 = time.perf_counter()
    env = fn()
    return time.perf_counter() - t0, env.events


def cpu(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


class RunWriter:
    """Writes replications into a run folder's tables exactly as ``run_scenario`` does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runs = Table(folder, "runs.csv", None)
        self.runs.create()
        self.named: dict[str, Table] = {}

    def write(self, r: ReplicationResult) -> None:
        row = {"replication": r.replication, "seed": r.seed, **r.outputs.metrics}
        if self.runs.columns is None:
            self.runs.columns = list(row)
            self.runs.rows([self.runs.columns])
        self.runs.rows([[row.get(c) for c in self.runs.columns]])
        for name, table in r.outputs.tables.items():
            if name not in self.named:
                self.named[name] = Table(self.folder, f"{name}.csv", None)
                self.named[name].create()
            self.named[name].append(table, {"replication": r.replication, "seed": r.seed})

    def close(self) -> None:
        for t in (self.runs, *self.named.values()):
            t.discard()


@dataclass(frozen=True)
class Sample:
    """One replication index: CPU seconds on each path and of the bare loop, and events."""

    sweep_s: float
    run_s: float
    model_s: float
    """The run path without its tables."""
    bare_s: float
    events: int
    bare_events: int


def sample(resolved: Resolved, scenario_json: str, r: int, writer: RunWriter) -> Sample:
    seed = replication_seed(resolved.scenario.seed, r)
    horizon = resolved.scenario.horizon_days * 24.0
    sweep_s = cpu(lambda: evaluate_metrics(scenario_json, seed))
    run_s = cpu(
        lambda: writer.write(
            ReplicationResult(r, resolved.scenario.seed, evaluate(scenario_json, seed))
        )
    )
    model_s = cpu(lambda: metrics_with_series(scenario_json, seed))
    events = model_run(resolved, r, series=False).events  # the sweep path's events
    bare_s = cpu(lambda: bare_run(32, horizon, events))
    counted = CountingEnvironment()
    bare_run(32, horizon, events, counted)
    return Sample(sweep_s, run_s, model_s, bare_s, events, counted.events)


def measure(resolved: Resolved, replications: int) -> dict[str, Any]:
    scenario_json = resolved.scenario.model_dump_json()
    years = resolved.scenario.horizon_days / DAYS_PER_YEAR
    with tempfile.TemporaryDirectory(prefix="bench_model_") as tmp:
        writer = RunWriter(Path(tmp))
        sample(resolved, scenario_json, replications, writer)  # warm-up: caches, imports
        samples = [sample(resolved, scenario_json, r, writer) for r in range(replications)]
        writer.close()
    sweep = statistics.median(s.sweep_s for s in samples) / years
    run = statistics.median(s.run_s for s in samples) / years
    model = statistics.median(s.model_s for s in samples) / years
    # Per-event costs, paired: each replication against the bare loop right after it.
    model_us = [s.sweep_s / s.events * 1e6 for s in samples]
    bare_us = [s.bare_s / s.bare_events * 1e6 for s in samples]
    ratios = sorted(b / m for m, b in zip(model_us, bare_us, strict=True))
    return {
        "scenario": resolved.source,
        "model_compiled": model_compiled(),
        "kernel_compiled": kernel_compiled(),
        "replications": replications,
        "horizon_days": resolved.scenario.horizon_days,
        "sweep_cpu_ms_per_year": sweep * 1e3,
        "sweep_cpu_ms_per_year_min": min(s.sweep_s for s in samples) / years * 1e3,
        "run_cpu_ms_per_year": run * 1e3,
        "run_cpu_ms_per_year_min": min(s.run_s for s in samples) / years * 1e3,
        "sweep_years_per_core_s": 1 / sweep,
        "run_years_per_core_s": 1 / run,
        "write_share_of_run": 1 - model / run,
        "weekly_sample_share_of_run": (model - sweep) / run,
        "events_median": statistics.median(s.events for s in samples),
        "model_us_per_event": statistics.median(model_us),
        "bare_us_per_event": statistics.median(bare_us),
        "bare_over_model_paired_median": statistics.median(ratios),
    }


def build_name(f: dict[str, Any]) -> str:
    """Which build ran: figures from ``make fast`` and from ``make setup`` differ twofold."""
    model = "compiled model" if f["model_compiled"] else "pure-Python model"
    kernel = "compiled SimPy kernel" if f["kernel_compiled"] else "published SimPy"
    return f"{model}, {kernel}"


def report(f: dict[str, Any]) -> None:
    n = f["replications"]
    rows = [
        ("scenario", f"{f['scenario']} ({f['horizon_days']:g} days)"),
        ("replications", f"{n} (indices 0..{n - 1}), CPU time (time.process_time)"),
        ("build", build_name(f)),
        (
            "sweep path: CPU ms / replication-year",
            f"{f['sweep_cpu_ms_per_year']:.1f} median, {f['sweep_cpu_ms_per_year_min']:.1f} min",
        ),
        (
            "run path: CPU ms / replication-year",
            f"{f['run_cpu_ms_per_year']:.1f} median, {f['run_cpu_ms_per_year_min']:.1f} min",
        ),
        ("sweep path: replication-years / core-second", f"{f['sweep_years_per_core_s']:.1f}"),
        ("run path: replication-years / core-second", f"{f['run_years_per_core_s']:.1f}"),
        ("frames and CSV: share of the run path", f"{f['write_share_of_run']:.1%}"),
        ("weekly sample: share of the run path", f"{f['weekly_sample_share_of_run']:.1%}"),
        ("events / replication, median", f"{f['events_median']:,.0f}"),
        (
            "CPU us / event: model (sweep path), bare SimPy",
            f"{f['model_us_per_event']:.2f}, {f['bare_us_per_event']:.2f} "
            f"(bare / model, paired median {f['bare_over_model_paired_median']:.1%})",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


def profile(resolved: Resolved, top: int, replications: int = 5) -> None:
    """Print the ``top`` functions by own time over a few profiled replications.

    cProfile charges its own overhead to every call, so small functions and generator
    resumptions look costlier than they are; read the shares, not the seconds.
    """
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for r in range(replications):
        model_run(resolved, r)
    prof.disable()
    stats = pstats.Stats(prof)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    print(f"\nprofile: replications 0..{replications - 1}, own time {total:.2f} s under cProfile")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "scenarios", nargs="*", help=f"scenario files (default {DEFAULT_SCENARIO} and {FOUNDATION})"
    )
    ap.add_argument("-n", "--replications", type=int, default=20, help="timed replications")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    ap.add_argument(
        "--profile", type=int, metavar="N", help="then print the top N functions (cProfile)"
    )
    args = ap.parse_args(argv)
    if args.replications < 1:
        ap.error("--replications must be at least 1")
    paths = args.scenarios or [str(DEFAULT_SCENARIO), str(FOUNDATION)]
    try:
        scenarios = [load_scenario(p) for p in paths]
    except ScenarioError as e:
        ap.error(str(e))
    figures = []
    for k, resolved in enumerate(scenarios):
        figures.append(measure(resolved, args.replications))
        if k:
            print()
        report(figures[-1])
    base = figures[0]
    print(
        f"\ntargets (issue 18, first scenario): sweep path >= {TARGET_SWEEP:g} replication-years"
        f" / core-s: {'PASS' if base['sweep_years_per_core_s'] >= TARGET_SWEEP else 'not yet'};"
        f" run path >= {TARGET_RUN:g}: "
        f"{'PASS' if base['run_years_per_core_s'] >= TARGET_RUN else 'not yet'};"
        f" frames and CSV <= {TARGET_WRITE_SHARE:.0%} of the run path: "
        f"{'PASS' if base['write_share_of_run'] <= TARGET_WRITE_SHARE else 'not yet'}"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.profile:
        profile(scenarios[0], args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
