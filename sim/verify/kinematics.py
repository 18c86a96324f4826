"""Speeds the checks' formulas need, worked out apart from the model's own code.

The model takes the mean relative speed of a patrol and a ship on random
headings from the closed form with an elliptic integral
(sim.model.search_speed); the checks average |v - u| over the angle between
the headings numerically instead, so a slip in either shows as a failed check.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import Resolved

ANGLES = np.linspace(0.0, 2.0 * np.pi, 20_001)[:-1]  # midpoint-free grid: exact for periodic


def relative_speed(searcher_knots: float, target_knots: float) -> float:
    """Mean of sqrt(v^2 + u^2 - 2 u v cos(theta)) over theta uniform on [0, 2 pi)."""
    v, u = searcher_knots, target_knots
    return float(np.mean(np.sqrt(v * v + u * u - 2.0 * u * v * np.cos(ANGLES))))


def search_speed(resolved: Resolved, patrol_knots: float, ship_knots: float) -> float:
    """The speed in W v / A for this world: relative, or the patrol's own under "patrol"."""
    if resolved.scenario.detection.search_speed == "patrol":
        return patrol_knots
    return relative_speed(patrol_knots, ship_knots)
