"""Numbers as an analyst reads them in a terminal table: 1.2 M, 340 k, 0.127."""

from __future__ import annotations

import math


def human(x: float) -> str:
    if math.isnan(x):
        return "n/a"
    a = abs(x)
    for div, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"
