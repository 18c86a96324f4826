"""The scenario schema: every key, its unit, meaning, default and valid range.

Keys carry their unit in the name (``horizon_days``, ``speed_knots``,
``fine_rmb``). Each model forbids unknown keys so that a typo is an error,
not a silently ignored setting. Cross-references between sections (a route
naming a port, a patrol naming a zone) are checked in ``crosscheck.py``,
where the error can name the exact key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from sim.scenario.adaptive import Adaptation, Allocation, Displacement
from sim.scenario.base import Lat, Lon, LonLat, Name, Probability, Role, Strict
from sim.scenario.costs import Costs
from sim.scenario.evidence import PublicFigure
from sim.scenario.observation import Observation
from sim.scenario.trade import Beliefs, Buyer, Contract, Enforcement, Market, Network, Policy, Tips
from sim.world import defaults

EVENTS_PER_ACTOR_DAY = 20
"""Default event budget per actor and simulated day: 100 times what the shipped scenarios
use, so only a runaway reaches it."""
MIN_EVENT_CEILING = 1_000_000
MAX_EVENT_CEILING = 20_000_000
"""A replication processes 50,000 to 150,000 events a second, so the default budget is
spent in seconds to a few minutes; memory stays small (a runaway of 500 companies
offering lots every hour held under 200 MB up to its ceiling)."""


class Port(Strict):
    """A harbour, with the sea point where its short harbour leg meets open water."""

    name: Name = Field(description="unique port name")
    country: Literal["DPRK", "China"] = Field(description="which side of the trade it is on")
    lat: Lat
    lon: Lon
    approach_lat: Lat = Field(description="latitude of the sea approach point, degrees north")
    approach_lon: Lon = Field(description="longitude of the sea approach point, degrees east")
    roles: list[Role] = Field(min_length=1, description="what the port is used for")


class Waypoint(Strict):
    """A named sea point that routes pass through."""

    name: Name = Field(description="unique waypoint name, used in routes' `via`")
    lat: Lat
    lon: Lon


class Route(Strict):
    """A voyage path: origin port, waypoints in order, destination port."""

    name: Name = Field(description="unique route name, used in sellers' `routes`")
    origin: Name = Field(description="loading port name")
    destination: Name = Field(description="discharge port name")
    via: list[Name] = Field(default_factory=list, description="waypoint names, in order")
    transfer_at: Name | None = Field(
        default=None,
        description="waypoint in `via` where a ship-to-ship transfer (or a loitering ship) "
        "stops; a ship delivering to port sails past",
    )
    transfer_hours: float = Field(
        default=0.0, ge=0.0, le=240.0, description="time stopped at the transfer point, hours"
    )


class Zone(Strict):
    """An enforcement zone: a lon/lat polygon on the Chinese side that patrols search."""

    name: Name = Field(description="unique zone name, used in patrols' `zone`")
    polygon: list[LonLat] = Field(min_length=3, description="ring of [lon, lat] vertices, degrees")


class PatrolGroup(Strict):
    """Identical Coast Guard vessels sharing a base and an assigned zone."""

    name: Name = Field(description="unique patrol group name")
    base: Name = Field(description="port with the coast_guard_base role")
    zone: Name = Field(description="zone the vessels search")
    vessels: int = Field(default=2, ge=0, le=200, description="number of patrol vessels")
    speed_knots: float = Field(
        default=18.0,
        ge=1.0,
        le=40.0,
        description="search and transit speed (source: ~18 kn cruise)",
    )
    sweep_width_nm: float = Field(
        default=4.0, gt=0.0, le=60.0, description="effective sweep width W of random search, nm"
    )
    endurance_hours: float = Field(
        default=96.0, ge=1.0, le=1e7, description="time on station before returning to base"
    )
    turnaround_hours: float = Field(
        default=24.0, ge=0.0, le=2000.0, description="time in base between patrols"
    )
    transit_hours: float | None = Field(
        default=None,
        ge=0.0,
        le=500.0,
        description="base to station transit; computed from geography and speed when omitted",
    )
    dash_speed_knots: float = Field(
        default=25.0, ge=1.0, le=45.0, description="speed when sent on a tip (source: 23-32 kn)"
    )
    start: Literal["staggered", "on_station"] = Field(
        default="staggered",
        description="staggered: vessels spread evenly over the duty cycle at t=0; "
        "on_station: all begin on station with full endurance",
    )


class Detection(Strict):
    """What happens once a patrol has a contact."""

    recognition_probability: Probability = Field(
        default=0.4,
        description="chance a detected contact with AIS on and no concealment is "
        "recognised as a smuggler and boarded",
    )
    ais_off_factor: float = Field(
        default=0.5,
        ge=0.0,
        le=10.0,
        description="multiplier on the chance a contact is boarded when the ship runs with AIS "
        "off or an identity that does not match (the product is capped at 1): below 1 AIS "
        "off hides a smuggler, above 1 the gap draws the boarding",
    )
    ais_off_search_factor: float = Field(
        default=1.0,
        ge=0.05,
        le=4.0,
        description="multiplier on the search rate (contacts per hour in a zone) against a "
        "ship with AIS off: below 1 radar search alone finds it less often, above 1 the "
        "missing signal makes it stand out",
    )
    search_speed: Literal["relative", "patrol"] = Field(
        default="relative",
        description="the speed v in the random-search rate W v / A: relative (the patrol's "
        "mean speed relative to a ship on an unknown heading, docs/model.md) or patrol "
        "(the patrol's own speed, which undercounts contacts with a moving ship)",
    )


class Seller(Strict):
    """A DPRK trading company that produces lots and ships them (fixed buyers, fixed terms)."""

    name: Name = Field(description="unique company name (numbered #1, #2, ... when count > 1)")
    count: int = Field(
        default=1, ge=1, le=500, description="companies made from this entry (the 20x10 lever)"
    )
    insists_on_advance: bool = Field(
        default=False, description="refuses payment after delivery (source: state companies)"
    )
    patience_days: float = Field(
        default=14.0, ge=0.0, le=3650.0, description="how long a lot is offered before it is held"
    )
    retry_hours: float = Field(
        default=24.0, ge=1.0, le=2000.0, description="time between rounds of offers for a lot"
    )
    kind: Literal["state", "provincial"] = Field(
        default="provincial", description="state company or 20x10-policy provincial company"
    )
    port: Name = Field(description="loading port")
    routes: list[Name] = Field(min_length=1, description="routes the company ships on")
    route_weights: list[Annotated[float, Field(gt=0.0, le=1e6)]] | None = Field(
        default=None,
        description="relative use of each route; equal when omitted (strategic market: "
        "among the routes to the buyer's port, which the buyer decides)",
    )
    lot_interval_days: float = Field(
        default=3.0, ge=0.1, le=3650.0, description="mean days between lots ready to ship"
    )
    lot_interval: Literal["exponential", "fixed"] = Field(
        default="exponential", description="distribution of the time between lots"
    )
    lot_tonnes_min: float = Field(
        default=3000.0, gt=0.0, le=20000.0, description="smallest lot (source: ~3,000 t)"
    )
    lot_tonnes_max: float = Field(
        default=5000.0, gt=0.0, le=20000.0, description="largest lot (source: 5,000 t or more)"
    )
    vessels: int = Field(default=3, ge=1, le=500, description="ships the company can use")
    vessel_capacity_dwt: float = Field(
        default=6000.0,
        gt=0.0,
        le=20000.0,
        description="cargo capacity per ship (source: <10,000 dwt)",
    )
    speed_knots: float = Field(
        default=10.0, ge=1.0, le=25.0, description="service speed (source: old ships, 9-11 kn)"
    )
    ais_off_share: Probability = Field(
        default=0.8, description="share of the company's ships that sail with AIS off"
    )
    concealment: Probability = Field(
        default=0.2, description="lowers recognition: p = recognition x (1 - concealment)"
    )
    loading_hours: float = Field(
        default=48.0, ge=0.0, le=2000.0, description="loading at the DPRK port before sailing"
    )
    discharge_hours: float = Field(
        default=36.0, ge=0.0, le=2000.0, description="discharge at the buyer's port"
    )
    operating_cost_rmb_per_day: float = Field(
        default=10000.0,
        ge=0.0,
        le=1e7,
        description="ship running cost while on a voyage (assumption, not from the source)",
    )

    @field_validator("routes")
    @classmethod
    def _unique_routes(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("lists the same route twice")
        return v


class Scenario(Strict):
    """A complete description of one simulated world and how long to run it."""

    name: Name = Field(default="scenario", description="used in the results folder name")
    description: str = Field(default="", max_length=4000, description="what the scenario is for")
    seed: int = Field(default=2019, ge=0, le=2**63 - 1, description="root of all random streams")
    horizon_days: float = Field(default=365.0, gt=0.0, le=3650.0, description="simulated time")
    replications: int = Field(
        default=10, ge=1, le=100_000, description="independent runs, each with its own streams"
    )
    ports: list[Port] = Field(default_factory=lambda: [Port(**p) for p in defaults.PORTS])
    waypoints: list[Waypoint] = Field(
        default_factory=lambda: [Waypoint(**w) for w in defaults.WAYPOINTS]
    )
    routes: list[Route] = Field(default_factory=lambda: [Route(**r) for r in defaults.ROUTES])
    zones: list[Zone] = Field(default_factory=lambda: [Zone(**z) for z in defaults.ZONES])
    patrols: list[PatrolGroup] = Field(
        default_factory=lambda: [PatrolGroup(**p) for p in defaults.PATROLS]
    )
    detection: Detection = Field(default_factory=Detection)
    sellers: list[Seller] = Field(default_factory=lambda: [Seller(**s) for s in defaults.SELLERS])
    buyers: list[Buyer] = Field(default_factory=lambda: [Buyer(**b) for b in defaults.BUYERS])
    beliefs: Beliefs = Field(default_factory=Beliefs)
    network: Network = Field(default_factory=Network)
    market: Market = Field(default_factory=Market)
    contract: Contract = Field(default_factory=Contract)
    tips: Tips = Field(default_factory=Tips)
    enforcement: Enforcement = Field(default_factory=Enforcement)
    policy: list[Policy] = Field(
        default_factory=list, description="parameter changes on given days, in any order"
    )
    adaptation: Adaptation = Field(default_factory=Adaptation)
    allocation: Allocation = Field(default_factory=Allocation)
    displacement: Displacement = Field(default_factory=Displacement)
    observation: Observation = Field(default_factory=Observation)
    costs: Costs = Field(default_factory=Costs)
    public_figures: list[PublicFigure] = Field(
        default_factory=list,
        description="figures from the public record the run is compared with (checks, not inputs)",
    )
    max_events: int | None = Field(
        default=None,
        ge=1000,
        le=10**10,
        description="most simulation events one replication may process; past it the "
        "replication stops with an error naming the busiest mechanism. Unset: "
        f"{EVENTS_PER_ACTOR_DAY} x horizon_days x actors (companies, their ships, buyers "
        f"and patrol vessels), at least {MIN_EVENT_CEILING:,} and at most "
        f"{MAX_EVENT_CEILING:,} (the shipped scenarios use about 0.2 per actor-day)",
    )

    def event_ceiling(self) -> int:
        """The replication's event budget: a runaway (a duration far too short for the
        horizon) stops within seconds instead of taking the machine's memory."""
        if self.max_events is not None:
            return self.max_events
        actors = sum(s.count * (1 + s.vessels) for s in self.sellers)
        actors += sum(b.count for b in self.buyers) + sum(p.vessels for p in self.patrols)
        derived = EVENTS_PER_ACTOR_DAY * self.horizon_days * actors
        return int(min(max(derived, MIN_EVENT_CEILING), MAX_EVENT_CEILING))
