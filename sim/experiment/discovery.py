"""Scenario discovery: PRIM boxes of input conditions under which a condition holds.

PRIM (Friedman and Fisher 1999) peels the input space a little at a time, keeping the
points where the condition holds, and traces a trajectory of ever smaller boxes: each
with its coverage (the share of all cases of interest inside it) and density (the share
of the points inside it that are of interest). The EMA Workbench's implementation does
the peeling and pasting and gives each restricted limit a quasi-p value (Bryant and
Lempert 2010: a one-sided binomial test of whether the limit raises the density; below
0.05, the restriction is unlikely to be chance).

The EMA Workbench 3.0 needs Python 3.12; coalsim supports 3.11, so it pins the 2.5
series, whose PRIM is the same algorithm (see docs/decisions.md).

The box chosen by default maximises the harmonic mean of coverage and density (the F1
score of the box as a classifier of the cases of interest): the trajectory's end has
density 1 and little coverage, its start coverage 1 and the base rate's density, and
neither is what an analyst wants.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario.errors import ScenarioError

TRAJECTORY_COLUMNS = ["box", "coverage", "density", "mass", "restricted", "n", "k", "f1"]
LIMIT_COLUMNS = ["box", "parameter", "low", "high", "restricted", "qp_low", "qp_high"]
SIGNIFICANT = 0.05


@dataclass(frozen=True)
class Discovery:
    trajectory: pd.DataFrame
    """One row per box on the peeling trajectory (``TRAJECTORY_COLUMNS``), box 0 the whole
    space."""
    limits: pd.DataFrame
    """Every box's range of every parameter (``LIMIT_COLUMNS``); quasi-p values for the
    restricted limits only."""
    chosen: int
    cases: int
    of_interest: int

    def box(self, i: int) -> pd.DataFrame:
        return self.limits[self.limits["box"] == i].reset_index(drop=True)


def _prim() -> Any:
    """The workbench's PRIM module, imported quietly: the package warns at import about
    optional parallel back ends coalsim does not use, and logs every box."""
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


def discover(
    x: pd.DataFrame, y: np.ndarray, *, peel_alpha: float = 0.05, mass_min: float = 0.05
) -> Discovery:
    """PRIM over the inputs ``x`` (one row per case) for the cases where ``y`` is True."""
    y = np.asarray(y, dtype=bool)
    k = int(y.sum())
    if k == 0 or k == len(y):
        said = "none" if k == 0 else "all"
        raise ScenarioError(
            f"the condition holds at {said} of the {len(y)} points; there is no boundary to find"
        )
    kept = [c for c in x.columns if x[c].nunique() > 1]
    if not kept:
        raise ScenarioError("every parameter has one value across the points; nothing to peel")
    frame = x[kept].reset_index(drop=True).copy()
    for c in kept:  # numbers are peeled as floats, anything else is a category
        if pd.api.types.is_bool_dtype(frame[c]) or not pd.api.types.is_numeric_dtype(frame[c]):
            frame[c] = frame[c].astype(str)
        else:  # integers too: the 2.5 workbench's pasting writes floats into an integer
            frame[c] = frame[c].astype(np.float64)  # column, which pandas 3 refuses
    prim = _prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # y is 0 or 1: a threshold between makes the cases of interest the 1s, and any
        # box with one of them inside is kept rather than replaced by the whole space
        algo = prim.Prim(frame, y.astype(float), threshold=0.5 / len(y), peel_alpha=peel_alpha,
                         mass_min=mass_min)  # fmt: skip
        box = algo.find_box()
    trajectory = _trajectory(box)
    limits = _limits(box, list(x.columns), kept, frame)
    chosen = int(trajectory["f1"].to_numpy().argmax())
    return Discovery(trajectory, limits, chosen, len(y), k)


def _trajectory(box: Any) -> pd.DataFrame:
    t = box.peeling_trajectory
    c, d = t["coverage"].to_numpy(float), t["density"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(c + d > 0, 2 * c * d / (c + d), 0.0)
    return pd.DataFrame(
        {
            "box": range(len(t)),
            "coverage": c,
            "density": d,
            "mass": t["mass"].to_numpy(float),
            "restricted": t["res_dim"].to_numpy(int),
            "n": t["n"].to_numpy(int),
            "k": t["k"].to_numpy(int),
            "f1": f1,
        }
    )[TRAJECTORY_COLUMNS]


def _qp(value: Any) -> float:
    v = float(value)
    return math.nan if v < 0 else v


def _limits(box: Any, columns: list[str], kept: list[str], frame: pd.DataFrame) -> pd.DataFrame:
    """Each box's limits; a category's limit is the set of values it keeps, as text."""
    rows = []
    for i, lims in enumerate(box.box_lims):
        qp = box.qp[i] if i < len(box.qp) else {}
        for c in columns:
            if c not in kept:  # one value everywhere: never restricted
                continue
            low, high = lims[c].iloc[0], lims[c].iloc[1]
            if isinstance(low, set):
                values = sorted(map(str, low))
                whole = set(map(str, frame[c].unique()))
                restricted = set(values) != whole
                low = high = "{" + ", ".join(values) + "}"
            else:
                low, high = float(low), float(high)
                restricted = c in qp
            q = qp.get(c, [-1, -1])
            rows.append((i, c, low, high, restricted, _qp(q[0]), _qp(q[1])))
    return pd.DataFrame(rows, columns=LIMIT_COLUMNS)


def significant(qp_low: float, qp_high: float) -> bool:
    """A restriction whose quasi-p value (on either restricted side) is below 0.05."""
    ends = [q for q in (qp_low, qp_high) if np.isfinite(q)]
    return bool(ends) and max(ends) < SIGNIFICANT
