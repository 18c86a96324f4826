"""Numbers as an analyst reads them in a terminal table: 1.20 M, 340 k, 0.127."""

from __future__ import annotations

import math


def human(x: float) -> str:
    """Three significant figures, with k, M or bn from a thousand up.

    The rounding comes first, so 999.6 reads "1.00 k" (not "1e+03") and a
    column keeps one style: 1.00 k, 1.05 k, 340, 0.127.
    """
    if math.isnan(x):
        return "n/a"
    if math.isinf(x) or x == 0:
        return str(x) if math.isinf(x) else "0"
    r = float(f"{x:.3g}")
    a = abs(r)
    for div, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if a >= div:
            return _sig3(r / div) + suffix
    return _sig3(r)


def _sig3(x: float) -> str:
    if abs(x) >= 1000:  # only past the largest suffix: 1,500 bn
        return f"{x:,.0f}"
    s = f"{x:#.3g}"
    return s.rstrip(".") if "e" not in s else s
