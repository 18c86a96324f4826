"""The scenario in force now, shared by every mechanism.

A policy schedule replaces the scenario on the days it names. The mechanisms
hold this one object, not the model, and read their levers from ``params``
when they act, so each sees a change the moment it is made.
"""

from __future__ import annotations

from sim.scenario.schema import Scenario


class InForce:
    __slots__ = ("params",)

    def __init__(self, params: Scenario) -> None:
        self.params = params
