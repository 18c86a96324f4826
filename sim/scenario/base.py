"""Shared building blocks of the scenario schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\- #]*$"
"""Names become folder names (results/<scenario name>/...), so they start with a letter, a
digit or _ (never "." or "..") and hold no path separator."""
Name = Annotated[str, Field(min_length=1, max_length=80, pattern=NAME_PATTERN)]
Lat = Annotated[float, Field(ge=26.0, le=43.0, description="latitude, degrees north")]
Lon = Annotated[float, Field(ge=116.0, le=132.0, description="longitude, degrees east")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
LonLat = Annotated[tuple[Lon, Lat], Field(strict=False)]
"""A [lon, lat] pair: TOML writes it as an array, so the pair itself is lax; its numbers
are strict like every other number."""
Role = Literal["loading", "discharge", "anchorage", "transfer_point", "coast_guard_base"]


class Strict(BaseModel):
    """Base for every section: unknown keys and non-finite numbers are errors, and so are
    values of the wrong kind (strict mode): ``true`` or ``"90"`` for a number, ``"yes"``
    or ``1`` for a switch are mistakes to report, not values to convert. An integer is
    still a number."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, validate_default=True, strict=True
    )
