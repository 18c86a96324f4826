"""Small purpose-built worlds for checks against theory, on the real default geography.

Each isolates one mechanism: the others are switched off or made
deterministic, so that what the model does can be compared with a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.scenario import Resolved, Scenario, resolve

# An open-sea box on the Nampo-Lianyungang route, clear of land, so its
# searchable area is the plain spherical rectangle.
OPEN_SEA_BOX = [[122.0, 35.5], [123.5, 35.5], [123.5, 36.5], [122.0, 36.5]]
ROUTE = "nampo-lianyungang"
PORTS = ("Dalian", "Yantai", "Longkou", "Lianyungang", "Ningbo-Zhoushan")


def search_world(
    *,
    vessels: int = 1,
    sweep_width_nm: float = 8.0,
    speed_knots: float = 18.0,
    endurance_hours: float = 1e7,
    transit_hours: float | None = 0.0,
    turnaround_hours: float = 0.0,
    start: str = "on_station",
    recognition_probability: float = 0.0,
    lot_interval_days: float = 0.5,
    horizon_days: float = 365.0,
    seed: int = 7,
    **extra: Any,
) -> Resolved:
    """One seller shipping on one route through one patrolled open-sea zone.

    Deals go to a fixed buyer on fixed terms (``market.kind = "fixed"``) and
    nobody tips. With recognition 0 nothing is ever boarded, so patrols never
    leave for an escort and their on-station schedule is exactly the
    configured duty cycle. ``extra`` replaces whole top-level sections.
    """
    patrol: dict[str, Any] = {
        "name": "test_patrol",
        "base": "Lianyungang",
        "zone": "box",
        "vessels": vessels,
        "sweep_width_nm": sweep_width_nm,
        "speed_knots": speed_knots,
        "endurance_hours": endurance_hours,
        "turnaround_hours": turnaround_hours,
        "start": start,
    }
    if transit_hours is not None:
        patrol["transit_hours"] = transit_hours
    data: dict[str, Any] = {
        "seed": seed,
        "horizon_days": horizon_days,
        "zones": [{"name": "box", "polygon": OPEN_SEA_BOX}],
        "patrols": [patrol],
        "detection": {"recognition_probability": recognition_probability},
        "market": {"kind": "fixed"},
        "tips": {"knowers": 0},
        "sellers": [
            {
                "name": "s",
                "port": "Nampo",
                "routes": [ROUTE],
                "vessels": 200,
                "lot_interval_days": lot_interval_days,
            }
        ],
    }
    data.update(extra)
    return resolve(Scenario.model_validate(data))


def zone_crossing(resolved: Resolved) -> tuple[float, float, float]:
    """(hours after sailing the box is entered, left; its sea area in sq nm) on the route."""
    route = resolved.geography.routes[ROUTE]
    ((_zone, a, b),) = route.exposure(resolved.scenario.sellers[0].speed_knots)
    return a, b, resolved.geography.zones["box"].area_sq_nm


@dataclass(frozen=True)
class Stakes:
    """What the buyers of ``belief_world`` weigh beside the deal's books (all off by
    default): the scenario keys of the same names."""

    naming_per_year: float = 0.0
    arrest_horizon_days: float = 0.0
    arrest_probability: float = 0.3
    accomplice_fine_rmb: float = 200_000.0
    sentence_days: float = 90.0
    deals_per_year: float = 3.0


def belief_world(
    belief: float,
    terms: str,
    *,
    price: float = 425.0,
    tonnes: float = 4000.0,
    resale: float = 2.0,
    fine: float = 1_200_000.0,
    horizon_days: float = 45.0,
    stakes: Stakes | None = None,
) -> Resolved:
    """Five buyers at Yantai who never learn, all holding the same belief of interception.

    Price and lot size are fixed, nothing is ever seized and a lot is offered
    once: it sails if the buyers sign and is held if they refuse. ``stakes``: the
    arrest and naming terms they weigh (their naming belief stays at its prior, the
    rate given); none, only the deal's own books.
    """
    strength = 1000.0
    st = stakes or Stakes()
    return resolve(
        Scenario.model_validate(
            {
                "horizon_days": horizon_days,
                "seed": 3,
                "patrols": [],
                "tips": {"knowers": 0},
                "contract": {
                    "payment_terms": terms,
                    "price_rmb_per_tonne_min": price,
                    "price_rmb_per_tonne_max": price,
                    "resale_multiplier": resale,
                },
                "enforcement": {
                    "fine_rmb": fine,
                    "accomplice_fine_rmb": st.accomplice_fine_rmb,
                    "sentence_days": st.sentence_days,
                },
                "beliefs": {
                    "own_weight": 0.0,
                    "news_weight": 0.0,
                    "naming_news_weight": 0.0,
                    "naming_prior_per_year": st.naming_per_year,
                },
                "sellers": [
                    {
                        "name": "s",
                        "port": "Nampo",
                        "routes": ["nampo-yantai"],
                        "vessels": 50,
                        "lot_tonnes_min": tonnes,
                        "lot_tonnes_max": tonnes,
                        "lot_interval_days": 1.5,
                        "vessel_capacity_dwt": max(6000.0, tonnes),
                        "patience_days": 0.0,
                    }
                ],
                "buyers": [
                    {
                        "name": "b",
                        "port": "Yantai",
                        "count": 5,
                        "prior_alpha": belief * strength,
                        "prior_beta": (1 - belief) * strength,
                        "demand_tonnes_per_month": 1e7,
                        "capital_rmb": 1e10,
                        "deals_per_year": st.deals_per_year,
                    }
                ],
                "market": {
                    "entry_per_month": 0.0,
                    "entry_per_month_per_million_rmb": 0.0,
                    "arrest_probability": st.arrest_probability,
                    "arrest_horizon_days": st.arrest_horizon_days,
                },
                "network": {"brokers": 1, "brokers_per_seller": 1, "brokers_per_buyer": 1},
            }
        )
    )


def investigation_world(accomplices_min: int, accomplices_max: int, seed: int = 5) -> Resolved:
    """The default trade with 150 buyers, strong patrols and quick investigations.

    Sentences are short, so the network never runs out of parties to name.
    """
    return resolve(
        Scenario.model_validate(
            {
                "horizon_days": 150,
                "seed": seed,
                "enforcement": {
                    "accomplices_min": accomplices_min,
                    "accomplices_max": accomplices_max,
                    "sentence_days": 5,
                    "investigation_days_mean": 2,
                },
                "detection": {"recognition_probability": 0.8},
                "market": {"arrest_probability": 0.0},
                "buyers": [{"name": f"t_{p}", "port": p, "count": 30} for p in PORTS],
                "network": {"brokers": 40},
            }
        )
    )


def trade_world(
    terms: str, horizon_days: float = 120.0, seed: int = 11, ship_to_ship: float = 0.0
) -> Resolved:
    """The built-in default world on the given payment terms, with stronger patrols
    and more tips, so that every kind of money flow happens often. With ``ship_to_ship``,
    that share of deals to Lianyungang hands the cargo to the buyer's barge at
    yellow_sea_central, before the Jiangsu zone. Buyers weigh only a deal's own books
    (no arrest or naming terms), so the trade stays busy under every payment term and
    the priors below sit between the two break-evens they are set for."""
    base = Scenario(horizon_days=horizon_days, seed=seed)
    routes = [
        r.model_copy(update={"transfer_at": "yellow_sea_central", "transfer_hours": 6.0})
        if ship_to_ship and r.destination == "Lianyungang"
        else r
        for r in base.routes
    ]
    # Under endogenous terms every other buyer entry starts between the two break-evens
    # (prior mean 0.4), so those turn advance payment down and ask for payment after delivery.
    prior = {"prior_alpha": 4.0, "prior_beta": 6.0} if terms == "endogenous" else {}
    s = base.model_copy(
        update={
            "routes": routes,
            "buyers": [
                b.model_copy(update=prior if k % 2 == 0 else {}) for k, b in enumerate(base.buyers)
            ],
            "patrols": [p.model_copy(update={"sweep_width_nm": 8.0}) for p in base.patrols],
            "contract": base.contract.model_copy(
                update={"payment_terms": terms, "ship_to_ship_share": ship_to_ship}
            ),
            "tips": base.tips.model_copy(update={"max_probability": 0.05}),
            "market": base.market.model_copy(update={"arrest_horizon_days": 0.0}),
            "beliefs": base.beliefs.model_copy(
                update={"naming_prior_per_year": 0.0, "naming_news_weight": 0.0}
            ),
        }
    )
    return resolve(Scenario.model_validate(s.model_dump()))


def default_world(horizon_days: float = 365.0, seed: int = 2019) -> Resolved:
    """The built-in default world (``sim/world/defaults.py``)."""
    return resolve(Scenario(horizon_days=horizon_days, seed=seed))


def little_world(seed: int = 17) -> Resolved:
    """A stationary trade: every lot goes to a fixed buyer, lots come as a Poisson stream,
    ships are never short and nobody patrols or tips, so every voyage sails at once and
    lasts its route's length over the ship's speed (an M/G/infinity pipeline)."""
    return resolve(
        Scenario.model_validate(
            {
                "seed": seed,
                "market": {"kind": "fixed"},
                "patrols": [],
                "tips": {"knowers": 0},
                "sellers": [
                    {
                        "name": "short",
                        "port": "Nampo",
                        "routes": ["nampo-dalian"],
                        "vessels": 80,
                        "lot_interval_days": 0.5,
                    },
                    {
                        "name": "long",
                        "port": "Nampo",
                        "vessels": 160,
                        "lot_interval_days": 0.4,
                        "routes": ["nampo-ningbo", "nampo-lianyungang"],
                    },
                ],
            }
        )
    )


SAFE_ROUTE, RISKY_ROUTE = "nampo-yantai", "nampo-lianyungang"  # only the second crosses the box


def two_route_world(
    sharpness: float,
    *,
    learn: bool = True,
    seizes: bool = True,
    horizon_days: float = 365.0,
    seed: int = 17,
) -> Resolved:
    """One adaptive seller with a safe route (no zone on it) and one through the open-sea
    box, where fifty patrols and full recognition make a seizure certain, or, with
    ``seizes`` off, where nobody is ever boarded. Fixed buyers, no tips; ``learn`` off
    keeps every route's belief at the prior."""
    return resolve(
        Scenario.model_validate(
            {
                "seed": seed,
                "horizon_days": horizon_days,
                "zones": [{"name": "box", "polygon": OPEN_SEA_BOX}],
                "patrols": [
                    {
                        "name": "wall",
                        "base": "Lianyungang",
                        "zone": "box",
                        "vessels": 50,
                        "sweep_width_nm": 20.0,
                        "endurance_hours": 1e7,
                        "transit_hours": 0.0,
                        "turnaround_hours": 0.0,
                        "start": "on_station",
                    }
                ],
                "detection": {"recognition_probability": 1.0 if seizes else 0.0},
                "market": {"kind": "fixed"},
                "tips": {"knowers": 0},
                "enforcement": {"vessel_detention_days": 0.0},
                "sellers": [
                    {
                        "name": "s",
                        "port": "Nampo",
                        "routes": [SAFE_ROUTE, RISKY_ROUTE],
                        "vessels": 200,
                        "lot_interval_days": 0.25,
                        "concealment": 0.0,
                        "ais_off_share": 0.0,
                    }
                ],
                "adaptation": {
                    "enabled": True,
                    "sharpness": sharpness,
                    "own_weight": 1.0 if learn else 0.0,
                    "news_weight": 0.0,
                },
            }
        )
    )
