"""The coal model as the experiment layer sees it: scenario JSON and a seed in, tables out.

Workers receive the scenario as JSON and resolve it once per process:
traced geography is cheap to rebuild but needless to ship for every task.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from sim import metrics
from sim.model.model import simulate
from sim.scenario import Resolved, Scenario, resolve


@lru_cache(maxsize=8)
def _resolved(scenario_json: str) -> Resolved:
    return resolve(Scenario.model_validate_json(scenario_json))


def evaluate(
    scenario_json: str, seed: np.random.SeedSequence
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Metrics row, weekly series, shipment log, trading network, and the volume and zones
    tables of one replication."""
    out = simulate(_resolved(scenario_json), seed)
    nodes, edges = metrics.network_frames(out)
    return (
        metrics.replication_metrics(out),
        metrics.weekly_series(out),
        metrics.shipments_frame(out),
        {"network_nodes": nodes, "network_edges": edges, **metrics.displacement_frames(out)},
    )


_NO_FRAME = pd.DataFrame()


def evaluate_metrics(
    scenario_json: str, seed: np.random.SeedSequence
) -> tuple[dict[str, float], pd.DataFrame, pd.DataFrame]:
    """Like ``evaluate`` but only the metrics row: what sweeps keep.

    Building the weekly series, the shipment log and the long tables (network,
    volume, zones) costs about as much as a short simulation itself, so
    sweeps, which save none of them, skip them.
    """
    out = simulate(_resolved(scenario_json), seed)
    return metrics.replication_metrics(out), _NO_FRAME, _NO_FRAME
