"""The scenario in force now, shared by every mechanism.

A policy schedule replaces the scenario on the days it names. The mechanisms
hold this one object, not the model, and read their levers from ``params``
when they act, so each sees a change the moment it is made. ``params`` holds the
scenario compiled into slotted sections (``sim.model.params``).
"""

from __future__ import annotations

from sim.model.params import Params


class InForce:
    __slots__ = ("params",)

    def __init__(self, params: Params) -> None:
        self.params = params
