"""Scenario sections for adaptation: how smugglers choose, how the Coast Guard reallocates,
and how the displacement a policy change causes is measured.

Everything here is off by default, so a scenario written before adaptation
existed runs exactly as it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from sim.scenario.base import Name, Probability, Strict
from sim.scenario.errors import did_you_mean

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

Mode = Literal["port", "ship_to_ship", "loiter"]


def _port_only() -> list[Mode]:
    return ["port"]


class Adaptation(Strict):
    """How sellers choose a route, a delivery mode and a departure time."""

    enabled: bool = Field(
        default=False,
        description="sellers choose route and mode by a logit on expected value; when false "
        "they use route_weights and contract.ship_to_ship_share as before",
    )
    sharpness: float = Field(
        default=20.0,
        ge=0.0,
        le=10000.0,
        description="logit sharpness on utility measured in cargo values: "
        "P(a) ~ weight(a) exp(sharpness x u(a)); 0 keeps the route weights",
    )
    modes: list[Mode] = Field(
        default_factory=_port_only,
        min_length=1,
        description="delivery modes a seller weighs: port (sail to the buyer's port), "
        "ship_to_ship (hand over to the buyer's barge at the route's transfer point), "
        "loiter (wait at the transfer point while the zones ahead are surging); "
        "the last two only on routes with a transfer point",
    )
    prior_alpha: float = Field(
        default=0.5, gt=0.0, le=1e4, description="Beta prior on a route's seizure chance: seizures"
    )
    prior_beta: float = Field(
        default=9.5, gt=0.0, le=1e4, description="Beta prior on a route's seizure chance: arrivals"
    )
    own_weight: float = Field(
        default=1.0, ge=0.0, le=100.0, description="evidence one of the seller's own voyages adds"
    )
    news_weight: float = Field(
        default=0.2,
        ge=0.0,
        le=100.0,
        description="evidence a public seizure adds to every seller's belief about that "
        "route and mode",
    )
    memory_days: float = Field(
        default=90.0, ge=1.0, le=1e5, description="time constant over which evidence fades"
    )
    timing: bool = Field(
        default=False,
        description="hold a loaded ship in port while the patrols on its route surge",
    )
    surge_ratio: float = Field(
        default=1.5,
        ge=1.0,
        le=100.0,
        description="a surge: the route's search hazard now exceeds this multiple of its usual "
        "hazard (patrol groups' mean presence at the start of the run)",
    )
    max_delay_hours: float = Field(
        default=72.0, ge=0.0, le=2000.0, description="longest a ship waits in port for a surge"
    )
    loiter_max_hours: float = Field(
        default=48.0, ge=0.0, le=2000.0, description="longest a ship loiters at the anchorage"
    )
    check_hours: float = Field(
        default=6.0, ge=1.0, le=500.0, description="how often a waiting ship looks again"
    )

    @field_validator("modes")
    @classmethod
    def _unique_modes(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("lists the same mode twice")
        return v


class Allocation(Strict):
    """How the Coast Guard spreads its patrol vessels over the zones."""

    kind: Literal["fixed", "proportional", "randomized"] = Field(
        default="fixed",
        description="fixed: each group keeps its zone; proportional: every review, vessels "
        "go to zones in proportion to recent seizures and tips; randomized: every review, "
        "each vessel's zone is drawn from a mixed strategy",
    )
    review_days: float = Field(
        default=14.0, ge=1.0, le=3650.0, description="time between reallocations"
    )
    window_days: float = Field(
        default=30.0,
        ge=1.0,
        le=3650.0,
        description="proportional: seizures and tips counted over this past window",
    )
    smoothing: float = Field(
        default=1.0,
        ge=0.0,
        le=1e4,
        description="proportional: pseudo-events added to every zone, so a quiet zone keeps "
        "some cover",
    )
    zones: list[Name] = Field(
        default_factory=list, description="zones vessels may be sent to; empty: all zones"
    )
    weights: dict[Name, Probability] = Field(
        default_factory=dict,
        description="randomized: the mixed strategy, zone = weight; empty: weights that "
        "equalise the smugglers' expected loss across their routes (a maximin linear program)",
    )


class Displacement(Strict):
    """How the displacement metrics read a policy change."""

    change_day: float | None = Field(
        default=None,
        ge=0.0,
        le=3650.0,
        description="day of the change; default: the first policy day (none: no metrics)",
    )
    pressured_destinations: list[Name] = Field(
        default_factory=list,
        description="ports whose volume the change presses on; the others are where it may go",
    )
    window_days: float = Field(
        default=60.0,
        ge=1.0,
        le=3650.0,
        description="length of the windows before and after the change that are compared",
    )
    lag_days: float = Field(
        default=14.0,
        ge=0.0,
        le=3650.0,
        description="the after window starts this long after the change (voyages under way)",
    )
    recovery_fraction: Probability = Field(
        default=0.9,
        description="volume counts as recovered when its 4-week rate is back to this share "
        "of the rate before the change",
    )


def problems(s: Scenario) -> list[tuple[str, str]]:
    """Cross-references of the adaptive sections: zones, ports and modes that must exist."""
    out: list[tuple[str, str]] = []
    zones = [z.name for z in s.zones]
    ports = {p.name: p for p in s.ports}
    for j, z in enumerate(s.allocation.zones):
        if z not in zones:
            hint = did_you_mean(z, zones, lead=" (", tail=")")
            out.append((f"allocation.zones[{j}]", f"no zone named {z!r}{hint}; zones are {zones}"))
    allowed = s.allocation.zones or zones
    for z in s.allocation.weights:
        if z not in allowed:
            hint = did_you_mean(z, allowed, lead=" (", tail=")")
            out.append(
                (f"allocation.weights.{z}", f"is not a zone vessels may go to{hint}: {allowed}")
            )
    if s.allocation.weights and sum(s.allocation.weights.values()) <= 0:
        out.append(("allocation.weights", "weights must not all be 0"))
    day = s.displacement.change_day
    if day is not None and day >= s.horizon_days:
        out.append(
            (
                "displacement.change_day",
                f"day {day:g} is not before horizon_days {s.horizon_days:g}: "
                "nothing would come after the change",
            )
        )
    for j, name in enumerate(s.displacement.pressured_destinations):
        port = ports.get(name)
        if port is None or "discharge" not in port.roles:
            choices = [p for p, v in ports.items() if "discharge" in v.roles]
            hint = did_you_mean(name, choices, lead=" (", tail=")")
            out.append(
                (
                    f"displacement.pressured_destinations[{j}]",
                    f"{name!r} is not a discharge port{hint}; discharge ports are {choices}",
                )
            )
    if s.adaptation.enabled and "port" not in s.adaptation.modes:
        transfer = {r.name for r in s.routes if r.transfer_at is not None}
        for i, sl in enumerate(s.sellers):
            if not transfer.intersection(sl.routes):
                out.append(
                    (
                        "adaptation.modes",
                        f"{s.adaptation.modes} need a route with a transfer point, and "
                        f"sellers[{i}] ({sl.name!r}) has none; add 'port'",
                    )
                )
    return out
