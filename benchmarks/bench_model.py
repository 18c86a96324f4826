"""Benchmark: wall time of one replication and SimPy event rate against a bare timeout loop.

Both the model and the bare loop run on the same event-counting ``simpy.Environment``
subclass in the same process, so the ratio of their event rates is what the model's
own Python code costs per event. Target: the model reaches at least 50% of the bare rate.

    .venv/bin/python benchmarks/bench_model.py [SCENARIO] [--replications 5] [--json PATH]

``--profile N`` also runs replications 0..4 under cProfile, after the timed runs (so the
figures above are unaffected), and prints the N functions with the most own time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any

import simpy

from sim.experiment.seeds import replication_seed
from sim.model.model import Model
from sim.scenario import Resolved, Scenario, load, resolve
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "scenarios" / "baseline.toml"
TARGET_RATIO = 0.5


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


def model_run(resolved: Resolved, replication: int) -> CountingEnvironment:
    env = CountingEnvironment()
    Model(resolved, replication_seed(resolved.scenario.seed, replication), env=env).run()
    return env


def ticker(env: simpy.Environment, period: float) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(period)


def bare_run(processes: int, horizon: float, events: int) -> CountingEnvironment:
    """``processes`` staggered fixed-period timeout loops giving about ``events`` events."""
    env = CountingEnvironment()
    # Periods spread over [0.5, 1.5] * mean; sum of horizon / period_k is about ``events``.
    factors = [0.5 + (k + 0.5) / processes for k in range(processes)]
    scale = horizon * sum(1.0 / f for f in factors) / max(events - processes, 1)
    for f in factors:
        env.process(ticker(env, f * scale))
    env.run(until=horizon)
    return env


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


def timed(fn: Callable[[], CountingEnvironment]) -> tuple[float, int]:
    t0 = time.perf_counter()
    env = fn()
    return time.perf_counter() - t0, env.events


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("scenario", nargs="?", help=f"scenario file (default {DEFAULT_SCENARIO})")
    ap.add_argument("-n", "--replications", type=int, default=20, help="timed replications")
    ap.add_argument("--processes", type=int, default=32, help="processes in the bare loop")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 if the target is missed")
    ap.add_argument(
        "--profile", type=int, metavar="N", help="then print the top N functions (cProfile)"
    )
    args = ap.parse_args(argv)
    if args.replications < 1 or args.processes < 1:
        ap.error("--replications and --processes must be at least 1")

    try:
        resolved = load_scenario(args.scenario)
    except ScenarioError as e:
        ap.error(str(e))
    horizon = resolved.scenario.horizon_days * 24.0

    # Interleave model and bare runs so that load drift hits both alike; each bare run
    # is sized to the event count of the replication just before it.
    bare_run(args.processes, horizon, model_run(resolved, args.replications).events)  # warm-up
    model: list[tuple[float, int]] = []
    bare: list[tuple[float, int]] = []
    for r in range(args.replications):
        model.append(timed(partial(model_run, resolved, r)))
        bare.append(timed(partial(bare_run, args.processes, horizon, model[-1][1])))
    m_times = [t for t, _ in model]
    m_events = [n for _, n in model]
    b_times = [t for t, _ in bare]
    target_events = round(statistics.median(m_events))
    b_events = round(statistics.median(n for _, n in bare))

    model_rate = sum(m_events) / sum(m_times)
    bare_rate = sum(n for _, n in bare) / sum(b_times)
    ratio = model_rate / bare_rate
    best_ratio = max(n / t for t, n in model) / max(n / t for t, n in bare)
    # Machine speed drifts from run to run; each model run and the bare run right after it
    # see nearly the same machine, so the median of the paired ratios is the robust figure.
    pairs = sorted((nm / tm) / (nb / tb) for (tm, nm), (tb, nb) in zip(model, bare, strict=True))
    pair_ratio = statistics.median(pairs)
    q1, q3 = pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4]
    figures: dict[str, Any] = {
        "scenario": resolved.source,
        "replications": args.replications,
        "horizon_hours": horizon,
        "model_wall_s_median": statistics.median(m_times),
        "model_wall_s_min": min(m_times),
        "model_events_median": target_events,
        "model_events": m_events,
        "model_events_per_s": model_rate,
        "model_events_per_s_best": max(n / t for t, n in model),
        "bare_processes": args.processes,
        "bare_events": b_events,
        "bare_wall_s_median": statistics.median(b_times),
        "bare_events_per_s": bare_rate,
        "bare_events_per_s_best": max(n / t for t, n in bare),
        "ratio_aggregate": ratio,
        "ratio_best": best_ratio,
        "ratio_paired_median": pair_ratio,
        "ratio_paired_quartiles": [q1, q3],
        "target_ratio": TARGET_RATIO,
        "pass": pair_ratio >= TARGET_RATIO,
    }

    rows = [
        ("scenario", resolved.source),
        ("replications", f"{args.replications} (indices 0..{args.replications - 1})"),
        ("wall time / replication, median", f"{figures['model_wall_s_median'] * 1e3:.1f} ms"),
        ("wall time / replication, min", f"{figures['model_wall_s_min'] * 1e3:.1f} ms"),
        ("events / replication, median", f"{target_events:,}"),
        ("model events/s", f"{model_rate:,.0f}"),
        (f"bare loop events/s ({args.processes} procs, {b_events:,} ev)", f"{bare_rate:,.0f}"),
        ("ratio model / bare, paired median", f"{pair_ratio:.1%} (quartiles {q1:.1%}, {q3:.1%})"),
        ("ratio aggregate (best runs)", f"{ratio:.1%} ({best_ratio:.1%})"),
        (f"target >= {TARGET_RATIO:.0%}", "PASS" if figures["pass"] else "FAIL"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.profile:
        profile(resolved, args.profile)
    return 1 if args.strict and not figures["pass"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
