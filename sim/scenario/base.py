"""Shared building blocks of the scenario schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\- #]+$")]
Lat = Annotated[float, Field(ge=26.0, le=43.0, description="latitude, degrees north")]
Lon = Annotated[float, Field(ge=116.0, le=132.0, description="longitude, degrees east")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Role = Literal["loading", "discharge", "anchorage", "transfer_point", "coast_guard_base"]


class Strict(BaseModel):
    """Base for every section: unknown keys and non-finite numbers are errors."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_default=True)
