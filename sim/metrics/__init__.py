"""What a finished replication's records say: metrics, weekly series and the long tables.

``METRICS`` is the registry of metric definitions (``sim.metrics.registry``). The
functions that compute from records load on first use, so that reading a definition
or a unit (the CLI's tables, ``--help``) does not import pandas and the model.
"""

from typing import Any

from sim.metrics.registry import METRICS, Metric, definition

_COMPUTED = (
    "displacement_frames",
    "network_frames",
    "on_station_hours",
    "replication_metrics",
    "shipments_frame",
    "weekly_series",
)

__all__ = ["METRICS", "Metric", "definition", *_COMPUTED]


def __getattr__(name: str) -> Any:
    if name in _COMPUTED:
        from sim.metrics import replication

        return getattr(replication, name)
    raise AttributeError(f"module 'sim.metrics' has no attribute {name!r}")
