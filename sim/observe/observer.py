"""The observer: each delivery and seizure of a finished run is seen or not, by chance.

The observer draws from its own random stream, keyed apart from every model
stream, and only after the run: observing changes nothing in the trade, and
the true figures of a run are the same with any observation settings.

Each shipment record takes exactly one uniform, in record order, whether or
not it can be seen; an event is seen when its uniform falls below its chance.
So under common random numbers a higher chance never hides an event that a
lower one showed, and two scenarios that differ only in observation see the
same trade.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.model.records import Shipment
from sim.scenario.observation import Observation

OBSERVER_STREAM = 1000
"""Spawn-key index of the observer's stream; the model's streams use small indices
(``sim.model.rng.STREAMS``), so this one never meets them."""


@dataclass(frozen=True)
class Seen:
    """The true figures of a run and what the observer saw of them."""

    transfers: int
    port_calls: int
    tonnes_delivered: float
    seizures: int
    observed_transfers: int
    observed_port_calls: int
    observed_tonnes: float
    announced_seizures: int
    announced_tonnes_seized: float

    @property
    def dark_figure(self) -> float:
        """The share of delivered coal that no observer saw (NaN with nothing delivered)."""
        if self.tonnes_delivered <= 0:
            return math.nan
        return 1.0 - self.observed_tonnes / self.tonnes_delivered


def chance(s: Shipment, obs: Observation) -> float:
    """The chance that ``s``'s outcome is seen: its delivery, or its seizure announced."""
    if s.outcome == "seized":
        return obs.seizure_announced
    if s.outcome != "delivered":
        return 0.0
    if s.delivery == "ship_to_ship":
        return obs.transfer_ais_off if s.ais_off else obs.transfer_ais_on
    return obs.port_call_ais_off if s.ais_off else obs.port_call_ais_on


def observe(shipments: Sequence[Shipment], obs: Observation, root: np.random.SeedSequence) -> Seen:
    """What the observer sees of one replication whose seed sequence is ``root``."""
    key = (*root.spawn_key, OBSERVER_STREAM)
    draws = np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=key))
    u = draws.random(len(shipments))
    transfers = port_calls = seizures = 0
    seen_transfers = seen_calls = announced = 0
    tonnes = seen_tonnes = announced_tonnes = 0.0
    for s, x in zip(shipments, u, strict=True):
        seen = bool(x < chance(s, obs))
        if s.outcome == "seized":
            seizures += 1
            announced += seen
            announced_tonnes += s.tonnes if seen else 0.0
        elif s.outcome == "delivered":
            tonnes += s.tonnes
            seen_tonnes += s.tonnes if seen else 0.0
            if s.delivery == "ship_to_ship":
                transfers += 1
                seen_transfers += seen
            else:
                port_calls += 1
                seen_calls += seen
    return Seen(
        transfers,
        port_calls,
        tonnes,
        seizures,
        seen_transfers,
        seen_calls,
        seen_tonnes,
        announced,
        announced_tonnes,
    )
