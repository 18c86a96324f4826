"""Benchmark: sweep throughput on 1 and 2 workers, Dask overhead, and peak memory.

    .venv/bin/python benchmarks/bench_sweep.py [--horizon-days 30] [--json PATH]

Every figure comes from the experiment layer exactly as ``coalsim sweep`` runs it
(validation excluded, timed separately): a grid over Bohai Strait patrol vessels
on the baseline scenario with a short horizon, so that the whole benchmark takes
a few minutes on two cores.

1. Replications per second: the same sweep (10 points x 50 replications) on the
   serial executor, then on a local pool of 2 processes. Parallel efficiency is
   rate(2) / (2 x rate(1)). Executors take turns for ``--rounds`` rounds and each
   one's best round counts; each round also times a bare CPU loop on 1 and on 2
   processes, which shows how much of the second core other work left free.
2. Dask overhead: the same sweep on a Dask LocalCluster of 2 single-threaded
   worker processes; overhead per replication is (wall(Dask) - wall(pool)) / n.
   Each executor is started before the clock starts.
3. Peak memory (horizon 10 days, for time): sweeps of 1,000 and 5,000 replications
   (10 x 100, 50 x 100 and 10 x 500 points x replications), each in a fresh
   child process (serial, so one process holds everything: design, executor,
   writer), peak resident set size from ``getrusage``. The 5,000 figure must stay
   under 300 MB and must not grow with the number of replications.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "baseline.toml"
MEMORY_LIMIT_MB = 300.0
TARGET_EFFICIENCY = 0.85


def sweep_file(folder: Path, horizon_days: float, points: int, replications: int) -> Path:
    vessels = ", ".join(str(v) for v in range(points))
    path = folder / f"bench_{points}x{replications}.toml"
    path.write_text(
        f'name = "bench"\nbase = "{BASE}"\nreplications = {replications}\n'
        f"[set]\nhorizon_days = {horizon_days}\n"
        f'[design]\nkind = "grid"\n[design.parameters]\n'
        f'"patrols.bohai_strait_patrol.vessels" = [{vessels}]\n'
    )
    return path


def timed_sweep(path: Path, out: Path, executor: Any) -> tuple[float, float, int, dict[str, float]]:
    """(validation seconds, run seconds, replications) of one sweep, and the CPU seconds
    the run took in this process (the client, and a LocalCluster's scheduler) and in its
    other processes (workers, Dask's nannies)."""
    from sim.study.sweep import execute_sweep, prepare_sweep

    t0 = time.perf_counter()
    prepared = prepare_sweep(path, out=out)
    t1 = time.perf_counter()
    main0, others0 = time.process_time(), descendants_cpu()
    result = execute_sweep(prepared, executor)
    cpu = {"main": time.process_time() - main0, "workers": descendants_cpu() - others0}
    t2 = time.perf_counter()
    assert result.failures == 0
    return t1 - t0, t2 - t1, result.replications, cpu


def descendants_cpu() -> float:
    """CPU seconds so far of this process's live descendants (started before the clock)."""
    import psutil  # comes with Dask, which this benchmark needs

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # one that ended meanwhile
            t = child.cpu_times()
            total += t.user + t.system
    return total


def spin(n: int) -> float:
    """A pure-Python CPU loop; its wall time."""
    t0 = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t0


def machine_scaling(n: int = 10_000_000) -> float:
    """How well this machine runs two CPU-bound processes at once right now (1.0 = perfectly).

    Other work on the machine shows up here first: when it is well below 1, no
    parallel efficiency measured at the same time can be above it.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(spin, [1000, 1000]))
        one = next(iter(pool.map(spin, [n])))
        two = max(pool.map(spin, [n, n]))
    return one / two


def task_overhead(executor: Any, n: int = 2000) -> float:
    """Seconds per task for tasks that do nothing: the executor's own cost."""
    list(executor.imap_unordered(abs, range(8)))
    t0 = time.perf_counter()
    for _ in executor.imap_unordered(abs, range(n)):
        pass
    return (time.perf_counter() - t0) / n


def year_replication(n: int = 3) -> float:
    """Median wall seconds of one year-long baseline replication on the sweep path: the
    unit the Dask overhead is measured against (the sweeps above are shorter, for time)."""
    from sim.experiment.seeds import replication_seed
    from sim.metrics.evaluate import evaluate_metrics
    from sim.scenario import load

    s = load(BASE).scenario.model_copy(update={"horizon_days": 365.0})
    scenario_json = s.model_dump_json()
    evaluate_metrics(scenario_json, replication_seed(s.seed, n))  # warm-up
    walls = []
    for r in range(n):
        t0 = time.perf_counter()
        evaluate_metrics(scenario_json, replication_seed(s.seed, r))
        walls.append(time.perf_counter() - t0)
    return sorted(walls)[n // 2]


def throughput(folder: Path, horizon_days: float, rounds: int) -> dict[str, Any]:
    from sim.experiment.dask_executor import DaskExecutor
    from sim.experiment.executors import ProcessExecutor, SerialExecutor

    path = sweep_file(folder, horizon_days, 10, 50)
    # warm-up: imports, caches, the page cache for the coastline
    timed_sweep(sweep_file(folder, horizon_days, 2, 2), folder / "warm", SerialExecutor())
    figures: dict[str, Any] = {}
    runs: dict[str, float] = {}
    makers: dict[str, Any] = {
        "serial": SerialExecutor,
        "processes_2": lambda: ProcessExecutor(2),
        "dask_local_2": lambda: DaskExecutor(local_workers=2),
    }
    scaling = []
    # Rounds interleave the executors; each one's best round is the figure, since
    # other load on the machine only ever slows a round down.
    for k in range(rounds):
        scaling.append(machine_scaling())
        for name, make in makers.items():
            executor = make()
            try:
                if name != "serial":  # start the workers before the clock starts
                    list(executor.imap_unordered(abs, [1, 2, 3, 4]))
                client = getattr(executor, "_client", None)
                if client is not None:
                    # Dask's workers are new interpreters (the pool's are forks of this
                    # one): their first task would import the model, once per worker.
                    t0 = time.perf_counter()
                    client.run(importlib.import_module, "sim.metrics.evaluate")
                    imports = time.perf_counter() - t0
                    figures["dask_worker_import_s"] = min(
                        figures.get("dask_worker_import_s", float("inf")), imports
                    )
                check, wall, n, cpu = timed_sweep(path, folder / f"{name}_{k}", executor)
                per_task = task_overhead(executor)
                best = figures.get(f"{name}_task_overhead_ms", float("inf"))
                figures[f"{name}_task_overhead_ms"] = min(best, 1000 * per_task)
            finally:
                executor.close()
            if wall < runs.get(name, float("inf")):
                runs[name] = wall
                figures[name] = {"wall_s": wall, "replications": n, "rate_per_s": n / wall}
            for where, seconds in cpu.items():  # CPU is less moved by load: the least counts
                key = f"{name}_{where}_cpu_ms_per_replication"
                figures[key] = min(figures.get(key, float("inf")), 1000 * seconds / n)
            figures["validation_s"] = check
            print(f"round {k}: {name:>13}: {n} replications in {wall:.2f} s = {n / wall:.1f}/s")
        print(f"round {k}: machine scaling of a bare CPU loop on 2 processes: {scaling[-1]:.2f}")
    figures["machine_scaling_2"] = max(scaling)
    for name in makers:
        r = figures[name]
        print(f"best {name:>13}: {r['rate_per_s']:.1f} replications/s", flush=True)
    differ = [
        f"{name}/{f}"
        for name in ("processes_2", "dask_local_2")
        for f in ("design.csv", "runs.csv", "summary.csv", "failures.csv")
        if (folder / "serial_0" / f).read_bytes() != (folder / f"{name}_0" / f).read_bytes()
    ]
    same = not differ
    if differ:
        print(f"files that differ from the serial run: {', '.join(differ)}")
    n = figures["serial"]["replications"]
    eff = figures["processes_2"]["rate_per_s"] / (2 * figures["serial"]["rate_per_s"])
    overhead = (runs["dask_local_2"] - runs["processes_2"]) / n
    figures.update(
        parallel_efficiency_2=eff,
        dask_overhead_ms_per_replication=1000 * overhead,
        files_identical=same,
    )
    bare = figures["machine_scaling_2"]
    print(f"parallel efficiency on 2 workers: {eff:.2f} (target {TARGET_EFFICIENCY})")
    print(f"best scaling of the bare CPU loop on 2 processes meanwhile: {bare:.2f}")
    print(f"Dask overhead vs the process pool: {1000 * overhead:+.2f} ms per replication")
    for name in ("processes_2", "dask_local_2"):
        print(
            f"{name}: CPU per replication in the workers "
            f"{figures[f'{name}_workers_cpu_ms_per_replication']:.2f} ms, in this process "
            f"(the client{', the scheduler' if 'dask' in name else ''}) "
            f"{figures[f'{name}_main_cpu_ms_per_replication']:.2f} ms"
        )
    on_workers = (
        figures["dask_local_2_workers_cpu_ms_per_replication"]
        - figures["processes_2_workers_cpu_ms_per_replication"]
    )
    figures["dask_worker_cpu_overhead_ms_per_replication"] = on_workers
    from sim.experiment.replications import chunk_size

    size = chunk_size(n, 50, 2)
    for name in ("processes_2", "dask_local_2"):
        ms = figures[f"{name}_task_overhead_ms"]
        print(f"{name}: {ms:.3f} ms per empty task; tasks here hold {size} replications")
    figures["replications_per_task"] = size
    year = year_replication()
    dask_task = figures["dask_local_2_task_overhead_ms"]
    figures.update(
        year_replication_ms=1000 * year,
        dask_overhead_share_of_year=overhead / year,
        dask_worker_cpu_overhead_share_of_year=on_workers / (1000 * year),
        dask_task_cost_share_of_year_at_50=dask_task / 50 / (1000 * year),
    )
    print(
        f"one year-long baseline replication: {1000 * year:.0f} ms; Dask overhead per "
        f"replication as measured above: {overhead / year:.1%} of it; an empty Dask task "
        f"spread over a task of 50 replications (a large sweep's): "
        f"{figures['dask_task_cost_share_of_year_at_50']:.2%}; Dask's extra CPU in the "
        f"workers' processes (what a cluster's cores pay, its scheduler elsewhere): "
        f"{on_workers:+.2f} ms per replication, "
        f"{figures['dask_worker_cpu_overhead_share_of_year']:.1%} of a year-long one"
    )
    print(
        f"a new Dask worker imports the model once, before its first task: "
        f"{figures['dask_worker_import_s']:.2f} s (done before the clock above)"
    )
    print(f"validation of 10 points: {figures['validation_s']:.2f} s; files identical: {same}")
    return figures


CHILD = """
import resource, sys, time
from pathlib import Path
from sim.experiment.executors import make_executor
from sim.study.sweep import execute_sweep, prepare_sweep
t0 = time.perf_counter()
executor = make_executor(int(sys.argv[3]), 10**6)
result = execute_sweep(prepare_sweep(Path(sys.argv[1]), out=Path(sys.argv[2])), executor)
executor.close()
print(result.replications, time.perf_counter() - t0,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def memory(folder: Path, horizon_days: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for points, reps, workers in ((10, 100, 1), (50, 100, 1), (10, 500, 1), (50, 100, 2)):
        path = sweep_file(folder, horizon_days, points, reps)
        out = folder / f"mem_{points}x{reps}_{workers}"
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(out), str(workers)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        n, wall, peak, worker_peak = proc.stdout.split()
        key = f"{points}x{reps}" + ("" if workers == 1 else f"_{workers}_workers")
        figures[key] = {
            "replications": int(n),
            "wall_s": float(wall),
            "peak_rss_mb": float(peak),
            "worker_peak_rss_mb": float(worker_peak) if workers > 1 else None,
        }
        line = f"{key:>17}: {n} replications, peak RSS {float(peak):.0f} MB"
        if workers > 1:
            line += f" (main process), {float(worker_peak):.0f} MB (largest worker)"
        print(f"{line} ({float(wall):.1f} s)")
    peak5k = figures["50x100"]["peak_rss_mb"]
    growth = peak5k - figures["10x100"]["peak_rss_mb"]
    figures.update(peak_5000_mb=peak5k, growth_1000_to_5000_mb=growth)
    verdict = "PASS" if peak5k < MEMORY_LIMIT_MB else "FAIL"
    print(f"peak RSS of the 5,000-replication sweep: {peak5k:.0f} MB ({verdict}, limit 300 MB)")
    print(f"growth from 1,000 to 5,000 replications: {growth:+.1f} MB")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--horizon-days", type=float, default=30.0)
    ap.add_argument(
        "--memory-horizon-days", type=float, default=10.0, help="horizon of the memory sweeps"
    )
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds (best one counts)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        folder = Path(tmp)
        figures: dict[str, Any] = {"horizon_days": args.horizon_days}
        figures["throughput"] = throughput(folder, args.horizon_days, args.rounds)
        if not args.skip_memory:
            figures["memory"] = memory(folder, args.memory_horizon_days)
    figures["bench_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
