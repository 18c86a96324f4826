"""The targets file's schema: the world, the observed figures and the parameters to fit.

Validated with pydantic in the scenario schema's strict mode (unknown keys,
wrong kinds and non-finite numbers are mistakes), so a targets file fails
as a scenario file does: one message naming the file and the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Name, Strict

Z90 = 1.6448536269514722
"""The standard normal's 95th percentile: an interval target is read as a 90% interval."""
DEFAULT_AT_LEAST_ERROR = 0.1


class Target(Strict):
    """One observed figure and how much to trust it.

    Exactly one error model: ``low`` and ``high`` (a 90% interval of the
    figure's error), ``value`` with ``relative_error`` (one standard
    deviation, as a fraction of the value), or ``at_least`` (a lower bound,
    such as a count of known seizures: a simulated value above it is not
    penalised; ``relative_error`` sizes the fall-off below it).
    """

    metric: str = Field(min_length=1, max_length=80, description="a metric (docs/metrics.md)")
    name: str = Field(default="", max_length=80, description="label (default: the metric)")
    low: float | None = Field(default=None, description="interval: lowest plausible value")
    high: float | None = Field(default=None, description="interval: highest plausible value")
    value: float | None = Field(default=None, description="point value (with relative_error)")
    relative_error: float | None = Field(
        default=None, gt=0.0, le=10.0, description="one standard deviation, as a fraction"
    )
    at_least: float | None = Field(default=None, description="lower bound on the figure")
    window_days: tuple[float, float] | None = Field(
        default=None,
        strict=False,
        description="[start, end] days of the run the figure covers (default: all of it)",
    )
    total: bool | None = Field(
        default=None,
        description="the metric is a total over the run, scaled to the window's length "
        "(default: from the metric's unit)",
    )
    period: str = Field(default="", max_length=200, description="the time the figure describes")
    source: str = Field(min_length=1, max_length=1000, description="where it comes from")

    @model_validator(mode="after")
    def _one_error_model(self) -> Target:
        interval = self.low is not None or self.high is not None
        point = self.value is not None
        bound = self.at_least is not None
        if sum((interval, point, bound)) != 1:
            raise ValueError(
                "give exactly one of: low and high (an interval), value with "
                "relative_error, or at_least (a lower bound)"
            )
        if interval:
            if self.low is None or self.high is None:
                raise ValueError("an interval needs both low and high")
            if not self.low < self.high:
                raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
            if self.relative_error is not None:
                raise ValueError("relative_error is not used with an interval (low, high)")
        if point and self.relative_error is None:
            raise ValueError("value needs relative_error (one standard deviation, a fraction)")
        if point and self.value == 0:
            raise ValueError("value 0 has no relative error; give an interval (low, high)")
        if bound and self.at_least is not None and self.at_least <= 0:
            raise ValueError(f"at_least must be above 0 (got {self.at_least:g})")
        return self

    @property
    def label(self) -> str:
        return self.name or self.metric

    @property
    def centre(self) -> float:
        """The figure the error model is centred on (the bound, for ``at_least``)."""
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2
        if self.value is not None:
            return self.value
        assert self.at_least is not None
        return self.at_least

    @property
    def sd(self) -> float:
        """One standard deviation of the figure's error, in the metric's file unit."""
        if self.low is not None and self.high is not None:
            return (self.high - self.low) / (2 * Z90)
        rel = self.relative_error if self.relative_error is not None else DEFAULT_AT_LEAST_ERROR
        return rel * abs(self.centre)

    @property
    def accepted(self) -> tuple[float, float]:
        """The values the figure allows: its interval, value +- 1.645 sd, or [bound, inf)."""
        if self.at_least is not None:
            return (self.at_least, math.inf)
        if self.low is not None and self.high is not None:
            return (self.low, self.high)
        return (self.centre - Z90 * self.sd, self.centre + Z90 * self.sd)

    def describe(self, num: Callable[[float], str] | None = None) -> str:
        """'4,000,000 to 5,500,000', '>= 60,000', '7,650 +- 10%': each figure written by
        ``num`` (default: as in the file; the terminal passes the metric's display unit)."""
        num = num or _num
        if self.at_least is not None:
            return f">= {num(self.at_least)}"
        if self.low is not None and self.high is not None:
            return f"{num(self.low)} to {num(self.high)}"
        return f"{num(self.centre)} +- {self.relative_error:.0%}"


def _num(x: float) -> str:
    """A figure as a reader writes it: '4,000,000', '0.7', '6,500'."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


class Parameter(Strict):
    """A scenario key to fit (a path as ``--set`` takes it) and its prior range."""

    path: str = Field(min_length=1, max_length=200, description="scenario key path")
    low: float = Field(description="lowest value of the prior")
    high: float = Field(description="highest value of the prior")
    prior: Literal["uniform", "log-uniform"] = Field(
        default="uniform", description="uniform, or log-uniform (for scale parameters)"
    )

    @model_validator(mode="after")
    def _range(self) -> Parameter:
        if not self.low < self.high:
            raise ValueError(
                f"empty prior range: low ({self.low:g}) must be below high ({self.high:g})"
            )
        if self.prior == "log-uniform" and self.low <= 0:
            raise ValueError(f"a log-uniform prior needs low above 0 (got {self.low:g})")
        return self

    def value(self, u: float) -> float:
        """The parameter at quantile ``u`` of its prior (0..1)."""
        if self.prior == "log-uniform":
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    def quantile(self, x: float) -> float:
        """The prior quantile of value ``x``: the inverse of ``value``."""
        if self.prior == "log-uniform":
            return (math.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)


class TargetsFile(Strict):
    """A targets file as written."""

    name: Name = Field(description="names the results folder")
    description: str = Field(default="", max_length=2000)
    base: str = Field(min_length=1, description="the world to calibrate, relative to this file")
    set: dict[str, Any] = Field(
        default_factory=dict, description="fixed changes to the base, as with --set"
    )
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, description="default: the base's")
    budget: int = Field(
        default=1200, ge=40, le=200_000, description="simulations in all (default 1,200)"
    )
    waves: int = Field(default=3, ge=1, le=10, description="history-matching waves")
    targets: list[Target] = Field(min_length=1, max_length=50)
    parameters: list[Parameter] = Field(min_length=1, max_length=10)
