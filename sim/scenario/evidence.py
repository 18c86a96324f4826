"""Public figures a world is meant to match: the scenario's ``[[public_figures]]``.

A period world (the 2019 peak, the crackdown) is only as good as its match to
what was reported. Each entry names a metric, the interval the public record
allows for it, and where that interval comes from; the run's report and
``coalsim run`` set the simulated mean beside it. Entries are checks, never
inputs: nothing in the model reads them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import Strict


class PublicFigure(Strict):
    """One reported figure, as an interval the model's output should fall in."""

    metric: str = Field(
        min_length=1, max_length=80, description="a metric's name (docs/metrics.md)"
    )
    low: float = Field(description="lowest value the record allows, in the metric's file unit")
    high: float = Field(description="highest value the record allows, in the metric's file unit")
    per: Literal["run", "year"] = Field(
        default="run",
        description="year: the metric is a total, compared per 365 days of the run; run: "
        "compared as it stands (shares, means)",
    )
    period: str = Field(default="", max_length=200, description="the time the figure describes")
    source: str = Field(
        min_length=1, max_length=1000, description="where the figure comes from (docs/sources.md)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> PublicFigure:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        return self
