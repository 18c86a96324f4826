"""What one replication returns, by name, so that no caller depends on an order of tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:  # pandas loads only when a frame is asked for
    import numpy as np
    import pandas as pd

Column: TypeAlias = "Sequence[Any] | np.ndarray"
Kind = Literal["float", "int", "bool", "str"]
"""What a column holds, which fixes how it is written: floats as ``%.10g`` (NaN as an
empty cell), integers and booleans as Python prints them, strings as they are."""


@dataclass(frozen=True)
class Columns:
    """One table of a replication, whole columns of Python values (or numpy arrays).

    Why not a pandas frame: a run folder only writes these values out as CSV, and
    building a frame (pandas infers every column's type) cost more than writing it.
    ``frame`` builds one when it is wanted: the Python API's results, tests.
    """

    data: dict[str, Column]
    kinds: dict[str, Kind]

    def __post_init__(self) -> None:
        if list(self.kinds) != list(self.data):
            raise ValueError(f"kinds {list(self.kinds)} do not match columns {list(self.data)}")
        if len({len(v) for v in self.data.values()}) > 1:
            lengths = {k: len(v) for k, v in self.data.items()}
            raise ValueError(f"columns of unequal lengths: {lengths}")

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]], kinds: dict[str, Kind]) -> Columns:
        """The table of ``rows``, whose values come in the order of ``kinds``' columns."""
        data = zip(*rows, strict=True) if rows else [()] * len(kinds)
        return cls({n: list(c) for n, c in zip(kinds, data, strict=True)}, dict(kinds))

    @property
    def names(self) -> list[str]:
        return list(self.data)

    @property
    def rows(self) -> int:
        return len(next(iter(self.data.values()), ()))

    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame; with no rows its columns are objects, as a frame
        built from no records has."""
        import pandas as pd

        if self.rows == 0:
            return pd.DataFrame([], columns=self.names)
        return pd.DataFrame(self.data, columns=self.names)


@dataclass(frozen=True)
class Outputs:
    """One replication's metrics row and its tables, each table named as the file a run
    folder keeps it in (``timeseries`` -> ``timeseries.csv``)."""

    metrics: dict[str, float]
    tables: dict[str, Columns] = field(default_factory=dict)
