"""Check of the smugglers' route choice against the logit formula."""

from __future__ import annotations

import math
import time

import numpy as np

from sim.scenario import Resolved
from sim.verify.core import Check, Curve, Simulate, run, share_points
from sim.verify.worlds import SAFE_ROUTE, two_route_world

SHARPNESS = {True: (0.0, 60.0, 150.0, 300.0), False: (0.0, 30.0, 60.0, 100.0, 150.0, 225.0, 300.0)}


def cost_gap(resolved: Resolved) -> float:
    """u(safe) - u(risky) when both beliefs sit at the prior: only running costs differ.

    docs/model.md: u(a) = -q(a) - c T(a) / L, T the hours the ship is away (out and back
    plus discharge), c the running cost per hour, L the mean cargo value.
    """
    s = resolved.scenario
    seller, c = s.sellers[0], s.contract
    value = (c.price_rmb_per_tonne_min + c.price_rmb_per_tonne_max) / 2
    value *= (seller.lot_tonnes_min + seller.lot_tonnes_max) / 2
    cost = seller.operating_cost_rmb_per_day / 24.0

    def away(route: str) -> float:
        length = resolved.geography.routes[route].length_nm
        return 2 * length / seller.speed_knots + seller.discharge_hours

    (risky,) = [r for r in seller.routes if r != SAFE_ROUTE]
    return cost * (away(risky) - away(SAFE_ROUTE)) / value


def route_choice(quick: bool = True, simulate: Simulate = run) -> Check:
    """With beliefs held at the prior, the share of lots on the shorter route is the logit
    of the running-cost gap: 1 / (1 + exp(-s du))."""
    t0 = time.perf_counter()
    rows = []
    gap = math.nan
    for s in SHARPNESS[quick]:
        resolved = two_route_world(s, learn=False, seizes=False, horizon_days=200.0)
        gap = cost_gap(resolved)
        routes = [
            sh.route
            for r in range(1 if quick else 3)
            for sh in simulate(resolved, r).shipments
            if sh.route
        ]
        expected = 1.0 / (1.0 + math.exp(-s * gap))
        rows.append(
            (
                f"s={s:g}",
                s,
                expected,
                routes.count(SAFE_ROUTE),
                len(routes),
                "logit of the cost gap",
            )
        )
    points, interval = share_points(rows)
    xs = tuple(float(x) for x in np.linspace(0.0, max(SHARPNESS[quick]) * 1.05, 120))
    curve = Curve("logit of the cost gap", xs, tuple(1 / (1 + math.exp(-x * gap)) for x in xs))
    return Check(
        key="route_choice",
        title="Route choice",
        mechanism="One adaptive seller, two routes, beliefs fixed at the prior (no learning, "
        "nobody boarded): lots choose by the logit of the utility u = -q - cT/L, so only the "
        f"running-cost gap du = {gap:.4f} of a cargo's value between the routes matters; "
        "share of lots on the shorter route against the sharpness s.",
        formula="P(shorter route) = 1 / (1 + exp(-s du))",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Sharpness s",
        y_label="Share of lots on the shorter route",
        curves=(curve,),
        seconds=time.perf_counter() - t0,
    )
