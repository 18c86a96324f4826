"""What enforcement costs the state: patrol vessel-days, boardings, escorts, investigations.

Costs are accounted after a run and never enter a decision in the model, so a
scenario's results are the same whatever its ``[costs]`` say; they turn the
levers' effects into effects per yuan (``docs/decisions.md``). Every default
is an assumption (``docs/sources.md``, "Enforcement costs").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from sim.scenario.base import Name, Strict
from sim.scenario.errors import did_you_mean

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


class GroupCost(Strict):
    """One patrol group's own rates, where its hulls cost more or less than the others'."""

    sea_rmb_per_vessel_day: float | None = Field(
        default=None,
        ge=0.0,
        le=1e9,
        description="this group's cost of a vessel-day away from base (unset: the section's)",
    )
    port_rmb_per_vessel_day: float | None = Field(
        default=None,
        ge=0.0,
        le=1e9,
        description="this group's cost of a vessel-day in base (unset: the section's)",
    )


class Costs(Strict):
    """Unit costs of enforcement; rewards paid come from the ledger, not from here."""

    sea_rmb_per_vessel_day: float = Field(
        default=150_000.0,
        ge=0.0,
        le=1e9,
        description="cost of one patrol vessel for a day away from base: on station, in "
        "transit, on a tip or an escort (assumption; `groups` sets a group's own)",
    )
    port_rmb_per_vessel_day: float = Field(
        default=40_000.0,
        ge=0.0,
        le=1e9,
        description="cost of one patrol vessel for a day in base between patrols: crew, "
        "upkeep (assumption; `groups` sets a group's own)",
    )
    groups: dict[Name, GroupCost] = Field(
        default_factory=dict,
        description="rates for named patrol groups, e.g. [costs.groups.bohai_strait_patrol]",
    )
    boarding_rmb: float = Field(
        default=20_000.0, ge=0.0, le=1e9, description="cost of one boarding (assumption)"
    )
    escort_rmb: float = Field(
        default=50_000.0,
        ge=0.0,
        le=1e9,
        description="handling a seized ship and cargo in port, over and above the escorting "
        "vessel's sea days (assumption)",
    )
    investigation_rmb_per_case: float = Field(
        default=300_000.0,
        ge=0.0,
        le=1e10,
        description="cost of the investigation a seizure opens (assumption)",
    )
    investigation_rmb_per_named: float = Field(
        default=50_000.0,
        ge=0.0,
        le=1e9,
        description="further cost of each accomplice an investigation names: deeper "
        "investigations cost more (assumption)",
    )

    def rates(self, group: str) -> tuple[float, float]:
        """(sea, port) cost of one vessel-day of ``group``."""
        own = self.groups.get(group)
        sea = own.sea_rmb_per_vessel_day if own is not None else None
        port = own.port_rmb_per_vessel_day if own is not None else None
        return (
            self.sea_rmb_per_vessel_day if sea is None else sea,
            self.port_rmb_per_vessel_day if port is None else port,
        )


def problems(s: Scenario) -> list[tuple[str, str]]:
    """A rate for a patrol group the scenario does not have is a typo, not a setting."""
    known = [p.name for p in s.patrols]
    return [
        (
            f"costs.groups.{name}",
            f"no patrol group {name!r}{did_you_mean(name, known)} (groups: {', '.join(known)})",
        )
        for name in s.costs.groups
        if name not in known
    ]
