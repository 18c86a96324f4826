"""What the model remembers about each shipment and each patrol movement.

Actors fill these plain records in as they act; turning them into metrics
happens afterwards, in ``sim.metrics``, never inside the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

NOT_YET = float("nan")


@dataclass(slots=True)
class Shipment:
    id: int
    seller: str
    route: str
    origin: str
    destination: str
    tonnes: float
    t_ready: float
    buyer: str = ""
    broker: str = ""
    price_rmb_per_tonne: float = 0.0
    payment_terms: str = ""
    delivery: str = ""
    mode: str = ""
    """How the seller chose to sail: port, ship_to_ship or loiter ("" before a deal)."""
    t_contract: float = NOT_YET
    vessel: str = ""
    ais_off: bool = False
    t_depart: float = NOT_YET
    t_handover: float = NOT_YET
    t_arrive: float = NOT_YET
    outcome: str = "waiting"
    cause: str = ""
    contacts: int = 0
    first_contact_time: float = NOT_YET
    hours_in_zones: float = 0.0
    waited_hours: float = 0.0
    """Time held in port or loitering at the anchorage to let a patrol surge pass."""
    seizure_time: float = NOT_YET
    seizure_lat: float = NOT_YET
    seizure_lon: float = NOT_YET
    seizure_zone: str = ""
    patrol: str = ""
    tips: int = 0
    first_tip_time: float = NOT_YET
    fine_rmb: float = 0.0
    reward_rmb: float = 0.0

    @property
    def cargo_value_rmb(self) -> float:
        return self.tonnes * self.price_rmb_per_tonne


class PatrolEvent(NamedTuple):
    """A patrol vessel arriving on (``on_station``) or leaving its zone's station."""

    time: float
    vessel: str
    zone: str
    on_station: bool
    reason: str


class ZoneEvent(NamedTuple):
    """Something the Coast Guard learns about a zone: a ``seizure`` in it, or a ``tip``
    about a cargo that is due to cross it next."""

    time: float
    zone: str
    kind: str


@dataclass
class Recorder:
    """Collects the records of one run (the model's DataCollector)."""

    shipments: list[Shipment] = field(default_factory=list)
    patrol_events: list[PatrolEvent] = field(default_factory=list)
    patrol_service: dict[str, list[float | None]] = field(default_factory=dict)
    """Each patrol vessel's [commissioned, retired] times (retired None while in service)."""
    patrol_port: list[tuple[float, str, bool]] = field(default_factory=list)
    """(time, vessel, True on entering base / False on leaving it) for every turnaround in
    base: what a vessel-day in port costs is counted from these, never by the vessel."""
    weekly: list[dict[str, float]] = field(default_factory=list)
    """Weekly snapshots of state that is not a flow: buyers active, mean belief."""
    zone_events: list[ZoneEvent] = field(default_factory=list)
    named: list[tuple[float, str, int]] = field(default_factory=list)
    """(time, party, case shipment id) for every accomplice an investigation named."""
