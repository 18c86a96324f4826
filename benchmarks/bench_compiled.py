"""The compiled build (``make fast``) against the pure-Python one: same results, how much faster.

Two interpreters run the same replications: ``--pure`` (default ``.venv/bin/python``,
the editable install of this checkout) and ``--fast`` (default
``.venv-fast/bin/python``, where ``make fast`` installed this checkout with the model
and SimPy's kernel compiled by mypyc). Each runs in a child process that imports ``sim``
from its own installation and reports whether its model and kernel are compiled.

1. **Identical results.** For every shipped scenario (``scenarios/*.toml``), replications
   ``0..k-1`` at a 200-day horizon: the SHA-256 of each replication's metrics (as
   ``repr``) and of every table as the CSV a run folder's writer writes it, after the
   outputs have gone through ``pickle`` as a worker's results do. Any difference is
   printed and the script exits 1.
2. **Speed**, paired: ``--rounds`` rounds, each timing both interpreters on the same
   replications of the baseline and of the foundation scope (``bench_model.py``'s two
   scenarios, their full horizon, sweep path: ``evaluate_metrics``), the order
   alternating from round to round. Each child reports ``time.process_time`` of
   its replications only (imports and a warm-up replication excluded).

    .venv/bin/python benchmarks/bench_compiled.py            # make bench-fast
    .venv/bin/python benchmarks/bench_compiled.py --rounds 5 -n 10 --json out.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench_model import build_name

if TYPE_CHECKING:
    from sim.metrics.outputs import Columns

ROOT = Path(__file__).resolve().parent.parent
IDENTITY_HORIZON_DAYS = 200
SPEED_SCENARIOS = ("scenarios/baseline.toml", "benchmarks/bench_foundation.toml")


def written(table: Columns) -> bytes:
    """A table's bytes as a run folder's writer (compiled in ``make fast``) writes them."""
    from sim.experiment.stream import Table

    with tempfile.TemporaryDirectory(prefix="bench_compiled_") as tmp:
        t = Table(Path(tmp), "t.csv", None)
        t.create()
        t.append(table, {"replication": 0, "seed": 0})
        t.finish()
        return (Path(tmp) / "t.csv").read_bytes()


def child(mode: str, scenarios: list[str], replications: int) -> None:
    """Runs inside each interpreter; prints one JSON object on stdout."""
    import time

    import sim.model.model as model_module
    from sim.experiment.seeds import replication_seed
    from sim.experiment.store import kernel_compiled, model_compiled
    from sim.metrics.evaluate import evaluate, evaluate_metrics
    from sim.scenario.load import load

    out: dict[str, object] = {
        "compiled": model_compiled(),
        "kernel_compiled": kernel_compiled(),
        "model_file": model_module.__file__,
    }
    if mode == "identity":
        digests: dict[str, list[str]] = {}
        for path in scenarios:
            resolved = load(path, [f"horizon_days={IDENTITY_HORIZON_DAYS}"])
            js = resolved.scenario.model_dump_json()
            digests[path] = []
            for r in range(replications):
                # through pickle, as a worker process's results come back to a run
                seed = replication_seed(resolved.scenario.seed, r)
                outputs = pickle.loads(pickle.dumps(evaluate(js, seed)))
                h = hashlib.sha256(repr(outputs.metrics).encode())
                for name in sorted(outputs.tables):
                    h.update(name.encode())
                    h.update(written(outputs.tables[name]))
                digests[path].append(h.hexdigest())
        out["digests"] = digests
    else:
        resolved = load(scenarios[0])
        js = resolved.scenario.model_dump_json()
        evaluate_metrics(js, replication_seed(resolved.scenario.seed, 10_000))  # warm-up
        start = time.process_time()
        for r in range(replications):
            evaluate_metrics(js, replication_seed(resolved.scenario.seed, r))
        out["cpu_s"] = time.process_time() - start
        out["years"] = replications * resolved.scenario.horizon_days / 365.0
    print(json.dumps(out))


def run_child(python: str, mode: str, scenarios: list[str], replications: int) -> dict[str, object]:
    args = [python, str(Path(__file__).resolve()), "--child", mode, "-n", str(replications)]
    done = subprocess.run(args + scenarios, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{python} failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def identity(pure: str, fast: str, scenarios: list[str], replications: int) -> bool:
    a = run_child(pure, "identity", scenarios, replications)
    b = run_child(fast, "identity", scenarios, replications)
    same = a["digests"] == b["digests"]
    da, db = a["digests"], b["digests"]
    assert isinstance(da, dict) and isinstance(db, dict)
    for path in scenarios:
        status = "identical" if da[path] == db[path] else "DIFFERENT"
        print(f"  {path:<48} {replications} replications, {IDENTITY_HORIZON_DAYS} days: {status}")
    return same


def speed(pure: str, fast: str, scenario: str, replications: int, rounds: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"pure": [], "fast": []}
    years = 0.0
    for k in range(rounds):
        order = [("pure", pure), ("fast", fast)]
        for name, python in order if k % 2 == 0 else order[::-1]:
            result = run_child(python, "speed", [scenario], replications)
            cpu, years = float(str(result["cpu_s"])), float(str(result["years"]))
            times[name].append(cpu)
    ms = {name: 1000 * statistics.median(t) / years for name, t in times.items()}
    ratios = [p / f for p, f in zip(times["pure"], times["fast"], strict=True)]
    return {
        "pure_ms_per_year": ms["pure"],
        "fast_ms_per_year": ms["fast"],
        "pure_years_per_core_s": 1000 / ms["pure"],
        "fast_years_per_core_s": 1000 / ms["fast"],
        "speedup_median_paired": statistics.median(ratios),
        "speedup_min": min(ratios),
        "speedup_max": max(ratios),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pure", default=str(ROOT / ".venv/bin/python"))
    parser.add_argument("--fast", default=str(ROOT / ".venv-fast/bin/python"))
    parser.add_argument("-n", "--replications", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--identity-replications", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", choices=["identity", "speed"])
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scenarios, args.replications)
        return
    if not Path(args.fast).exists():
        sys.exit(f"{args.fast} not found: run `make fast` first")
    probe = run_child(args.fast, "speed", ["scenarios/baseline.toml"], 0)
    if not probe["compiled"]:
        sys.exit(f"{args.fast} runs the pure-Python model ({probe['model_file']}): run `make fast`")
    built = {"model_compiled": probe["compiled"], "kernel_compiled": probe["kernel_compiled"]}
    print(f"{args.fast}: {build_name(built)}")
    shipped = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.toml"))
    print("identical results, pure-Python and compiled model:")
    same = identity(args.pure, args.fast, shipped, args.identity_replications)
    report: dict[str, object] = {"identical": same}
    for scenario in SPEED_SCENARIOS:
        figures = speed(args.pure, args.fast, scenario, args.replications, args.rounds)
        report[scenario] = figures
        print(
            f"\nspeed, {scenario}, sweep path, {args.rounds} paired rounds of "
            f"{args.replications} replications, CPU time:"
        )
        print(
            f"  pure Python   {figures['pure_ms_per_year']:7.1f} ms / replication-year "
            f"({figures['pure_years_per_core_s']:.1f} replication-years / core-s)"
        )
        print(
            f"  compiled      {figures['fast_ms_per_year']:7.1f} ms / replication-year "
            f"({figures['fast_years_per_core_s']:.1f} replication-years / core-s)"
        )
        print(
            f"  speed-up      {figures['speedup_median_paired']:.2f}x paired median "
            f"({figures['speedup_min']:.2f} to {figures['speedup_max']:.2f})"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
