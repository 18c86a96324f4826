"""The world's geometry by hand: great circles on a sphere of known radius, and a
hand-laid route (30 nm, a 3 h transfer stop at 10 nm, zone z from 5 to 25 nm) whose
times and positions follow from distance / speed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import GeometryCollection, LineString, MultiLineString, Point

from sim.world import geo
from sim.world.network import (
    Leg,
    PortGeo,
    RouteGeo,
    ZoneStretch,
    _distance_to_label,
    _line_pieces,
    _merge,
    make_zone,
    trace_route,
)

pytestmark = pytest.mark.model

NM_PER_DEGREE = geo.EARTH_RADIUS_NM * math.pi / 180.0  # 60.04 nm


def test_great_circle_distances_on_the_sphere() -> None:
    assert geo.great_circle_nm(0.0, 0.0, 1.0, 0.0) == pytest.approx(NM_PER_DEGREE)
    assert geo.great_circle_nm(0.0, 0.0, 0.0, 1.0) == pytest.approx(NM_PER_DEGREE)
    # Along the 60th parallel a degree of longitude is half as long (nearly: the great circle
    # cuts the corner); the meridian between the poles is half the circumference.
    assert geo.great_circle_nm(60.0, 0.0, 60.0, 1.0) == pytest.approx(NM_PER_DEGREE / 2, rel=1e-4)
    assert geo.great_circle_nm(90.0, 0.0, -90.0, 0.0) == pytest.approx(math.pi * 3440.065)
    assert geo.great_circle_nm(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * 3440.065)


def test_great_circle_points_are_evenly_spaced_on_the_circle() -> None:
    pts = geo.great_circle_points(0.0, 0.0, 0.0, 90.0, 4)  # along the equator
    assert pts == pytest.approx(np.array([[0, 0], [30, 0], [60, 0], [90, 0]]), abs=1e-9)
    meridian = geo.great_circle_points(0.0, 10.0, 60.0, 10.0, 3)
    assert meridian == pytest.approx(np.array([[10, 0], [10, 30], [10, 60]]), abs=1e-9)
    same = geo.great_circle_points(37.0, 124.0, 37.0, 124.0, 3)
    assert same == pytest.approx(np.array([[124.0, 37.0]] * 3))


def test_a_leg_is_traced_every_two_nautical_miles() -> None:
    d = geo.great_circle_nm(35.0, 123.0, 35.0, 123.2)  # about 9.8 nm: 5 steps, 6 points
    assert len(geo.leg_line(35.0, 123.0, 35.0, 123.2).coords) == math.ceil(d / 2.0) + 1 == 6
    assert len(geo.leg_line(35.0, 123.0, 35.0, 123.0).coords) == 2


def test_an_all_land_zone_keeps_its_station_inside_and_a_coastal_zone_at_sea() -> None:
    inland = make_zone("inland", [(116.0, 35.0), (116.5, 35.0), (116.5, 35.5), (116.0, 35.5)])
    assert inland.area_sq_nm == 0.0
    assert inland.polygon.contains(Point(inland.station[1], inland.station[0]))
    coastal = make_zone("coast", [(120.0, 36.0), (121.5, 36.0), (121.5, 37.0), (120.0, 37.0)])
    assert 0.0 < coastal.area_sq_nm < geo.area_sq_nm(coastal.polygon)
    assert coastal.area_sq_nm == pytest.approx(geo.area_sq_nm(coastal.sea))
    assert (inland.name, coastal.name) == ("inland", "coast")
    assert not geo.on_land(*coastal.station)
    assert geo.on_land(36.0, 117.0)  # inland Shandong
    # An open-sea box: the station is its centre.
    box = make_zone("box", [(122.0, 35.5), (123.5, 35.5), (123.5, 36.5), (122.0, 36.5)])
    assert box.station == pytest.approx((36.0, 122.75), abs=1e-9)


def test_where_a_leg_first_meets_land() -> None:
    # West to east across the Shandong peninsula near 37 N: the first landfall is the west coast.
    line = geo.leg_line(37.3, 119.0, 37.3, 122.0)
    lat, lon = geo.first_land_point(line)
    assert geo.crosses_land(line)
    assert lat == pytest.approx(37.3, abs=0.01)
    hit = line.intersection(geo.land())
    assert lon == pytest.approx(min(x for x, _ in _coords(hit)), abs=1e-6)


def _coords(geom: object) -> list[tuple[float, float]]:
    parts = getattr(geom, "geoms", [geom])
    return [c for g in parts for c in g.coords]  # type: ignore[attr-defined]


def _route(transfer_nm: float | None = 10.0) -> RouteGeo:
    cum = np.array([0.0, 10.0, 30.0])
    lat, lon = np.array([30.0, 31.0, 33.0]), np.array([120.0, 121.0, 121.0])
    return RouteGeo(
        "r", "A", "B", (), (ZoneStretch("z", 5.0, 25.0),), transfer_nm, 3.0, cum, lon, lat
    )


def test_position_is_interpolated_between_traced_points_and_held_at_the_ends() -> None:
    r = _route()
    assert r.length_nm == 30.0
    assert r.position_at(5.0) == pytest.approx((30.5, 120.5))
    assert r.position_at(10.0) == pytest.approx((31.0, 121.0))
    assert r.position_at(20.0) == pytest.approx((32.0, 121.0))
    assert r.position_at(-4.0) == pytest.approx((30.0, 120.0))
    assert r.position_at(99.0) == pytest.approx((33.0, 121.0))


def test_times_to_points_count_the_transfer_stop_once_passed() -> None:
    r = _route()  # 5 knots: the stop is reached after 2 h and left after 5 h
    assert r.hours_to(10.0, 5.0, entering=True) == 2.0
    assert r.hours_to(10.0, 5.0) == 5.0
    assert r.hours_to(9.0, 5.0) == pytest.approx(1.8)
    assert r.hours_to(15.0, 5.0, entering=True) == pytest.approx(6.0)
    assert r.exposure(5.0) == [("z", 1.0, 8.0)]  # 3 h stop inside the zone
    assert r.duration_hours(5.0) == pytest.approx(9.0)
    assert r.nonstop_hours(5.0) == pytest.approx(6.0)
    assert r.nonstop_exposure(5.0) == [("z", 1.0, 5.0)]
    assert r.exposure_from(10.0, 5.0) == [("z", 0.0, 3.0)]
    assert r.exposure_from(25.0, 5.0) == []
    assert _route(None).hours_to(15.0, 5.0) == pytest.approx(3.0)


def test_distance_after_some_hours_inverts_the_sailing_time() -> None:
    r = _route()
    assert [r.distance_at(h, 5.0) for h in (1.0, 2.0, 3.5, 5.0, 6.0, 100.0)] == pytest.approx(
        [5.0, 10.0, 10.0, 10.0, 15.0, 30.0]
    )
    no_stop = _route(None)
    assert [no_stop.distance_at(h, 5.0) for h in (3.0, 100.0)] == pytest.approx([15.0, 30.0])


def test_stretches_of_one_zone_meeting_at_a_leg_end_are_joined() -> None:
    raw = [("z", 20.0, 22.0), ("z", 5.0, 8.0), ("z", 0.0, 5.0), ("y", 8.0, 9.0)]
    assert _merge(raw) == [
        ZoneStretch("z", 0.0, 8.0),
        ZoneStretch("y", 8.0, 9.0),
        ZoneStretch("z", 20.0, 22.0),
    ]
    # A stretch inside the one before it does not shorten it.
    assert _merge([("z", 0.0, 9.0), ("z", 9.0 - 5e-7, 9.0 - 4e-7)]) == [ZoneStretch("z", 0.0, 9.0)]


def test_the_distance_to_a_labelled_point_sums_the_legs_before_it() -> None:
    line = LineString([(0, 0), (1, 0)])
    legs = [
        Leg((0, 0), (0, 1), "A", "x", True, line, 4.0),
        Leg((0, 1), (0, 2), "x", "T", False, line, 6.5),
        Leg((0, 2), (0, 3), "T", "B", True, line, 2.0),
    ]
    assert _distance_to_label(legs, "x") == 4.0
    assert _distance_to_label(legs, "T") == 10.5
    with pytest.raises(KeyError, match="nowhere"):
        _distance_to_label(legs, "nowhere")


def test_only_lines_count_as_time_in_a_zone() -> None:
    a, b = LineString([(0, 0), (1, 0)]), LineString([(2, 0), (3, 0)])
    assert _line_pieces(a) == [a]
    assert _line_pieces(MultiLineString([a, b])) == [a, b]
    assert _line_pieces(GeometryCollection([Point(5, 5), b])) == [b]
    assert _line_pieces(LineString()) == []
    assert _line_pieces(Point(1, 1)) == []


def test_a_zone_met_or_left_exactly_at_the_transfer_point() -> None:
    """Zone y ends and zone z begins at the stop (10 nm, 5 kn, 3 h): y is left when the
    stop ends, z entered when it begins."""
    cum = np.array([0.0, 10.0, 30.0])
    lat, lon = np.array([30.0, 31.0, 33.0]), np.array([120.0, 121.0, 121.0])
    stretches = (ZoneStretch("y", 0.0, 10.0), ZoneStretch("z", 10.0, 25.0))
    r = RouteGeo("r", "A", "B", (), stretches, 10.0, 3.0, cum, lon, lat)
    assert r.exposure(5.0) == [("y", 0.0, 5.0), ("z", 2.0, 8.0)]


def test_a_leg_keeps_its_ends_labels_and_harbour_flag() -> None:
    from sim.world.network import make_leg

    leg = make_leg((35.0, 123.0), (35.0, 123.2), "a", "b", harbour=True)
    assert (leg.start, leg.end, leg.start_label, leg.end_label, leg.harbour) == (
        (35.0, 123.0),
        (35.0, 123.2),
        "a",
        "b",
        True,
    )
    assert leg.length_nm == pytest.approx(geo.great_circle_nm(35.0, 123.0, 35.0, 123.2))
    assert leg.line.coords[0] == pytest.approx((123.0, 35.0))
    assert not make_leg((35.0, 123.0), (35.0, 123.2), "a", "b", harbour=False).harbour


def test_short_legs_follow_the_great_circle_not_the_chord() -> None:
    """Legs under a radian (every leg in the Yellow Sea) are still spaced evenly on the
    sphere: 40 degrees of equator in four steps of 10, 30 degrees of meridian halved at 15.
    Straight-line interpolation of the unit vectors would put the equator's second point
    at atan(sin 40 / (3 + cos 40)) = 8.3 degrees, the meridian's midpoint at 14.5."""
    pts = geo.great_circle_points(0.0, 0.0, 0.0, 40.0, 5)
    assert pts == pytest.approx(np.array([[0, 0], [10, 0], [20, 0], [30, 0], [40, 0]]), abs=1e-9)
    meridian = geo.great_circle_points(0.0, 124.0, 30.0, 124.0, 3)
    assert meridian == pytest.approx(np.array([[124, 0], [124, 15], [124, 30]]), abs=1e-9)


def test_a_leg_from_a_point_to_itself_stays_there() -> None:
    """At 30 N 121 E the unit vector's dot product with itself rounds to just above 1: the
    leg (a via point on a port's approach, say) must still be that point, not an error."""
    pts = geo.great_circle_points(30.0, 121.0, 30.0, 121.0, 3)
    assert pts == pytest.approx(np.array([[121.0, 30.0]] * 3), abs=1e-9)
    assert geo.leg_line(30.0, 121.0, 30.0, 121.0).length == 0.0


def test_a_meridian_leg_over_a_pole_passes_through_the_pole() -> None:
    """From 81 N 0 E to 81 N 180 E the great circle runs over the North Pole, 9 degrees
    from each end; its height there rounds to just above 1 and must read as 90 N, not NaN
    (and likewise over the South Pole)."""
    north = geo.great_circle_points(81.0, 0.0, 81.0, 180.0, 3)
    assert north[:, 1] == pytest.approx([81.0, 90.0, 81.0], abs=1e-9)
    south = geo.great_circle_points(-81.0, 0.0, -81.0, 180.0, 3)
    assert south[:, 1] == pytest.approx([-81.0, -90.0, -81.0], abs=1e-9)


def test_the_first_landfall_of_a_leg_that_meets_land_twice() -> None:
    """Eastward along 37.5 N from Laizhou Bay (119 E) to 123 E the leg crosses the Shandong
    peninsula and touches land again further east: the first landfall is the westmost point
    of everything it shares with land, on the leg (the great circle bulges a little north)."""
    line = geo.leg_line(37.5, 119.0, 37.5, 123.0)
    hit = line.intersection(geo.land())
    assert len(getattr(hit, "geoms", [])) >= 2  # the case under test: land met in pieces
    lat, lon = geo.first_land_point(line)
    assert lon == pytest.approx(min(x for x, _ in _coords(hit)), abs=1e-6)
    assert 120.0 < lon < 120.5 and 37.5 < lat < 37.55
    assert line.distance(Point(lon, lat)) < 1e-9


def test_a_zone_station_is_the_centroid_of_its_sea_when_that_lies_in_it() -> None:
    """A triangle at open sea, (122.5, 34), (124.5, 34), (122.5, 36): its centroid, the mean
    of the corners, is 34.667 N 123.167 E and lies inside, so the patrol's station is there
    (shapely's representative point, 35 N 123 E, would be another place)."""
    tri = make_zone("tri", [(122.5, 34.0), (124.5, 34.0), (122.5, 36.0)])
    assert tri.sea.equals(tri.polygon)  # no land in it
    assert tri.station == pytest.approx((34.0 + 2.0 / 3.0, 122.5 + 2.0 / 3.0), abs=1e-9)


def test_a_u_shaped_zone_keeps_its_station_at_sea_inside_it() -> None:
    """A U at open sea: a bar 122-125 E by 34-34.5 N and two arms (122-123 E, 124-125 E) up
    to 36.5 N. Its centroid, 123.5 E and (1.5 x 34.25 + 4 x 35.5) / 5.5 = 35.16 N, lies in
    the notch between the arms, outside the zone: the station must be moved into it."""
    ring = [
        (122.0, 34.0), (125.0, 34.0), (125.0, 36.5), (124.0, 36.5),
        (124.0, 34.5), (123.0, 34.5), (123.0, 36.5), (122.0, 36.5),
    ]  # fmt: skip
    u = make_zone("u", ring)
    assert u.sea.equals(u.polygon)  # no land in it
    assert u.sea.centroid.x == pytest.approx(123.5) and u.sea.centroid.y == pytest.approx(
        (1.5 * 34.25 + 4 * 35.5) / 5.5
    )
    lat, lon = u.station
    assert u.polygon.contains(Point(lon, lat))
    assert not geo.on_land(lat, lon)


def _port_at(name: str, position: tuple[float, float], approach: tuple[float, float]) -> PortGeo:
    return PortGeo(name, "China", position, approach, ("loading", "discharge"))


def test_a_traced_route_by_hand() -> None:
    """A from 33.9 N 121.9 E out to its approach at 34 N 122 E, north along 122 E by a via
    point at 35 N to B's approach at 36 N, into B at 36.1 N 122.1 E: four legs, the first and
    last in harbour; the sea legs are a degree of meridian each; the route starts at A and
    ends at B; a transfer point given no stop time adds none."""
    a = _port_at("A", (33.9, 121.9), (34.0, 122.0))
    b = _port_at("B", (36.1, 122.1), (36.0, 122.0))
    route = trace_route("a-b", a, b, [("mid", (35.0, 122.0))], {}, transfer_at="mid")
    assert (route.name, route.origin, route.destination) == ("a-b", "A", "B")
    assert [(leg.start_label, leg.end_label, leg.harbour) for leg in route.legs] == [
        ("A", "A approach", True),
        ("A approach", "mid", False),
        ("mid", "B approach", False),
        ("B approach", "B", True),
    ]
    out = geo.great_circle_nm(33.9, 121.9, 34.0, 122.0)
    into = geo.great_circle_nm(36.0, 122.0, 36.1, 122.1)
    assert route.length_nm == pytest.approx(out + 2 * NM_PER_DEGREE + into)
    assert route.transfer_nm == pytest.approx(out + NM_PER_DEGREE)
    assert route.duration_hours(10.0) == pytest.approx(route.length_nm / 10.0)
    assert route.position_at(0.0) == pytest.approx((33.9, 121.9), abs=1e-9)
    assert route.position_at(out + 0.5 * NM_PER_DEGREE) == pytest.approx((34.5, 122.0), abs=1e-6)
    assert route.position_at(out + 1.5 * NM_PER_DEGREE) == pytest.approx((35.5, 122.0), abs=1e-6)
    assert route.position_at(route.length_nm) == pytest.approx((36.1, 122.1), abs=1e-9)
    # A tenth of a mile out of A: a sixtieth or so of the way along its 7.8 nm harbour leg.
    lat, lon = route.position_at(0.1)
    assert lat - 33.9 == pytest.approx(lon - 121.9, rel=0.05)
    assert lat - 33.9 == pytest.approx(0.1 / out * 0.1, rel=0.05)


def test_a_zone_left_and_met_again_half_a_mile_on_stays_two_stretches() -> None:
    """Only ends within rounding of each other (a leg boundary) are joined."""
    assert _merge([("z", 0.0, 5.0), ("z", 5.5, 8.0)]) == [
        ZoneStretch("z", 0.0, 5.0),
        ZoneStretch("z", 5.5, 8.0),
    ]


def test_a_route_to_a_port_berthed_at_its_approach_ends_at_the_port() -> None:
    """B's approach is its berth (an anchorage port): the last leg has no length, so the
    route's last stretch of track is a point. At the route's end the ship is at B, with no
    division by that zero length."""
    a = _port_at("A", (34.0, 122.0), (34.1, 122.0))
    b = _port_at("B", (35.1, 122.0), (35.1, 122.0))
    route = trace_route("a-b", a, b, [], {})
    assert route.legs[-1].length_nm == 0.0
    assert route.length_nm == pytest.approx(1.1 * NM_PER_DEGREE)  # 34 N to 35.1 N
    assert route.position_at(route.length_nm) == pytest.approx((35.1, 122.0), abs=1e-9)
    assert route.position_at(route.length_nm + 5.0) == pytest.approx((35.1, 122.0), abs=1e-9)


def test_positions_inside_steps_shorter_than_a_mile_are_interpolated() -> None:
    """Traced points half a mile apart (a short harbour leg): a quarter mile in is halfway
    between the first two."""
    cum = np.array([0.0, 0.5, 1.0])
    lat, lon = np.array([30.0, 30.01, 30.02]), np.array([120.0, 120.0, 120.0])
    r = RouteGeo("r", "A", "B", (), (), None, 0.0, cum, lon, lat)
    assert r.position_at(0.25) == pytest.approx((30.005, 120.0), abs=1e-12)
    assert r.position_at(0.75) == pytest.approx((30.015, 120.0), abs=1e-12)
