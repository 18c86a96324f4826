"""The scenario in force, compiled for the mechanisms that read it as the run goes on.

Reading a field of a pydantic model costs about three times reading a slot (measured
on this code: 250 ns against 85 ns), and the market, the voyages and enforcement read
levers thousands of times a replication. ``compile_params`` copies each section they
read into a frozen, slotted object with the same field names and values
(``sim.model.sections``), once per scenario in force (the start and each policy entry,
whose scenarios the load has already validated: ``Resolved.schedule``), so nothing is
validated or copied while a run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from sim.model.sections import (
    AdaptationSection,
    BeliefsSection,
    ContractSection,
    DetectionSection,
    EnforcementSection,
    MarketSection,
    NetworkSection,
    TipsSection,
)
from sim.scenario.schema import PatrolGroup, Scenario

S = TypeVar("S")


def copy_into(section: Callable[..., S], model: BaseModel) -> S:
    """``model``'s field values in ``section``, the class the model reads them from."""
    return section(**{name: getattr(model, name) for name in type(model).model_fields})


@dataclass(frozen=True, slots=True)
class Params:
    """The levers in force: every section a mechanism reads while the run goes on."""

    scenario: Scenario
    """The validated scenario these were compiled from."""
    patrols: list[PatrolGroup]
    detection: DetectionSection
    contract: ContractSection
    tips: TipsSection
    enforcement: EnforcementSection
    market: MarketSection
    beliefs: BeliefsSection
    network: NetworkSection
    adaptation: AdaptationSection


def compile_params(s: Scenario) -> Params:
    return Params(
        scenario=s,
        patrols=s.patrols,
        detection=copy_into(DetectionSection, s.detection),
        contract=copy_into(ContractSection, s.contract),
        tips=copy_into(TipsSection, s.tips),
        enforcement=copy_into(EnforcementSection, s.enforcement),
        market=copy_into(MarketSection, s.market),
        beliefs=copy_into(BeliefsSection, s.beliefs),
        network=copy_into(NetworkSection, s.network),
        adaptation=copy_into(AdaptationSection, s.adaptation),
    )
