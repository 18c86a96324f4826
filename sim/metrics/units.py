"""How a number is shown to a reader: the unit it is shown in and its rounding.

The terminal, the report's tables and its figures all show a metric through
its ``Unit``, so "6.70 %" and "4,010 kt" read the same wherever they appear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unit:
    """How a metric is shown: value / scale, in ``label`` (e.g. million RMB)."""

    scale: float
    label: str
    short: str = ""
    """For narrow tables: 'M RMB', 'k h'; the label when empty."""

    def __call__(self, x: Any) -> Any:
        """``x`` (a number, an array or a Series) in this unit."""
        return x / self.scale

    @property
    def brief(self) -> str:
        """The shortest name of the unit (``short``, else ``label``)."""
        return self.short or self.label


MILLION_RMB = Unit(1e6, "million RMB", "M RMB")
KT = Unit(1e3, "kt")
PERCENT = Unit(0.01, "%")
THOUSAND_HOURS = Unit(1e3, "thousand vessel-hours", "k h")
COUNT = Unit(1.0, "")
RATIO = Unit(1.0, "RMB per RMB", "RMB/RMB")
TONNES = Unit(1.0, "t")
TONNES_PER_DAY = Unit(1.0, "t/day")
DAYS = Unit(1.0, "days")
TONNES_PER_MILLION_RMB = Unit(1.0, "t per million RMB", "t/M RMB")


def number(x: float | None) -> str:
    """Three significant figures with thousands separators: 3,982 / 519 / 12.3 / 0.052."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    a = abs(x)
    if a >= 100 or a == 0:
        return f"{x:,.0f}"
    digits = 2 - math.floor(math.log10(a))
    return f"{x:,.{digits}f}"


def counted(n: int, noun: str) -> str:
    """'1 replication', '4 replications': a count with its noun, plural but for one."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
