"""What a finished replication's records say: metrics, weekly series and the long tables."""

from sim.metrics.replication import (
    METRICS,
    displacement_frames,
    network_frames,
    replication_metrics,
    shipments_frame,
    weekly_series,
)

__all__ = [
    "METRICS",
    "displacement_frames",
    "network_frames",
    "replication_metrics",
    "shipments_frame",
    "weekly_series",
]
