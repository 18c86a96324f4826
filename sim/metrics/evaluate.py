"""The coal model as the experiment layer sees it: scenario JSON and a seed in, named
outputs out (as the EMA Workbench's models return named outcomes).

Workers receive the scenario as JSON and resolve it once per process:
traced geography is cheap to rebuild but needless to ship for every task.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.metrics import replication
from sim.metrics.outputs import Outputs
from sim.model.model import fewer_collections, simulate
from sim.scenario import Resolved, Scenario, resolve


@lru_cache(maxsize=8)
def _resolved(scenario_json: str) -> Resolved:
    return resolve(Scenario.model_validate_json(scenario_json))


def evaluate(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """Every output of one replication: metrics and the tables a run folder keeps (weekly
    series, shipment log, trading network, volume and zones)."""
    with fewer_collections():  # the whole replication: building, running and reading it
        out = simulate(_resolved(scenario_json), seed)
        nodes, edges = replication.network_columns(out)
        return Outputs(
            replication.replication_metrics(out),
            {
                "timeseries": replication.weekly_columns(out),
                "shipments": replication.shipments_columns(out),
                "network_nodes": nodes,
                "network_edges": edges,
                **replication.displacement_columns(out),
            },
        )


def evaluate_metrics(scenario_json: str, seed: np.random.SeedSequence) -> Outputs:
    """Like ``evaluate`` but only the metrics: what sweeps keep.

    Building the weekly series, the shipment log and the long tables (network,
    volume, zones) costs about as much as a short simulation itself, so
    sweeps, which save none of them, skip them, and the model skips the weekly sample
    that only the weekly series reads (``simulate``'s ``series``): the metrics are the
    same as ``evaluate``'s, to the last bit.
    """
    with fewer_collections():
        out = simulate(_resolved(scenario_json), seed, series=False)
        return Outputs(replication.replication_metrics(out))
