"""Benchmark: does ``coalsim calibrate`` find known parameters, and how long does it take?

Two studies, each printed as a table (and saved with ``--json PATH``):

- ``recovery``: for several true points of two parameters (the ship-to-ship share
  and the main company's lot interval, in ``peak_2019`` over 90 days), targets are
  made from the model's own means at the truth (10 replications, seeds the fit
  never uses, 5% relative error), the fit is run, and each parameter's 90%
  posterior interval is checked for the truth. Coverage is the share of
  (point, parameter) pairs covered; the width is the interval's share of the
  prior's own 90% interval.
- ``timing``: the shipped 3-parameter fit (``scenarios/targets/peak_2019.toml``) at
  its default budget, on one process and on ``--dask-local N`` workers: wall time
  and CPU time (this process and its worker processes), and the speed-up.

Times are ``time.process_time`` plus the children's CPU from ``resource``; wall
time is also given, since a shared machine slows it.

    .venv/bin/python benchmarks/bench_calibration.py recovery [--points 6] [--budget 150]
    .venv/bin/python benchmarks/bench_calibration.py timing [--dask-local 2] [--budget N]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.run import calibrate
from sim.calibrate.targets import load_targets
from sim.experiment.executors import Executor, SerialExecutor
from sim.metrics.evaluate import evaluate_metrics
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]
PEAK = ROOT / "scenarios" / "peak_2019.toml"
SHIPPED = ROOT / "scenarios" / "targets" / "peak_2019.toml"
STS, LOT = "contract.ship_to_ship_share", "sellers.nampo_state_corp.lot_interval_days"
METRICS = ("tonnes_delivered", "transfer_tonnes_share")


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def truth_targets(folder: Path, truth: dict[str, float], budget: int, seed: int) -> Path:
    sets = ["horizon_days=90", *(f"{k}={v}" for k, v in truth.items())]
    js = load(PEAK, sets).scenario.model_dump_json()
    rows = [
        evaluate_metrics(js, np.random.SeedSequence(10_000 + seed, spawn_key=(r,))).metrics
        for r in range(10)
    ]
    text = (
        f'name = "recovery"\nbase = "{PEAK}"\nbudget = {budget}\nwaves = 2\nseed = {seed}\n'
        "\n[set]\nhorizon_days = 90\n"
    )
    for m in METRICS:
        z = float(np.mean([r[m] for r in rows]))
        text += (
            f'\n[[targets]]\nmetric = "{m}"\nvalue = {z!r}\nrelative_error = 0.05\n'
            'source = "synthetic"\n'
        )
    text += (
        f'\n[[parameters]]\npath = "{STS}"\nlow = 0.6\nhigh = 1.0\n'
        f'\n[[parameters]]\npath = "{LOT}"\nlow = 0.5\nhigh = 2.0\nprior = "log-uniform"\n'
    )
    path = folder / f"targets_{seed}.toml"
    path.write_text(text)
    return path


def recovery(points: int, budget: int) -> dict[str, Any]:
    rng = np.random.default_rng(2026)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(points):
            truth = {
                STS: float(rng.uniform(0.65, 0.95)),
                LOT: float(np.exp(rng.uniform(-0.6, 0.6))),
            }
            path = truth_targets(Path(tmp), truth, budget, seed=k + 1)
            t0, c0 = time.monotonic(), cpu()
            calibrate(load_targets(path), Path(tmp) / f"out_{k}", SerialExecutor())
            wall, spent = time.monotonic() - t0, cpu() - c0
            params = pd.read_csv(Path(tmp) / f"out_{k}" / "parameters.csv").set_index("parameter")
            for p, true in truth.items():
                r = params.loc[p]
                rows.append({
                    "point": k, "parameter": p, "truth": round(true, 4),
                    "q05": round(float(r["q05"]), 4), "q95": round(float(r["q95"]), 4),
                    "covered": bool(r["q05"] <= true <= r["q95"]),
                    "width_ratio": round(float(r["width_ratio"]), 3),
                    "wall_s": round(wall, 1), "cpu_s": round(spent, 1),
                })  # fmt: skip
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False))
    coverage = float(frame["covered"].mean())
    width = frame["width_ratio"].mean()
    covered = f"{frame['covered'].sum()} of {len(frame)} ({coverage:.0%})"
    print(f"coverage of the 90% intervals: {covered}; mean width {width:.0%} of the prior's")
    return {"rows": rows, "coverage": coverage, "mean_width_ratio": frame["width_ratio"].mean()}


def timed(executor: Executor, budget: int | None, label: str) -> dict[str, Any]:
    targets = load_targets(SHIPPED, budget=budget)
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.monotonic(), cpu()
        try:
            result = calibrate(targets, Path(tmp) / "out", executor)
        finally:
            executor.close()
        wall, spent = time.monotonic() - t0, cpu() - c0
    out = {"executor": label, "budget": targets.spec.budget, "wall_s": round(wall, 1),
           "cpu_s": round(spent, 1), "ess": round(result.fit.ess, 1)}  # fmt: skip
    print(out, flush=True)
    return out


def timing(dask_local: int, budget: int | None) -> dict[str, Any]:
    from sim.experiment.dask_executor import DaskExecutor

    one = timed(SerialExecutor(), budget, "1 process")
    many = timed(DaskExecutor(local_workers=dask_local), budget, f"--dask-local {dask_local}")
    speedup = one["wall_s"] / many["wall_s"]
    print(f"speed-up on {dask_local} Dask workers: {speedup:.2f}x (wall time)")
    return {"runs": [one, many], "speedup": speedup}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("recovery", "timing"))
    parser.add_argument("--points", type=int, default=6)
    parser.add_argument("--budget", type=int, default=None)
    parser.add_argument("--dask-local", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.study == "recovery":
        report = recovery(args.points, args.budget or 150)
    else:
        report = timing(args.dask_local, args.budget)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
