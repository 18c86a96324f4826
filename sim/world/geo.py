"""Spherical helpers: distances in nautical miles, great-circle legs, areas.

Shapely works in a flat plane, so lon/lat geometry is handed to it only in
forms where that is exact enough: legs are densified along the great circle
before being drawn as lines, and areas are measured in the Lambert
cylindrical equal-area projection, where planar area equals area on the
sphere.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import prepared, wkb
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_NM = 3440.065
"""Mean Earth radius in nautical miles (6,371 km / 1.852)."""

DENSIFY_STEP_NM = 2.0
"""Spacing of the points that trace a great-circle leg for land and zone tests."""


def great_circle_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(h)))


def great_circle_points(
    lat1: float, lon1: float, lat2: float, lon2: float, n: int
) -> NDArray[np.float64]:
    """``n`` points evenly spaced along the great circle, as an (n, 2) array of lon, lat."""
    p1 = _unit(lat1, lon1)
    p2 = _unit(lat2, lon2)
    omega = math.acos(max(-1.0, min(1.0, float(np.dot(p1, p2)))))
    f = np.linspace(0.0, 1.0, n)
    if omega < 1e-12:
        pts = np.outer(1 - f, p1) + np.outer(f, p2)
    else:
        s = math.sin(omega)
        pts = np.outer(np.sin((1 - f) * omega) / s, p1) + np.outer(np.sin(f * omega) / s, p2)
    lat = np.degrees(np.arcsin(np.clip(pts[:, 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(pts[:, 1], pts[:, 0]))
    return np.column_stack([lon, lat])


def _unit(lat: float, lon: float) -> NDArray[np.float64]:
    la, lo = math.radians(lat), math.radians(lon)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def leg_line(lat1: float, lon1: float, lat2: float, lon2: float) -> LineString:
    """The great-circle leg as a densified lon/lat line (for land and zone tests)."""
    n = max(2, math.ceil(great_circle_nm(lat1, lon1, lat2, lon2) / DENSIFY_STEP_NM) + 1)
    return LineString(great_circle_points(lat1, lon1, lat2, lon2, n))


def _to_equal_area(lonlat: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.column_stack(
        [
            np.radians(lonlat[:, 0]) * EARTH_RADIUS_NM,
            np.sin(np.radians(lonlat[:, 1])) * EARTH_RADIUS_NM,
        ]
    )


def area_sq_nm(geom: BaseGeometry) -> float:
    """Area on the sphere, in square nautical miles, of a lon/lat geometry."""
    return float(shapely.transform(geom, _to_equal_area).area)


@lru_cache(maxsize=1)
def _land_wkb() -> bytes:
    text = resources.files("sim.world").joinpath("data/yellow_sea_land.geojson").read_text()
    features = json.loads(text)["features"]
    geom = shape(features[0]["geometry"])
    for feat in features[1:]:
        geom = geom.union(shape(feat["geometry"]))
    return bytes(geom.wkb)


def land() -> BaseGeometry:
    """The shipped coastline (Natural Earth 1:50m land, clipped to the Yellow Sea region)."""
    return wkb.loads(_land_wkb())


@lru_cache(maxsize=1)
def _prepared_land() -> prepared.PreparedGeometry:
    return prepared.prep(land())


def crosses_land(line: BaseGeometry) -> bool:
    """True when a sea leg touches land anywhere along its length."""
    return bool(_prepared_land().intersects(line))


def on_land(lat: float, lon: float) -> bool:
    return bool(_prepared_land().intersects(Point(lon, lat)))


def first_land_point(line: BaseGeometry) -> tuple[float, float]:
    """Where a leg first meets land, as (lat, lon), for error messages."""
    hit = line.intersection(land())
    d = min(line.project(p) for p in _points_of(hit))
    p = line.interpolate(d)
    return (p.y, p.x)


def _points_of(geom: BaseGeometry) -> list[BaseGeometry]:
    """The vertices of what a line shares with land: points and lines, never areas."""
    if geom.is_empty:
        return []
    if hasattr(geom, "geoms"):
        out: list[BaseGeometry] = []
        for g in geom.geoms:
            out.extend(_points_of(g))
        return out
    return [Point(c) for c in geom.coords]
