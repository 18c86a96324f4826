"""Small purpose-built worlds for analytic tests, on the real default geography."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.experiment.seeds import replication_seed
from sim.model import sections
from sim.model.model import RunOutput, simulate
from sim.model.params import copy_into
from sim.scenario import Resolved

# The purpose-built worlds live in the package, where `coalsim verify` uses them too.
from sim.verify.worlds import OPEN_SEA_BOX, ROUTE, search_world

__all__ = ["OPEN_SEA_BOX", "ROUTE", "binomial_halfwidth", "run", "search_world", "section"]


def run(resolved: Resolved, replication: int = 0) -> RunOutput:
    return simulate(resolved, replication_seed(resolved.scenario.seed, replication))


def binomial_halfwidth(p: float | np.ndarray, n: int, z: float = 2.576) -> float:
    """Half-width of the 99% normal-approximation interval for a fraction of ``n`` trials."""
    return float(z * np.sqrt(np.mean(p) * (1 - np.mean(p)) / n))


def relative_knots(patrol: float, ship: float) -> float:
    """Mean |v - u| over a uniformly random angle between headings, by brute-force averaging
    (the model uses the elliptic-integral closed form)."""
    theta = np.linspace(0.0, 2.0 * np.pi, 100_000, endpoint=False)
    return float(np.mean(np.hypot(patrol - ship * np.cos(theta), ship * np.sin(theta))))


def section(model: BaseModel) -> Any:
    """A schema section (a ``Buyer``, ``Beliefs``, ...) as the model reads it, the class of
    ``sim.model.sections`` the model builds from a scenario: the compiled build takes only
    that."""
    return copy_into(getattr(sections, type(model).__name__ + "Section"), model)
