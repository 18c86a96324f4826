"""Geography: distances, areas, time in zone and land crossing, against hand-computed values."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Polygon

from sim.scenario import Scenario, resolve
from sim.world import geo
from sim.world.network import PortGeo, make_zone, trace_route

pytestmark = pytest.mark.model

R = geo.EARTH_RADIUS_NM
NM_PER_DEGREE = R * math.pi / 180  # along a meridian


def _port(name: str, lat: float, approach_lat: float, lon: float = 122.0) -> PortGeo:
    return PortGeo(name, "China", (lat, lon), (approach_lat, lon), ("loading", "discharge"))


def test_design_distances_from_nampo() -> None:
    """docs/sources.md (Geography): great-circle distances from Nampo, to a mile or two."""
    nampo = (38.728, 125.417)
    for (lat, lon), nm in [
        ((38.90, 121.60), 178),
        ((37.465, 121.448), 202),
        ((37.657, 120.491), 240),
        ((34.597, 119.221), 387),
        ((29.936, 121.851), 557),
    ]:
        assert geo.great_circle_nm(*nampo, lat, lon) == pytest.approx(nm, abs=1.5)


def test_design_route_lengths() -> None:
    """Approach-to-approach sea lengths of the default routes match docs/sources.md."""
    g = resolve(Scenario()).geography
    expected = {
        "nampo-dalian": 172,
        "nampo-yantai": 197,
        "nampo-longkou": 255,
        "nampo-lianyungang": 440,
        "nampo-ningbo": 625,
        "haeju-yantai": 219,
        "haeju-lianyungang": 397,
    }
    for name, nm in expected.items():
        sea = sum(leg.length_nm for leg in g.routes[name].legs if not leg.harbour)
        assert sea == pytest.approx(nm, abs=1.0), name


def test_rectangle_area_is_the_spherical_formula() -> None:
    """A lon/lat rectangle at sea has area R^2 * dlon * (sin lat2 - sin lat1)."""
    z = make_zone("box", [(122.0, 35.5), (123.5, 35.5), (123.5, 36.5), (122.0, 36.5)])
    expected = (
        R**2 * math.radians(1.5) * (math.sin(math.radians(36.5)) - math.sin(math.radians(35.5)))
    )
    assert z.area_sq_nm == pytest.approx(expected, rel=1e-9)


def test_zone_area_excludes_land() -> None:
    """A zone drawn over the coast is searchable only at sea."""
    ring = [(120.2, 37.3), (122.7, 37.3), (122.7, 37.9), (120.2, 37.9)]
    z = make_zone("coast", ring)
    assert z.area_sq_nm < 0.95 * geo.area_sq_nm(Polygon(ring))


def test_time_in_zone_for_a_straight_leg_across_a_rectangle() -> None:
    """Due north along 122 E through a zone spanning 35-36 N: 60.04 nm inside, from 34 N."""
    zone = make_zone("box", [(121.5, 35.0), (122.5, 35.0), (122.5, 36.0), (121.5, 36.0)])
    origin = _port("A", 33.9, 34.0)
    dest = _port("B", 37.1, 37.0)
    route = trace_route("north", origin, dest, [], {"box": zone})
    (stretch,) = route.stretches
    start = 0.1 * NM_PER_DEGREE + 1.0 * NM_PER_DEGREE  # harbour leg, then 34 to 35 N
    assert stretch.start_nm == pytest.approx(start, abs=1e-6)
    assert stretch.end_nm - stretch.start_nm == pytest.approx(NM_PER_DEGREE, abs=1e-6)
    ((name, t_in, t_out),) = route.exposure(10.0)
    assert name == "box"
    assert t_in == pytest.approx(start / 10.0, abs=1e-6)
    assert t_out - t_in == pytest.approx(NM_PER_DEGREE / 10.0, abs=1e-6)  # 6.004 h


def test_a_transfer_stop_inside_a_zone_lengthens_the_exposure() -> None:
    zone = make_zone("box", [(121.5, 35.0), (122.5, 35.0), (122.5, 36.0), (121.5, 36.0)])
    origin, dest = _port("A", 33.9, 34.0), _port("B", 37.1, 37.0)
    stop = [("mid", (35.5, 122.0))]
    route = trace_route("north", origin, dest, stop, {"box": zone}, "mid", 12.0)
    ((_, t_in, t_out),) = route.exposure(10.0)
    assert t_out - t_in == pytest.approx(NM_PER_DEGREE / 10.0 + 12.0, abs=1e-6)
    assert route.duration_hours(10.0) == pytest.approx(route.length_nm / 10.0 + 12.0)
    # During the stop the ship stays at the transfer point.
    t_stop = route.transfer_nm / 10.0  # type: ignore[operator]
    lat, lon = route.position_at(route.distance_at(t_stop + 6.0, 10.0))
    assert (lat, lon) == pytest.approx((35.5, 122.0), abs=1e-6)


def test_design_approach_points_are_at_sea() -> None:
    for p in Scenario().ports:
        assert not geo.on_land(p.approach_lat, p.approach_lon), p.name


def test_a_leg_over_the_shandong_peninsula_crosses_land() -> None:
    assert geo.crosses_land(geo.leg_line(38.2, 121.0, 35.0, 119.8))
    assert not geo.crosses_land(geo.leg_line(37.35, 123.0, 35.0, 122.5))
