"""The scenario in force, compiled for the mechanisms that read it as the run goes on.

Reading a field of a pydantic model costs about three times reading a slot (measured
on this code: 250 ns against 85 ns), and the market, the voyages and enforcement read
levers thousands of times a replication. ``compile_params`` copies each section they
read into a frozen, slotted object with the same field names and values, once per
scenario in force (the start and each policy entry, whose scenarios the load has already
validated: ``Resolved.schedule``), so nothing is validated or copied while a run goes on.

A compiled section has its model's fields and nothing else (no ``model_dump``, no
validation); it is typed as its model so that every read is checked against the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, make_dataclass
from functools import cache
from typing import TypeVar, cast

from pydantic import BaseModel

from sim.scenario.adaptive import Adaptation
from sim.scenario.schema import Detection, PatrolGroup, Scenario
from sim.scenario.trade import Beliefs, Contract, Enforcement, Market, Network, Tips

M = TypeVar("M", bound=BaseModel)


@cache
def _slotted(model: type[BaseModel]) -> type:
    """A frozen, slotted class with the fields of ``model`` (one per model, made once)."""
    return make_dataclass(
        f"Compiled{model.__name__}", list(model.model_fields), frozen=True, slots=True
    )


def compiled(section: M) -> M:
    """``section``'s field values in a frozen, slotted object read like the model."""
    cls = _slotted(type(section))
    return cast(M, cls(**{name: getattr(section, name) for name in type(section).model_fields}))


@dataclass(frozen=True, slots=True)
class Params:
    """The levers in force: every section a mechanism reads while the run goes on."""

    scenario: Scenario
    """The validated scenario these were compiled from."""
    patrols: list[PatrolGroup]
    detection: Detection
    contract: Contract
    tips: Tips
    enforcement: Enforcement
    market: Market
    beliefs: Beliefs
    network: Network
    adaptation: Adaptation


def compile_params(s: Scenario) -> Params:
    return Params(
        scenario=s,
        patrols=s.patrols,
        detection=compiled(s.detection),
        contract=compiled(s.contract),
        tips=compiled(s.tips),
        enforcement=compiled(s.enforcement),
        market=compiled(s.market),
        beliefs=compiled(s.beliefs),
        network=compiled(s.network),
        adaptation=compiled(s.adaptation),
    )
