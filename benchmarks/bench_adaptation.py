"""Benchmark: what adaptation costs in speed, on the baseline.

Runs the baseline replication by replication in several variants, taking
turns so that the machine's drifting speed hits every variant alike:
adaptation off (the baseline as shipped), adaptive sellers (route choice),
adaptive sellers with departure timing, and adaptive sellers against
proportional patrol allocation. Reports wall time per replication and the
model's SimPy event rate for each, and the ratio of each to the plain run.

    .venv/bin/python benchmarks/bench_adaptation.py [SCENARIO] [-n 10] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

# Run as a script, so benchmarks/ is on the path and bench_model's timing is shared.
from bench_model import DEFAULT_SCENARIO, model_run, timed

from sim.scenario import Resolved, load

VARIANTS: dict[str, list[str]] = {
    "adaptation off": [],
    "route choice": ["adaptation.enabled=true"],
    "route choice + timing": ["adaptation.enabled=true", "adaptation.timing=true"],
    "route choice + proportional patrols": [
        "adaptation.enabled=true",
        "allocation.kind=proportional",
    ],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO), help="scenario file")
    ap.add_argument("-n", "--replications", type=int, default=10, help="timed replications")
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if args.replications < 1:
        ap.error("--replications must be at least 1")

    resolved: dict[str, Resolved] = {
        name: load(args.scenario, overrides=sets) for name, sets in VARIANTS.items()
    }
    for r in resolved.values():  # warm-up
        model_run(r, args.replications)
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in VARIANTS}
    for rep in range(args.replications):
        for name, r in resolved.items():
            runs[name].append(timed(lambda r=r, rep=rep: model_run(r, rep)))  # type: ignore[misc]

    plain = runs["adaptation off"]
    figures: dict[str, Any] = {"scenario": args.scenario, "replications": args.replications}
    print(f"{'variant':<38} {'ms/rep':>8} {'events/rep':>11} {'events/s':>10} {'wall vs off':>12}")
    for name, timings in runs.items():
        wall = statistics.median(t for t, _ in timings)
        events = statistics.median(n for _, n in timings)
        rate = sum(n for _, n in timings) / sum(t for t, _ in timings)
        # Paired by replication index: the same replication's wall time over the plain run's.
        ratio = statistics.median(t / p for (t, _), (p, _) in zip(timings, plain, strict=True))
        figures[name] = {
            "wall_s_median": wall,
            "events_median": events,
            "events_per_s": rate,
            "wall_ratio_to_off_paired_median": ratio,
        }
        print(f"{name:<38} {wall * 1e3:>8.0f} {events:>11,.0f} {rate:>10,.0f} {ratio:>11.2f}x")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
