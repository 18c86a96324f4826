"""Evaluation functions with known answers, for testing the experiment layer through its hook.

The experiment layer takes any module-level evaluation function; these stand in
for the model so that sensitivity indices can be checked against theory and
failures can be provoked on purpose. Each takes the point's JSON and a seed
sequence, as ``sim.metrics.evaluate.evaluate`` does.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from sim.experiment.design import Design
from sim.experiment.sweepfile import Sweep
from sim.metrics.outputs import Outputs

LINEAR = (4.0, 2.0, 1.0)  # y = 4 x1 + 2 x2 + x3 on [0, 1]^3
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(point_json: str, seed: np.random.SeedSequence) -> Outputs:
    x1, x2, x3 = json.loads(point_json)["x"]
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return Outputs({"y": y})


def ishigami_indices() -> tuple[list[float], list[float]]:
    """Analytic first-order and total indices of the Ishigami function."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def linear(point_json: str, seed: np.random.SeedSequence) -> Outputs:
    x = json.loads(point_json)["x"]
    return Outputs({"y": float(np.dot(LINEAR, x))})


def noisy_linear(point_json: str, seed: np.random.SeedSequence) -> Outputs:
    """The linear model plus replication noise, and a second output."""
    x = json.loads(point_json)["x"]
    noise = np.random.default_rng(seed).normal(0.0, 0.1)
    y = float(np.dot(LINEAR, x)) + noise
    return Outputs({"y": y, "z": 2 * y})


def synthetic_sweep(design: Design, replications: int = 1, seed: int = 3) -> Sweep:
    """A sweep whose points are bare parameter vectors, for the functions above."""
    return Sweep(
        source=Path("synthetic.toml"),
        name="synthetic",
        description="",
        base_path=Path("none.toml"),
        base_scenario={},
        replications=replications,
        seed=seed,
        outputs=("y",),
        fixed=(),
        design=design,
        point_json=[json.dumps({"x": list(map(float, row))}) for row in design.rows],
    )


def flaky(point_json: str, seed: np.random.SeedSequence) -> Outputs:
    """The linear model, except that replication 1 of any point with x1 = 0.5 raises."""
    x = json.loads(point_json)["x"]
    if x[0] == 0.5 and seed.spawn_key == (1,):
        raise ValueError(f"provoked failure at x = {x}")
    return linear(point_json, seed)


STOP_AT: dict[str, int] = {"point": -1}


def stops(point_json: str, seed: np.random.SeedSequence) -> Outputs:
    """Ctrl-C (as a KeyboardInterrupt) when the sweep reaches x1 = STOP_AT["point"]."""
    x = json.loads(point_json)["x"]
    if x[0] == STOP_AT["point"]:
        raise KeyboardInterrupt
    return noisy_linear(point_json, seed)


def flaky_model(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """The coal model, except that replication 1 of a point with no fine raises."""
    from sim.metrics.evaluate import evaluate_metrics

    if json.loads(scenario_json)["enforcement"]["fine_rmb"] == 0 and seed.spawn_key == (1,):
        raise RuntimeError("provoked model failure")
    return evaluate_metrics(scenario_json, seed)


def dies(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """A worker process that ends at once, as one the kernel kills for its memory does."""
    import os

    os._exit(1)
