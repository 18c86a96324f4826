"""Benchmark: what a replication's events cost SimPy alone, with no model in them.

    .venv/bin/python benchmarks/bench_floor.py [SCENARIO] [-n 10] [--json PATH]
    .venv-fast/bin/python benchmarks/bench_floor.py      # the same against the compiled model

Each replication is first run once on a ``TracingEnvironment``, which records every
process the model starts (which process started it, and during which of its
resumptions) and every time SimPy resumes it. A skeleton then replays that timeline
on a plain ``simpy.Environment``: one generator per recorded process, started by its
recorded parent at the same resumption, yielding a timeout to each recorded
resumption time and doing nothing else. The skeleton and the model are then timed in
turns on the same replication (CPU time).

The skeleton's time is what the kernel costs for the model's pattern of processes and
resumptions: scheduling, the event queue, process bookkeeping and generator
switches. It is a floor: no change to the mechanisms' own code takes a replication
below it on this kernel, short of the model resuming its processes less often. (The
skeleton processes a few percent fewer events than the model: a timeout left behind
by an interrupt, a store's get, a condition fire with no process of their own.)
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import simpy
from bench_model import CountingEnvironment, cpu, load_scenario

from sim.experiment.seeds import replication_seed
from sim.model.model import Model
from sim.scenario import Resolved

DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


@dataclass
class Timeline:
    """Every process of one replication: when SimPy resumed it, and whom it started."""

    resumes: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    children: dict[int, dict[int, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    roots: list[int] = field(default_factory=list)


class TracingEnvironment(simpy.Environment):
    """Records the model's processes into a ``Timeline`` as they run."""

    def __init__(self) -> None:
        super().__init__()
        self.timeline = Timeline()
        self._keys: dict[int, int] = {}  # id(process) -> its key (an id is reused once freed)
        self._count = 0

    def process(self, generator: Generator[simpy.Event, Any, Any]) -> simpy.Process:  # type: ignore[override]
        proc = simpy.Process(self, generator)
        key = self._keys[id(proc)] = self._count
        self._count += 1
        parent = self.active_process
        if parent is None:
            self.timeline.roots.append(key)
        else:
            p = self._keys[id(parent)]
            self.timeline.children[p][len(self.timeline.resumes[p]) - 1].append(key)
        return proc

    def step(self) -> None:
        event = self._queue[0][3]
        for callback in event.callbacks or ():
            proc = getattr(callback, "__self__", None)
            if isinstance(proc, simpy.Process) and id(proc) in self._keys:
                self.timeline.resumes[self._keys[id(proc)]].append(self.peek())
        super().step()


def skeleton(env: simpy.Environment, key: int, line: Timeline) -> Generator[simpy.Event, Any, None]:
    """Process ``key``'s timeline with nothing done at each resumption."""
    kids = line.children.get(key, {})
    for i, t in enumerate(line.resumes.get(key, ())):
        if i:
            yield env.timeout(t - env.now)
        for child in kids.get(i, ()):
            env.process(skeleton(env, child, line))


def replay(line: Timeline, horizon: float, env: simpy.Environment) -> simpy.Environment:
    for key in line.roots:
        env.process(skeleton(env, key, line))
    env.run(until=horizon)
    return env


def measure(resolved: Resolved, n: int) -> dict[str, Any]:
    horizon = resolved.scenario.horizon_days * 24.0
    seed = resolved.scenario.seed
    model_ms, floor_ms, model_events, floor_events = [], [], [], []
    for i in range(-1, n):  # -1: a warm-up replication (imports, caches), not counted
        s = replication_seed(seed, n if i < 0 else i)
        traced = TracingEnvironment()
        Model(resolved, s, env=traced).run()
        line = traced.timeline
        m = 1000 * cpu(lambda s=s: Model(resolved, s).run())
        f = 1000 * cpu(lambda line=line: replay(line, horizon, simpy.Environment()))
        if i < 0:
            continue
        model_ms.append(m)
        floor_ms.append(f)
        counted = CountingEnvironment()
        Model(resolved, s, env=counted).run()
        model_events.append(counted.events)
        floor_events.append(replay(line, horizon, CountingEnvironment()).events)  # type: ignore[attr-defined]
    years = resolved.scenario.horizon_days / 365.0
    model, floor = statistics.median(model_ms) / years, statistics.median(floor_ms) / years
    return {
        "scenario": resolved.scenario.name,
        "replications": n,
        "model_ms_per_year": model,
        "skeleton_ms_per_year": floor,
        "skeleton_share": statistics.median(f / m for f, m in zip(floor_ms, model_ms, strict=True)),
        "model_events": statistics.median(model_events),
        "skeleton_events": statistics.median(floor_events),
        "years_per_core_s_if_model_code_were_free": 1000 / floor,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    ap.add_argument("-n", "--replications", type=int, default=10)
    ap.add_argument("--json", type=Path, metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if args.replications < 1:
        ap.error("--replications must be at least 1")
    fig = measure(load_scenario(args.scenario), args.replications)
    print(f"scenario                                   {fig['scenario']}")
    print(f"replications                               {fig['replications']} (CPU, median)")
    print(f"model, CPU ms / replication-year           {fig['model_ms_per_year']:.1f}")
    print(f"SimPy skeleton, CPU ms / replication-year  {fig['skeleton_ms_per_year']:.1f}")
    print(f"skeleton / model                           {fig['skeleton_share']:.0%}")
    print(
        f"events: model, skeleton                    {fig['model_events']:,.0f}, "
        f"{fig['skeleton_events']:,.0f}"
    )
    print(
        f"replication-years / core-s with the model's own code free: "
        f"{fig['years_per_core_s_if_model_code_were_free']:.1f}"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(fig, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
