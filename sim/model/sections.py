"""The scenario's sections as the model reads them while a run goes on.

Each class holds one schema section's fields (same names, same order, same types, as
``tests/test_params.py`` checks against the schema) and nothing else. They are written
out, not made from the schema at run time, because the compiled build (``make fast``)
reads a field of a class it compiled as a native slot, and a field of any other object
(a pydantic model, or a class ``make_dataclass`` made) through Python's generic
attribute lookup: a replication of the baseline reads some 47,000 levers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sim.scenario.adaptive import Mode


@dataclass(frozen=True, slots=True)
class DetectionSection:
    recognition_probability: float
    ais_off_factor: float
    ais_off_search_factor: float
    search_speed: Literal["relative", "patrol"]


@dataclass(frozen=True, slots=True)
class ContractSection:
    price_rmb_per_tonne_min: float
    price_rmb_per_tonne_max: float
    resale_multiplier: float
    payment_terms: Literal["advance", "after_delivery", "endogenous"]
    ship_to_ship_share: float
    barge_speed_knots: float


@dataclass(frozen=True, slots=True)
class TipsSection:
    knowers: int
    base_probability: float
    max_probability: float
    half_saturation_rmb: float
    delay_hours_mean: float
    accuracy: float
    max_intercept_hours: float
    reward_rule: Literal["share", "fixed"]
    reward_fixed_rmb: float
    reward_share: float
    reward_cap_rmb: float


@dataclass(frozen=True, slots=True)
class EnforcementSection:
    fine_rmb: float
    fine_rule: Literal["fixed", "cargo_multiple"]
    fine_cargo_multiple: float
    vessel_confiscation_probability: float
    vessel_detention_days: float
    investigation_days_mean: float
    accomplices_min: int
    accomplices_max: int
    sentence_days: float
    accomplice_fine_rmb: float
    name_deal_broker: bool


@dataclass(frozen=True, slots=True)
class MarketSection:
    kind: Literal["strategic", "fixed"]
    entry_per_month: float
    entry_per_month_per_million_rmb: float
    max_buyers: int
    arrest_probability: float
    arrest_horizon_days: float


@dataclass(frozen=True, slots=True)
class BeliefsSection:
    own_weight: float
    news_weight: float
    memory_days: float
    naming_prior_per_year: float
    naming_prior_days: float
    naming_news_weight: float


@dataclass(frozen=True, slots=True)
class NetworkSection:
    brokers: int
    brokers_per_seller: int
    brokers_per_buyer: int
    broker_fee_rmb_per_tonne: float


@dataclass(frozen=True, slots=True)
class AdaptationSection:
    enabled: bool
    sharpness: float
    modes: list[Mode]
    prior_alpha: float
    prior_beta: float
    own_weight: float
    news_weight: float
    memory_days: float
    timing: bool
    surge_ratio: float
    max_delay_hours: float
    loiter_max_hours: float
    check_hours: float


@dataclass(frozen=True, slots=True)
class SellerSection:
    """One ``[[sellers]]`` entry: every company made from it reads this."""

    name: str
    count: int
    insists_on_advance: bool
    patience_days: float
    retry_hours: float
    kind: Literal["state", "provincial"]
    port: str
    routes: list[str]
    route_weights: list[float] | None
    lot_interval_days: float
    lot_interval: Literal["exponential", "fixed"]
    lot_tonnes_min: float
    lot_tonnes_max: float
    vessels: int
    vessel_capacity_dwt: float
    speed_knots: float
    ais_off_share: float
    concealment: float
    loading_hours: float
    discharge_hours: float
    operating_cost_rmb_per_day: float


@dataclass(frozen=True, slots=True)
class BuyerSection:
    """One ``[[buyers]]`` entry: the buyers made from it, and entrants drawn on it."""

    name: str
    port: str
    count: int
    capital_rmb: float
    demand_tonnes_per_month: float
    hurdle_rmb: float
    risk_multiplier: float
    prior_alpha: float
    prior_beta: float
    sit_out_days: float
    deals_per_year: float
