"""The speed at which a random searcher sweeps past a moving target.

Koopman's random-search rate W v / A takes v as the speed of the searcher
relative to the target. A target moving at u on a heading independent of the
searcher's (every relative angle equally likely) meets it at a mean relative
speed of

    E|v - u| = (2 / pi) (v + u) E(m),   m = 4 u v / (u + v)^2,

with E the complete elliptic integral of the second kind (parameter m):
v for a stationary target, 4 v / pi for equal speeds. Reading v as the patrol's
own speed undercounts contacts with a moving target (about 8% at 18 vs 10
knots); the derivation is in docs/model.md ("Random search").
"""

from __future__ import annotations

import math
from functools import lru_cache

from scipy.special import ellipe


@lru_cache(maxsize=256)
def mean_relative_speed(searcher_knots: float, target_knots: float) -> float:
    """Mean of |v - u| over a uniformly random angle between the two headings."""
    v, u = searcher_knots, target_knots
    if v + u <= 0.0:
        return 0.0
    m = 4.0 * u * v / (u + v) ** 2
    return 2.0 / math.pi * (v + u) * float(ellipe(min(m, 1.0)))
