"""Small purpose-built worlds for analytic tests, on the real default geography."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.experiment.seeds import replication_seed
from sim.model.model import RunOutput, simulate
from sim.scenario import Resolved, Scenario, resolve

# An open-sea box on the Nampo-Lianyungang route, clear of land, so its
# searchable area is the plain spherical rectangle.
OPEN_SEA_BOX = [[122.0, 35.5], [123.5, 35.5], [123.5, 36.5], [122.0, 36.5]]
ROUTE = "nampo-lianyungang"


def search_world(
    *,
    vessels: int = 1,
    sweep_width_nm: float = 8.0,
    speed_knots: float = 18.0,
    endurance_hours: float = 1e7,
    transit_hours: float | None = 0.0,
    turnaround_hours: float = 0.0,
    start: str = "on_station",
    recognition_probability: float = 0.0,
    lot_interval_days: float = 0.5,
    horizon_days: float = 365.0,
    seed: int = 7,
    **extra: Any,
) -> Resolved:
    """One seller shipping on one route through one patrolled open-sea zone.

    With recognition 0 nothing is ever boarded, so patrols never leave for an
    escort and their on-station schedule is exactly the configured duty cycle.
    """
    patrol: dict[str, Any] = {
        "name": "test_patrol", "base": "Lianyungang", "zone": "box", "vessels": vessels,
        "sweep_width_nm": sweep_width_nm, "speed_knots": speed_knots,
        "endurance_hours": endurance_hours, "turnaround_hours": turnaround_hours, "start": start,
    }  # fmt: skip
    if transit_hours is not None:
        patrol["transit_hours"] = transit_hours
    data: dict[str, Any] = {
        "seed": seed,
        "horizon_days": horizon_days,
        "zones": [{"name": "box", "polygon": OPEN_SEA_BOX}],
        "patrols": [patrol],
        "detection": {"recognition_probability": recognition_probability},
        "market": {"kind": "fixed"},
        "tips": {"knowers": 0},
        "sellers": [
            {
                "name": "s",
                "port": "Nampo",
                "routes": [ROUTE],
                "vessels": 200,
                "lot_interval_days": lot_interval_days,
            }
        ],
    }
    for key, value in extra.items():
        data[key] = value
    return resolve(Scenario.model_validate(data))


def run(resolved: Resolved, replication: int = 0) -> RunOutput:
    return simulate(resolved, replication_seed(resolved.scenario.seed, replication))


def binomial_halfwidth(p: float | np.ndarray, n: int, z: float = 2.576) -> float:
    """Half-width of the 99% normal-approximation interval for a fraction of ``n`` trials."""
    return float(z * np.sqrt(np.mean(p) * (1 - np.mean(p)) / n))
