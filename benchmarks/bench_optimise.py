"""Benchmark: a 4-variable optimisation with the default search budget.

Runs ``scenarios/problems/patrol_budget.toml`` (3 patrol groups' vessels and the
tipster reward, 8 vessels in all) end to end: the search (100 plans x 10
replications by default), the finalists' 60 fresh replications and the outputs.
Reports wall time, this process's CPU time and its workers' (children's) CPU
time, and how many replications ran. The target is under 20 minutes on 2 cores.

    .venv/bin/python benchmarks/bench_optimise.py [PROBLEM] [--workers 2] [--dask-local N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sim.study.optimise_run import make_folder, prepare, run_optimisation
from sim.study.sweep import select_executor

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "problems" / "patrol_budget.toml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("problem", nargs="?", default=str(DEFAULT), help="problem file")
    ap.add_argument("--workers", type=int, default=None, help="local processes")
    ap.add_argument("--dask-local", type=int, default=None, help="a Dask LocalCluster of N")
    ap.add_argument("--trials", type=int, default=None, help="override search.trials")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "opt"
        problem, _ = prepare(Path(args.problem), out, None, args.trials)
        s = problem.spec.search
        executor = select_executor(args.workers, None, args.dask_local, s.batch * s.replications)
        folder = make_folder(problem, out)
        wall, cpu = time.perf_counter(), os.times()
        try:
            outcome = run_optimisation(problem, folder, executor)
        finally:
            executor.close()
        wall = time.perf_counter() - wall
        end = os.times()
    own = end.user + end.system - cpu.user - cpu.system
    children = end.children_user + end.children_system - cpu.children_user - cpu.children_system
    result = {
        "problem": problem.name,
        "executor": executor.describe(),
        "trials": s.trials,
        "replications_per_trial": s.replications,
        "wall_seconds": round(wall, 1),
        "cpu_seconds_main": round(own, 1),
        "cpu_seconds_workers": round(children, 1),
        "chosen": outcome.plans[outcome.plans.chosen].plan.tolist(),
    }
    print(json.dumps(result, indent=2))
    print(outcome.text)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
