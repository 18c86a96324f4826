"""Benchmark: instructions per replication, counted by valgrind's cachegrind, for A/B comparisons.

Timings on a shared virtual machine drift by tens of percent; instruction counts of
the same replications repeat to about 0.15%, so a change of 0.5% is visible.
Instructions are not time (a cache miss costs more than an add), so confirm a large
change with ``bench_model.py``.

    .venv/bin/python benchmarks/bench_instructions.py [SCENARIO ...] [-n 2] [--path sweep]

For each scenario and path it runs this script twice under
``valgrind --tool=cachegrind``: once to load the scenario and run one untimed warm-up
replication (index 1000: imports, caches), once to do the same and then replications
0..n-1. The difference over n is the figure: start-up cancels out.

What would make a count drift is held fixed: ``PYTHONHASHSEED`` (string hashing changes
the work of every set and dict); numpy's BLAS at one thread (its idle threads spin for a
number of instructions that changes from run to run, 1% to 5% of a replication); and
the collector, since each replication starts after a ``gc.collect()`` with everything
before it frozen (``gc.freeze``), so its timing does not depend on what was imported.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, so benchmarks/ is on the path and bench_model's run path is shared.
from bench_model import DEFAULT_SCENARIO, FOUNDATION, RunWriter, load_scenario

from sim.experiment.replications import ReplicationResult
from sim.experiment.seeds import replication_seed
from sim.metrics.evaluate import evaluate, evaluate_metrics

WARM_UP = 1000
PATHS = ("sweep", "run")


def child(path: str, scenario: str, n: int) -> None:
    """The work that is counted: a warm-up replication, then replications 0..n-1."""
    resolved = load_scenario(scenario)
    scenario_json = resolved.scenario.model_dump_json()
    seed = resolved.scenario.seed
    with tempfile.TemporaryDirectory(prefix="bench_instr_") as tmp:
        writer = RunWriter(Path(tmp))
        for r in [WARM_UP, *range(n)]:
            # Every replication starts from the same collector state, and the objects
            # of start-up (imports, the scenario) are never scanned again: otherwise a
            # change that only allocates a few more objects at import shifts when full
            # collections fall and moves the count by about 1%.
            gc.collect()
            gc.freeze()
            if path == "sweep":
                evaluate_metrics(scenario_json, replication_seed(seed, r))
            else:
                outputs = evaluate(scenario_json, replication_seed(seed, r))
                writer.write(ReplicationResult(r, seed, outputs))
        writer.close()


def count(path: str, scenario: str, n: int) -> int:
    """Instructions (cachegrind's ``I refs``) of one child process."""
    cmd = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        path,
        scenario,
        "-n",
        str(n),
    ]
    # OpenBLAS's idle threads spin for a varying number of instructions: 1 thread.
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env = {**os.environ, "PYTHONHASHSEED": "0", **threads}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"cachegrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "scenarios", nargs="*", help=f"scenario files (default {DEFAULT_SCENARIO} and {FOUNDATION})"
    )
    ap.add_argument("-n", "--replications", type=int, default=2, help="counted replications")
    ap.add_argument("--path", choices=[*PATHS, "both"], default="both", help="which path")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    ap.add_argument("--child", choices=PATHS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.scenarios[0], args.replications)
        return 0
    if args.replications < 1:
        ap.error("--replications must be at least 1")
    if shutil.which("valgrind") is None:
        ap.error("valgrind is not installed (apt-get install valgrind)")
    scenarios = args.scenarios or [str(DEFAULT_SCENARIO), str(FOUNDATION)]
    paths = PATHS if args.path == "both" else (args.path,)
    figures: list[dict[str, Any]] = []
    for scenario in scenarios:
        for path in paths:
            t0 = time.perf_counter()
            base = count(path, scenario, 0)
            total = count(path, scenario, args.replications)
            per = (total - base) / args.replications
            figures.append({"scenario": scenario, "path": path, "instructions": per})
            print(
                f"{Path(scenario).name}  {path:5}  {per / 1e6:9.1f} M instructions / replication"
                f"  (start-up {base / 1e6:,.0f} M; {time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
