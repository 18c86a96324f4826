"""What the model remembers about each shipment and each patrol movement.

Actors fill these plain records in as they act; turning them into metrics
happens afterwards, in ``sim.metrics``, never inside the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

NOT_YET = float("nan")

new_tuple = tuple.__new__
"""``new_tuple(Cls, (a, b))`` is ``Cls(a, b)`` for a NamedTuple ``Cls`` without its
``__new__``, which is interpreted Python even in the compiled build (``make fast``):
for the small records the model makes now and then (a tip's reach). The records it
makes thousands of times a run (ledger entries, patrol movements, an offer's stakes and
costs) are slotted classes instead, which the compiled build makes about three times
faster still (``benchmarks/README.md``)."""


def as_call(record: Any) -> tuple[type, tuple[object, ...]]:
    """``__reduce__`` for a record with a written-out constructor: pickled as a call with
    every field. Compiled (``make fast``), such a class would otherwise be rebuilt by
    calling its constructor with no arguments."""
    return type(record), tuple(getattr(record, f.name) for f in fields(record))


@dataclass(slots=True, init=False)
class Shipment:
    """One lot, from the day it is ready to the end of its voyage. The constructor is
    written out rather than generated: the compiled build (``make fast``) would run a
    generated one as interpreted Python, for every lot; the defaults are its own."""

    id: int
    seller: str
    route: str
    origin: str
    destination: str
    tonnes: float
    t_ready: float
    buyer: str
    broker: str
    price_rmb_per_tonne: float
    payment_terms: str
    delivery: str
    mode: str
    """How the seller chose to sail: port, ship_to_ship or loiter ("" before a deal)."""
    t_contract: float
    vessel: str
    ais_off: bool
    t_depart: float
    t_handover: float
    t_arrive: float
    outcome: str
    cause: str
    contacts: int
    first_contact_time: float
    hours_in_zones: float
    waited_hours: float
    """Time held in port or loitering at the anchorage to let a patrol surge pass."""
    seizure_time: float
    seizure_lat: float
    seizure_lon: float
    seizure_zone: str
    patrol: str
    tips: int
    first_tip_time: float
    fine_rmb: float
    reward_rmb: float

    def __init__(
        self,
        id: int,
        seller: str,
        route: str,
        origin: str,
        destination: str,
        tonnes: float,
        t_ready: float,
        buyer: str = "",
        broker: str = "",
        price_rmb_per_tonne: float = 0.0,
        payment_terms: str = "",
        delivery: str = "",
        mode: str = "",
        t_contract: float = NOT_YET,
        vessel: str = "",
        ais_off: bool = False,
        t_depart: float = NOT_YET,
        t_handover: float = NOT_YET,
        t_arrive: float = NOT_YET,
        outcome: str = "waiting",
        cause: str = "",
        contacts: int = 0,
        first_contact_time: float = NOT_YET,
        hours_in_zones: float = 0.0,
        waited_hours: float = 0.0,
        seizure_time: float = NOT_YET,
        seizure_lat: float = NOT_YET,
        seizure_lon: float = NOT_YET,
        seizure_zone: str = "",
        patrol: str = "",
        tips: int = 0,
        first_tip_time: float = NOT_YET,
        fine_rmb: float = 0.0,
        reward_rmb: float = 0.0,
    ) -> None:
        self.id = id
        self.seller = seller
        self.route = route
        self.origin = origin
        self.destination = destination
        self.tonnes = tonnes
        self.t_ready = t_ready
        self.buyer = buyer
        self.broker = broker
        self.price_rmb_per_tonne = price_rmb_per_tonne
        self.payment_terms = payment_terms
        self.delivery = delivery
        self.mode = mode
        self.t_contract = t_contract
        self.vessel = vessel
        self.ais_off = ais_off
        self.t_depart = t_depart
        self.t_handover = t_handover
        self.t_arrive = t_arrive
        self.outcome = outcome
        self.cause = cause
        self.contacts = contacts
        self.first_contact_time = first_contact_time
        self.hours_in_zones = hours_in_zones
        self.waited_hours = waited_hours
        self.seizure_time = seizure_time
        self.seizure_lat = seizure_lat
        self.seizure_lon = seizure_lon
        self.seizure_zone = seizure_zone
        self.patrol = patrol
        self.tips = tips
        self.first_tip_time = first_tip_time
        self.fine_rmb = fine_rmb
        self.reward_rmb = reward_rmb

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return as_call(self)

    @property
    def cargo_value_rmb(self) -> float:
        return self.tonnes * self.price_rmb_per_tonne


@dataclass(slots=True, init=False)
class PatrolEvent:
    """A patrol vessel arriving on (``on_station``) or leaving its zone's station."""

    time: float
    vessel: str
    zone: str
    on_station: bool
    reason: str

    def __init__(self, time: float, vessel: str, zone: str, on_station: bool, reason: str) -> None:
        self.time, self.vessel, self.zone = time, vessel, zone
        self.on_station, self.reason = on_station, reason

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return as_call(self)


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
