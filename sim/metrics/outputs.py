"""What one replication returns, by name, so that no caller depends on an order of tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Outputs:
    """One replication's metrics row and its tables, each table named as the file a run
    folder keeps it in (``timeseries`` -> ``timeseries.csv``)."""

    metrics: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
