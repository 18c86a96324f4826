"""Posterior-predictive runs: each replication's parameters drawn from a posterior.

Replication ``r`` keeps the model streams it has without a posterior (the
run's ``(seed, r)``), so a comparison with a run of the same seed stays
paired; which posterior world it gets is drawn from a stream of its own
(``SeedSequence([seed, DRAW_TAG], spawn_key=(r,))``), which no model stream
shares. The intervals of such a run carry both what the figures leave
unknown about the world and the dice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.posterior import Posterior, world_id
from sim.metrics.evaluate import evaluate, evaluate_metrics
from sim.metrics.outputs import Outputs
from sim.scenario.errors import ScenarioError
from sim.scenario.load import set_path

DRAW_TAG = 0x706F7374  # "post": keeps the draw streams apart from the model's


def draw(posterior: Posterior, seed: int, replication: int) -> int:
    """The posterior world (row of ``posterior.csv``) replication ``replication`` gets."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, DRAW_TAG], spawn_key=(replication,)))
    cdf = np.cumsum(posterior.weights)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(cdf) - 1))


def check_world(posterior: Posterior, scenario: dict[str, Any], source: str) -> None:
    """A posterior applies only to the world it was fitted to, and only to keys it has."""
    if world_id(scenario) != posterior.world_id:
        raise ScenarioError(
            f"--posterior {posterior.source}: fitted to the world {posterior.world!r} "
            f"(its ports, routes, zones and actors); {source} ({scenario.get('name')!r}) is "
            "another world; calibrate that world with a targets file of its own"
        )
    for path in posterior.paths:
        try:
            set_path(json.loads(json.dumps(scenario)), path, 0)
        except ScenarioError as e:
            raise ScenarioError(f"--posterior {posterior.source}: column {path!r}: {e}") from None


def with_draw(scenario_json: str, posterior: Posterior, row: int) -> str:
    """The scenario with posterior world ``row``'s parameters (whole numbers stay whole)."""
    data = json.loads(scenario_json)
    for path, x in zip(posterior.paths, posterior.values[row], strict=True):
        node: Any = data
        for part in path.split(".")[:-1]:
            node = _child(node, part)
        current = node[_key(node, path.split(".")[-1])]
        set_path(data, path, round(float(x)) if isinstance(current, int) else float(x))
    return json.dumps(data)


def _key(node: Any, part: str) -> Any:
    if isinstance(node, list):
        names = [e.get("name") for e in node]
        return int(part) if part.isdigit() else names.index(part)
    return part


def _child(node: Any, part: str) -> Any:
    return node[_key(node, part)]


@dataclass(frozen=True)
class PosteriorEvaluate:
    """``evaluate`` with the replication's posterior draw applied: a picklable callable
    that goes to worker processes and Dask like the plain function does."""

    posterior: Posterior
    seed: int
    metrics_only: bool = False
    """A sweep's evaluation: the metrics alone (``evaluate_metrics``)."""

    def __call__(self, scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
        row = draw(self.posterior, self.seed, int(seed.spawn_key[-1]))
        model = evaluate_metrics if self.metrics_only else evaluate
        return model(with_draw(scenario_json, self.posterior, row), seed)


def check_not_swept(posterior: Posterior, swept: list[str]) -> None:
    """A key both swept and drawn from the posterior would be drawn: the sweep's values
    would be dropped without a word."""
    for path in swept:
        if path in posterior.paths:
            raise ScenarioError(
                f"--posterior {posterior.source}: {path!r} is both swept and drawn from the "
                "posterior; drop it from one of the two"
            )


def draws_frame(posterior: Posterior, seed: int, replications: int) -> pd.DataFrame:
    """Which posterior world each replication gets, with its parameters."""
    rows = [draw(posterior, seed, r) for r in range(replications)]
    frame = pd.DataFrame({"replication": range(replications), "posterior_row": rows})
    for j, path in enumerate(posterior.paths):
        frame[path] = posterior.values[rows, j]
    return frame
