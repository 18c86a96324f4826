"""The resolved geography of a scenario: ports, routes traced at sea, zones.

A route is traced once, when the scenario is built: its legs are densified
great circles, and the stretches of each leg that lie inside each
enforcement zone are found with shapely. From that profile and a ship's
speed the voyage knows, in closed form, when it enters and leaves each
zone; nothing geometric happens while the simulation runs.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from sim.world import geo

LatLon = tuple[float, float]


@dataclass(frozen=True)
class PortGeo:
    name: str
    country: str
    position: LatLon
    approach: LatLon
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ZoneGeo:
    """A zone; ``area_sq_nm`` is its sea area, since patrols cannot search land."""

    name: str
    polygon: Polygon
    sea: BaseGeometry
    area_sq_nm: float
    station: LatLon


@dataclass(frozen=True)
class Leg:
    start: LatLon
    end: LatLon
    start_label: str
    end_label: str
    harbour: bool
    line: LineString
    length_nm: float


@dataclass(frozen=True)
class ZoneStretch:
    """Distance along the route, in nm, over which it lies inside a zone."""

    zone: str
    start_nm: float
    end_nm: float


@dataclass(frozen=True)
class RouteGeo:
    name: str
    origin: str
    destination: str
    legs: tuple[Leg, ...]
    stretches: tuple[ZoneStretch, ...]
    transfer_nm: float | None
    transfer_hours: float
    _cum_nm: np.ndarray = field(repr=False, compare=False)
    _lon: np.ndarray = field(repr=False, compare=False)
    _lat: np.ndarray = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        # Plain lists for the scalar look-ups made while the simulation runs.
        object.__setattr__(self, "_cum_list", self._cum_nm.tolist())
        object.__setattr__(self, "_lat_list", self._lat.tolist())
        object.__setattr__(self, "_lon_list", self._lon.tolist())

    _cum_list: list[float] = field(init=False, repr=False, compare=False)
    _lat_list: list[float] = field(init=False, repr=False, compare=False)
    _lon_list: list[float] = field(init=False, repr=False, compare=False)

    @property
    def length_nm(self) -> float:
        return self._cum_list[-1]  # the list's float: a numpy scalar costs ~10x to read

    def position_at(self, distance_nm: float) -> LatLon:
        """Position after ``distance_nm`` along the route (linear between traced points)."""
        cum = self._cum_list
        d = min(max(distance_nm, 0.0), cum[-1])
        i = min(max(bisect.bisect_right(cum, d), 1), len(cum) - 1)
        span = cum[i] - cum[i - 1]
        f = (d - cum[i - 1]) / span if span > 0 else 0.0
        lat, lon = self._lat_list, self._lon_list
        return (lat[i - 1] + f * (lat[i] - lat[i - 1]), lon[i - 1] + f * (lon[i] - lon[i - 1]))

    def exposure(self, speed_knots: float) -> list[tuple[str, float, float]]:
        """(zone, hours after departure entering, hours leaving) for a ship at this speed.

        A transfer stop inside a zone lengthens that zone's interval by the stop time.
        """
        out = []
        for s in self.stretches:
            out.append(
                (
                    s.zone,
                    self.hours_to(s.start_nm, speed_knots, entering=True),
                    self.hours_to(s.end_nm, speed_knots, entering=False),
                )
            )
        return out

    def exposure_from(self, start_nm: float, speed_knots: float) -> list[tuple[str, float, float]]:
        """Zone intervals, in hours, for a vessel that joins the route at ``start_nm`` (no stop)."""
        return [
            (s.zone, (max(s.start_nm, start_nm) - start_nm) / speed_knots,
             (s.end_nm - start_nm) / speed_knots)
            for s in self.stretches
            if s.end_nm > start_nm
        ]  # fmt: skip

    def hours_to(self, distance_nm: float, speed_knots: float, *, entering: bool = False) -> float:
        """Sailing time to a point on the route, counting the transfer stop once passed."""
        t = distance_nm / speed_knots
        if self.transfer_nm is not None and (
            distance_nm > self.transfer_nm or (distance_nm == self.transfer_nm and not entering)
        ):
            t += self.transfer_hours
        return t

    def duration_hours(self, speed_knots: float) -> float:
        return self.hours_to(self.length_nm, speed_knots, entering=False)

    def nonstop_exposure(self, speed_knots: float) -> list[tuple[str, float, float]]:
        """Zone intervals, in hours, for a ship that sails past the transfer point: one
        delivering to port has no reason to stop there."""
        return self.exposure_from(0.0, speed_knots)

    def nonstop_hours(self, speed_knots: float) -> float:
        return self.length_nm / speed_knots

    def distance_at(self, hours: float, speed_knots: float) -> float:
        """Inverse of ``hours_to``: how far along the route the ship is after ``hours``."""
        if self.transfer_nm is not None:
            t_stop = self.transfer_nm / speed_knots
            if hours >= t_stop + self.transfer_hours:
                return min(self.length_nm, (hours - self.transfer_hours) * speed_knots)
            if hours >= t_stop:
                return self.transfer_nm
        return min(self.length_nm, hours * speed_knots)


@dataclass(frozen=True)
class Geography:
    ports: dict[str, PortGeo]
    zones: dict[str, ZoneGeo]
    routes: dict[str, RouteGeo]


def make_zone(name: str, ring: list[tuple[float, float]]) -> ZoneGeo:
    poly = Polygon(ring)
    sea = poly.difference(geo.land())
    if sea.is_empty:  # all land: no station point; the scenario check names the zone
        c = poly.representative_point()
    else:
        c = sea.centroid
        if not sea.contains(c):
            c = sea.representative_point()
    return ZoneGeo(name, poly, sea, geo.area_sq_nm(sea), (c.y, c.x))


def make_leg(a: LatLon, b: LatLon, a_label: str, b_label: str, *, harbour: bool) -> Leg:
    return Leg(
        a,
        b,
        a_label,
        b_label,
        harbour,
        geo.leg_line(a[0], a[1], b[0], b[1]),
        geo.great_circle_nm(a[0], a[1], b[0], b[1]),
    )


def trace_route(
    name: str,
    origin: PortGeo,
    destination: PortGeo,
    via: list[tuple[str, LatLon]],
    zones: dict[str, ZoneGeo],
    transfer_at: str | None = None,
    transfer_hours: float = 0.0,
) -> RouteGeo:
    """Lay out a route's legs and find where it runs inside each zone."""
    points = [(origin.name, origin.position), (f"{origin.name} approach", origin.approach)]
    points += via
    points += [
        (f"{destination.name} approach", destination.approach),
        (destination.name, destination.position),
    ]
    legs = []
    last = len(points) - 2
    for i, ((la, pa), (lb, pb)) in enumerate(itertools.pairwise(points)):
        legs.append(make_leg(pa, pb, la, lb, harbour=i in (0, last)))

    cum, lons, lats, raw_stretches = (
        [0.0],
        [legs[0].line.coords[0][0]],
        [legs[0].line.coords[0][1]],
        [],
    )
    offset = 0.0
    for leg in legs:
        coords = np.asarray(leg.line.coords)
        seg_nm = np.array(
            [geo.great_circle_nm(a[1], a[0], b[1], b[0]) for a, b in itertools.pairwise(coords)]
        )
        leg_cum_nm = np.concatenate([[0.0], np.cumsum(seg_nm)])
        leg_cum_flat = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
        raw_stretches += _zone_stretches(leg, zones, leg_cum_flat, leg_cum_nm, offset)
        cum.extend((offset + leg_cum_nm[1:]).tolist())
        lons.extend(coords[1:, 0].tolist())
        lats.extend(coords[1:, 1].tolist())
        offset += float(leg_cum_nm[-1])

    transfer_nm = None
    if transfer_at is not None:
        transfer_nm = _distance_to_label(legs, transfer_at)
    return RouteGeo(
        name,
        origin.name,
        destination.name,
        tuple(legs),
        tuple(_merge(raw_stretches)),
        transfer_nm,
        transfer_hours,
        np.asarray(cum),
        np.asarray(lons),
        np.asarray(lats),
    )


def _zone_stretches(
    leg: Leg, zones: dict[str, ZoneGeo], cum_flat: np.ndarray, cum_nm: np.ndarray, offset: float
) -> list[tuple[str, float, float]]:
    """Where a leg runs inside each zone, in nm from the route's start (the leg starting at
    ``offset``): shapely measures along the line in degrees, mapped here to nautical miles."""
    stretches = []
    for zname, z in zones.items():
        for piece in _line_pieces(leg.line.intersection(z.polygon)):
            ends = [leg.line.project(Point(piece.coords[k])) for k in (0, -1)]
            a_nm, b_nm = (float(np.interp(e, cum_flat, cum_nm)) for e in sorted(ends))
            if b_nm > a_nm:
                stretches.append((zname, offset + a_nm, offset + b_nm))
    return stretches


def _distance_to_label(legs: tuple[Leg, ...] | list[Leg], label: str) -> float:
    d = 0.0
    for leg in legs:
        d += leg.length_nm
        if leg.end_label == label:
            return d
    raise KeyError(label)


def _line_pieces(geom: BaseGeometry) -> list[LineString]:
    if geom.is_empty:
        return []
    if isinstance(geom, LineString):
        return [geom]
    if hasattr(geom, "geoms"):
        out: list[LineString] = []
        for g in geom.geoms:
            out.extend(_line_pieces(g))
        return out
    return []  # isolated touching points carry no time in the zone


def _merge(stretches: list[tuple[str, float, float]]) -> list[ZoneStretch]:
    """Join stretches of one zone that meet at a leg boundary; sort by distance."""
    out: list[ZoneStretch] = []
    for zname, a, b in sorted(stretches, key=lambda s: (s[1], s[2])):
        if out and out[-1].zone == zname and abs(out[-1].end_nm - a) < 1e-6:
            out[-1] = ZoneStretch(zname, out[-1].start_nm, max(out[-1].end_nm, b))
        else:
            out.append(ZoneStretch(zname, a, b))
    return out
