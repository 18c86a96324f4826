"""DPRK trading companies: lots come ready at the configured rate and are shipped.

Each company has its own loading port, lot sizes and fleet. In this version
a company ships every lot as soon as a ship is free, on one of its routes
chosen by the configured weights; a lot waits while every ship is out.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.model.records import Shipment
from sim.model.voyages import shipment
from sim.scenario.schema import Seller

if TYPE_CHECKING:
    from sim.model.model import Model


def produce(model: Model, seller: Seller) -> Generator[simpy.Event, Any, None]:
    env, rng = model.env, model.rng["sellers"]
    routes = [model.geography.routes[r] for r in seller.routes]
    weights = np.asarray(seller.route_weights or [1.0] * len(routes), dtype=float)
    weights = weights / weights.sum()
    mean_hours = seller.lot_interval_days * 24.0
    while True:
        gap = mean_hours if seller.lot_interval == "fixed" else float(rng.exponential(mean_hours))
        yield env.timeout(gap)
        route = routes[int(rng.choice(len(routes), p=weights))] if len(routes) > 1 else routes[0]
        tonnes = float(rng.uniform(seller.lot_tonnes_min, seller.lot_tonnes_max))
        rec = Shipment(
            len(model.recorder.shipments),
            seller.name,
            route.name,
            route.origin,
            route.destination,
            tonnes,
            env.now,
        )
        model.recorder.shipments.append(rec)
        env.process(shipment(model, seller, rec, route))
