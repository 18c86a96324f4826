"""What a finished replication's records say: metrics, weekly series and the long tables.

``METRICS`` is the registry of metric definitions (``sim.metrics.registry``).
"""

from sim.metrics.registry import METRICS, Metric, definition
from sim.metrics.replication import (
    displacement_frames,
    network_frames,
    on_station_hours,
    replication_metrics,
    shipments_frame,
    weekly_series,
)

__all__ = [
    "METRICS",
    "Metric",
    "definition",
    "displacement_frames",
    "network_frames",
    "on_station_hours",
    "replication_metrics",
    "shipments_frame",
    "weekly_series",
]
