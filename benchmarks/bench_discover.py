"""Benchmark: `coalsim discover` over a 2,000-point sweep (target: under a minute).

Writes a synthetic LHS sweep folder of the size a real one has (design.csv with five
swept keys; summary.csv with every registry metric at every point, 2,000 x ~100 rows)
into a temporary folder, where coal delivered falls inside a planted box of two of the
five keys, then times in this process, as CPU time (``time.process_time``): importing
PRIM, reading the folder and running PRIM (``discover_sweep``), and writing the files
and the figure (``write_discovery``).

    .venv/bin/python benchmarks/bench_discover.py [--points 2000] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.store import write_csv
from sim.metrics import METRICS

KEYS = {
    "patrols.bohai_strait_patrol.vessels": (0, 8),
    "patrols.jiangsu_patrol.vessels": (0, 8),
    "enforcement.fine_rmb": (0.0, 4.8e6),
    "tips.reward_cap_rmb": (0.0, 5e5),
    "contract.resale_multiplier": (2.0, 3.0),
}


def make_folder(folder: Path, points: int) -> None:
    rng = np.random.default_rng(20)
    design = pd.DataFrame({"point": range(points)})
    for key, (low, high) in KEYS.items():
        u = (rng.permutation(points) + rng.random(points)) / points
        x = low + u * (high - low)
        design[key] = np.round(x).astype(int) if isinstance(low, int) else x
    inside = (design["patrols.bohai_strait_patrol.vessels"] >= 5) & (
        design["enforcement.fine_rmb"] >= 2.4e6
    )
    metrics = list(METRICS)
    means = rng.normal(1e5, 1e4, (points, len(metrics)))
    means[:, metrics.index("tonnes_delivered")] = np.where(inside, 0.8e6, 1.5e6)
    summary = pd.DataFrame(
        {
            "point": np.repeat(design["point"], len(metrics)),
            "metric": np.tile(metrics, points),
            "mean": means.ravel(),
        }
    )
    for col in ("std", "ci95_low", "ci95_high"):
        summary[col] = summary["mean"]
    summary["n"] = 4
    write_csv(folder / "design.csv", design)
    write_csv(folder / "summary.csv", summary)
    manifest = {"kind": "sweep", "name": "bench_discover", "status": "complete"}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=2000, help="design points")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_folder(folder, args.points)
        t0 = time.process_time()
        from sim.experiment.discovery import _prim
        from sim.report import discovery as dv

        _prim()
        t1 = time.process_time()
        found = dv.discover_sweep(folder, "tonnes_delivered < 1e6")
        t2 = time.process_time()
        dv.write_discovery(found, dv.default_out(found))
        t3 = time.process_time()
        box = found.result.box(found.chosen)
        restricted = sorted(box.loc[box["restricted"], "parameter"])
    figures = {
        "points": args.points,
        "import_s": round(t1 - t0, 2),
        "discover_s": round(t2 - t1, 2),
        "write_s": round(t3 - t2, 2),
        "total_s": round(t3 - t0, 2),
        "restricted": restricted,
    }
    print(f"discover over {args.points} points, CPU seconds:")
    for k in ("import_s", "discover_s", "write_s", "total_s"):
        print(f"  {k.removesuffix('_s'):9s} {figures[k]:6.2f}")
    print(f"  restricted: {', '.join(restricted)} (planted: bohai vessels, fine)")
    print(f"target: under 60 s in all: {'met' if figures['total_s'] < 60 else 'NOT met'}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
