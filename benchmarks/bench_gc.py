"""Benchmark: a long sequence of replications as a sweep runs them, and the garbage
collector's share of it.

``bench_model.py`` gives medians per replication, which leave out what happens only
now and then: a full collection of the oldest generation walks every object the
process holds (the imported libraries' too) and comes every few dozen replications.
A sweep pays it all the same. This script runs ``-n`` replications one after another
in one process, exactly as a sweep's worker does (``evaluate_metrics``, or
``evaluate`` with ``--path run``), and reports their mean CPU time with everything
included, and the collector's own CPU time by generation, timed with ``gc.callbacks``.

    .venv/bin/python benchmarks/bench_gc.py                    # baseline, 150 replications
    .venv-fast/bin/python benchmarks/bench_gc.py --path run -n 100 --json out.json
    PYTHONPATH=/tmp/other-checkout .venv/bin/python benchmarks/bench_gc.py   # A/B

Run it alone on a quiet machine: it measures one process's CPU time.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Any

from bench_model import build_name

from sim.experiment.seeds import replication_seed
from sim.experiment.store import kernel_compiled, model_compiled
from sim.metrics.evaluate import evaluate, evaluate_metrics
from sim.scenario import Resolved, load
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DAYS_PER_YEAR = 365.0


class CollectorClock:
    """CPU time and count of the cyclic collector's passes, by generation."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.passes = [0, 0, 0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            generation = int(info["generation"])
            self.seconds[generation] += time.process_time() - self._start
            self.passes[generation] += 1


def measure(resolved: Resolved, replications: int, path: str) -> dict[str, Any]:
    scenario_json = resolved.scenario.model_dump_json()
    run = evaluate if path == "run" else evaluate_metrics
    run(scenario_json, replication_seed(resolved.scenario.seed, replications))  # warm-up
    clock = CollectorClock()
    gc.callbacks.append(clock)
    try:
        start = time.process_time()
        for r in range(replications):
            run(scenario_json, replication_seed(resolved.scenario.seed, r))
        total = time.process_time() - start
    finally:
        gc.callbacks.remove(clock)
    years = replications * resolved.scenario.horizon_days / DAYS_PER_YEAR
    return {
        "scenario": resolved.source,
        "path": path,
        "replications": replications,
        "model_compiled": model_compiled(),
        "kernel_compiled": kernel_compiled(),
        "cpu_ms_per_year": 1000 * total / years,
        "years_per_core_s": years / total,
        "gc_ms_per_replication": [1000 * s / replications for s in clock.seconds],
        "gc_passes": clock.passes,
        "gc_share": sum(clock.seconds) / total,
    }


def report(f: dict[str, Any]) -> None:
    young, middle, full = f["gc_ms_per_replication"]
    rows = [
        ("scenario", f"{f['scenario']} ({f['path']} path)"),
        ("build", build_name(f)),
        ("replications", f"{f['replications']}, one after another, CPU time, all included"),
        (
            "CPU ms / replication-year, mean",
            f"{f['cpu_ms_per_year']:.1f} ({f['years_per_core_s']:.1f} per core-second)",
        ),
        (
            "collector, CPU ms / replication",
            f"{young + middle + full:.2f} ({f['gc_share']:.1%}): generation 0 {young:.2f}, "
            f"1 {middle:.2f}, 2 (full) {full:.2f}",
        ),
        ("collector passes, generations 0, 1, 2", ", ".join(map(str, f["gc_passes"]))),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "baseline.toml")
    ap.add_argument("-n", "--replications", type=int, default=150)
    ap.add_argument("--path", choices=["sweep", "run"], default="sweep")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if args.replications < 1:
        ap.error("--replications must be at least 1")
    try:
        resolved = load(args.scenario)
    except ScenarioError as e:
        ap.error(str(e))
    figures = measure(resolved, args.replications, args.path)
    report(figures)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
