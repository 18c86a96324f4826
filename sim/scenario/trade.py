"""Scenario sections for the trade and its enforcement: buyers, beliefs, network, tips, fines.

Defaults follow the source report where it gives a figure (docs/sources.md
lists each with its source) and are marked as assumptions where it does not.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.base import Name, Probability, Strict

Scalar = float | int | str | bool


class Buyer(Strict):
    """Chinese traders at a discharge port; ``count`` identical ones are made from this entry."""

    name: Name = Field(description="unique buyer name (numbered #1, #2, ... when count > 1)")
    port: Name = Field(description="discharge port")
    count: int = Field(default=1, ge=1, le=500, description="traders made from this entry")
    capital_rmb: float = Field(
        default=30e6,
        gt=0.0,
        le=1e12,
        description="cash at the start; below zero the trader is bankrupt",
    )
    demand_tonnes_per_month: float = Field(
        default=6000.0, gt=0.0, le=1e8, description="most coal the trader takes in 30 days"
    )
    hurdle_rmb: float = Field(
        default=0.0, ge=0.0, le=1e10, description="least expected profit per deal to accept it"
    )
    risk_multiplier: float = Field(
        default=1.0,
        ge=0.0,
        le=20.0,
        description="weight on the believed interception chance (1: neutral)",
    )
    prior_alpha: float = Field(
        default=1.0, gt=0.0, le=1e4, description="Beta prior on interception: pseudo-seizures"
    )
    prior_beta: float = Field(
        default=9.0, gt=0.0, le=1e4, description="Beta prior on interception: pseudo-deliveries"
    )
    sit_out_days: float = Field(
        default=14.0, ge=0.0, le=3650.0, description="pause after turning down every offered term"
    )
    deals_per_year: float = Field(
        default=3.0,
        gt=0.0,
        le=1000.0,
        description="deals the trader expects to make in a year (assumption): its profit "
        "forgone per day out of the trade is the deal's margin times this over 365, and "
        "one deal keeps it exposed to being named for 365 / this days",
    )


class Beliefs(Strict):
    """How buyers learn about the chance of interception and the rate of being named."""

    own_weight: float = Field(
        default=1.0, ge=0.0, le=100.0, description="evidence one own delivery or seizure adds"
    )
    news_weight: float = Field(
        default=0.1, ge=0.0, le=100.0, description="evidence a public seizure adds to every buyer"
    )
    memory_days: float = Field(
        default=180.0,
        ge=1.0,
        le=1e5,
        description="time constant over which evidence fades to the prior",
    )
    naming_prior_per_year: float = Field(
        default=0.5,
        ge=0.0,
        le=100.0,
        description="prior belief: times a year a trader is named as an accomplice "
        "(assumption; 0 with naming_news_weight = 0: naming is not weighed)",
    )
    naming_prior_days: float = Field(
        default=90.0,
        gt=0.0,
        le=1e5,
        description="weight of that prior, in days of exposure",
    )
    naming_news_weight: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="evidence one investigation's public news adds: the buyers it named "
        "over the buyers in the trade, times this",
    )


class Network(Strict):
    """The broker layer that connects sellers to buyers, and that investigations walk."""

    brokers: int = Field(default=40, ge=1, le=1000, description="Chinese intermediaries")
    brokers_per_seller: int = Field(default=8, ge=1, le=100, description="brokers each seller uses")
    brokers_per_buyer: int = Field(default=2, ge=1, le=100, description="brokers each buyer uses")
    broker_fee_rmb_per_tonne: float = Field(
        default=10.0, ge=0.0, le=1000.0, description="paid by the buyer on delivery (assumption)"
    )


class Market(Strict):
    """How deals are made, and entry and exit of buyers."""

    kind: Literal["strategic", "fixed"] = Field(
        default="strategic",
        description="strategic: buyers weigh each offer against their belief; fixed: every lot "
        "goes to a buyer at its route's destination on the contract's terms (for checks)",
    )
    entry_per_month: float = Field(
        default=1.0,
        ge=0.0,
        le=100.0,
        description="new buyers a month when the trade makes no profit",
    )
    entry_per_month_per_million_rmb: float = Field(
        default=0.1,
        ge=0.0,
        le=100.0,
        description="extra entrants a month per RMB 1 million of buyer profit in the last 30 days",
    )
    max_buyers: int = Field(default=400, ge=1, le=10000, description="cap on active buyers")
    arrest_probability: Probability = Field(
        default=0.3,
        description="chance the identified buyer of a seized cargo is arrested and leaves",
    )
    arrest_horizon_days: float = Field(
        default=365.0,
        ge=0.0,
        le=36500.0,
        description="days of profit a buyer counts as lost if arrested (assumption; 0: "
        "arrest is not weighed)",
    )


class Contract(Strict):
    """Terms of the deals."""

    price_rmb_per_tonne_min: float = Field(
        default=400.0, gt=0.0, le=5000.0, description="source: 400 to 450 RMB/t"
    )
    price_rmb_per_tonne_max: float = Field(
        default=450.0, gt=0.0, le=5000.0, description="top of the contract price range"
    )
    resale_multiplier: float = Field(
        default=2.0, ge=1.0, le=10.0, description="resale price / purchase price (source: 2 to 3)"
    )
    payment_terms: Literal["advance", "after_delivery", "endogenous"] = Field(  # noqa: RUF100
        default="after_delivery",
        description="fixed terms for every deal, or endogenous: the seller offers advance, the "
        "buyer may ask for after_delivery, each side choosing by expected value",
    )
    ship_to_ship_share: Probability = Field(
        default=0.0,
        description="share of deals on a route with a transfer point that hand the "
        "cargo to the buyer's barge there (the barge then carries the risk)",
    )
    barge_speed_knots: float = Field(default=8.0, ge=1.0, le=20.0, description="buyer's barge")


class Tips(Strict):
    """Tipsters and the rewards on offer."""

    knowers: int = Field(default=6, ge=0, le=200, description="people who know of each shipment")
    base_probability: Probability = Field(
        default=0.0, description="chance one knower tips with no reward on offer"
    )
    max_probability: Probability = Field(
        default=0.015, description="chance one knower tips as the reward grows without bound"
    )
    half_saturation_rmb: float = Field(
        default=100_000.0, gt=0.0, le=1e9, description="reward at which the chance is halfway up"
    )
    delay_hours_mean: float = Field(
        default=12.0,
        ge=0.0,
        le=2000.0,
        description="mean time from sailing to the tip (exponential)",
    )
    accuracy: Probability = Field(
        default=0.7, description="chance a tip, once a patrol reaches the ship, leads to a seizure"
    )
    max_intercept_hours: float = Field(
        default=24.0, ge=0.1, le=500.0, description="longest dash a patrol makes on a tip"
    )
    reward_rule: Literal["share", "fixed"] = Field(
        default="share", description="share: a share of the seized value with a cap (customs rule)"
    )
    reward_fixed_rmb: float = Field(default=50_000.0, ge=0.0, le=1e9, description="fixed reward")
    reward_share: Probability = Field(
        default=0.10, description="source: up to 10% of the seized goods' value"
    )
    reward_cap_rmb: float = Field(
        default=100_000.0,
        ge=0.0,
        le=1e9,
        description="source: RMB 100,000 (some provinces 500,000)",
    )


class Enforcement(Strict):
    """Consequences of a seizure."""

    fine_rmb: float = Field(
        default=1_200_000.0, ge=0.0, le=1e10, description="fine on the identified buyer (source)"
    )
    fine_rule: Literal["fixed", "cargo_multiple"] = Field(
        default="fixed",
        description="fixed: fine_rmb; cargo_multiple: fine_cargo_multiple x cargo value",
    )
    fine_cargo_multiple: float = Field(
        default=1.0, ge=0.0, le=100.0, description="for cargo_multiple"
    )
    vessel_confiscation_probability: Probability = Field(
        default=0.0, description="chance the seized ship is confiscated rather than released"
    )
    vessel_detention_days: float = Field(
        default=30.0, ge=0.0, le=3650.0, description="how long a released ship is held"
    )
    investigation_days_mean: float = Field(
        default=60.0,
        ge=0.0,
        le=3650.0,
        description="mean time from seizure to naming (exponential)",
    )
    accomplices_min: int = Field(default=5, ge=0, le=100, description="source: five or six named")
    accomplices_max: int = Field(default=6, ge=0, le=100, description="source: five or six named")
    sentence_days: float = Field(
        default=90.0, ge=0.0, le=36500.0, description="time a named accomplice stops trading"
    )
    accomplice_fine_rmb: float = Field(
        default=200_000.0, ge=0.0, le=1e10, description="fine on each named accomplice (assumption)"
    )
    name_deal_broker: bool = Field(
        default=False,
        description="name the seized deal's broker first among the accomplices; off, the "
        "search starts from it but it is not charged (the baseline's calibration)",
    )


class Policy(Strict):
    """A change of parameters from a given day on (a crackdown, a new reward)."""

    day: float = Field(ge=0.0, le=3650.0, description="day the change takes effect")
    set: dict[str, Scalar] = Field(
        min_length=1, description="key path = new value, as with --set (e.g. patrols.x.vessels = 4)"
    )
