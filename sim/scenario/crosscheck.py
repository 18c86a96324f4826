"""Checks that span sections: names that must resolve, and routes that must stay at sea.

Pydantic checks each key on its own; these checks need the whole scenario.
Each problem is reported with the key path a user would edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from shapely import STRtree
from shapely.geometry import Polygon

from sim.scenario import adaptive, costs, policy
from sim.scenario.errors import did_you_mean
from sim.scenario.schema import Scenario
from sim.world import geo
from sim.world.network import Geography, Leg, PortGeo, RouteGeo, ZoneGeo, make_zone, trace_route

Problem = tuple[str, str]


def _dupes(kind: str, names: Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, n in enumerate(names):
        if n in seen:
            out.append((f"{kind}[{i}].name", f"duplicate name {n!r}; names must be unique"))
        seen.add(n)
    return out


def _known(key: str, value: str, known: Iterable[str], what: str) -> list[Problem]:
    names = sorted(known)
    if value in names:
        return []
    hint = did_you_mean(value, names)
    return [(key, f"{what} {value!r} is not defined{hint} (defined: {', '.join(names)})")]


def check(s: Scenario) -> tuple[list[Problem], Geography | None]:
    """Every cross-section problem, and the geography when there are none."""
    problems = [p for _, part in PARTS for p in part(s)]
    if problems:
        return problems, None
    zones = dict(_zones(_rings(s))[1])  # the cached dict stays as it is
    port_geo = _port_geo(s)
    return [], Geography(port_geo, zones, _trace(s, port_geo, zones)[1])


def check_changed(
    s: Scenario, changed: Mapping[str, tuple[object, ...]], seen: dict[object, list[Problem]]
) -> list[Problem]:
    """The problems of ``s``, a scenario that differs from a valid one only in the top-level
    keys of ``changed`` (each with what identifies its new value): a check that reads none
    of them has nothing to say, and one that has seen the same values before is not run
    again (``seen``). A sweep's points are checked this way, in seconds for 100,000."""
    out: list[Problem] = []
    for n, (reads, part) in enumerate(PARTS):
        key = tuple((k, v) for k, v in changed.items() if reads is None or k in reads)
        if not key:
            continue
        if reads is None:  # every point differs in what it reads: nothing to reuse
            out += part(s)
            continue
        found = seen.get((n, key))
        if found is None:
            found = seen[(n, key)] = part(s)
        out += found
    return out


def _names(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    for kind in ("ports", "waypoints", "routes", "zones", "patrols", "sellers", "buyers"):
        problems += _dupes(kind, (x.name for x in getattr(s, kind)))
    return problems


def _approaches(s: Scenario) -> list[Problem]:
    return [
        (
            f"ports[{i}].approach_lat",
            f"approach point of {p.name!r} lies on land; it must be at sea",
        )
        for i, p in enumerate(s.ports)
        if _on_land(p.approach_lat, p.approach_lon)
    ]


def _rings(s: Scenario) -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    return tuple((z.name, tuple(z.polygon)) for z in s.zones)


def _ordering(s: Scenario) -> list[Problem]:
    """Pairs of keys within a section where one must not exceed the other."""
    problems: list[Problem] = []
    if s.enforcement.accomplices_min > s.enforcement.accomplices_max:
        problems.append(("enforcement.accomplices_min", "is above enforcement.accomplices_max"))
    if s.tips.base_probability > s.tips.max_probability:
        problems.append(("tips.base_probability", "is above tips.max_probability"))
    return problems


def _prices(s: Scenario) -> list[Problem]:
    if s.contract.price_rmb_per_tonne_min > s.contract.price_rmb_per_tonne_max:
        return [("contract.price_rmb_per_tonne_min", "is above contract.price_rmb_per_tonne_max")]
    return []


def _port_geo(s: Scenario) -> dict[str, PortGeo]:
    return {
        p.name: PortGeo(
            p.name, p.country, (p.lat, p.lon), (p.approach_lat, p.approach_lon), tuple(p.roles)
        )
        for p in s.ports
    }


def _land(s: Scenario) -> list[Problem]:
    """Every route whose names resolve, traced, even when other keys have problems, so a
    route over land is reported together with them rather than only after everything
    else has been fixed."""
    return _trace(s, _port_geo(s), dict(_zones(_rings(s))[1]))[0]


@lru_cache(maxsize=16)
def _on_land(lat: float, lon: float) -> bool:
    return geo.on_land(lat, lon)


@lru_cache(maxsize=4)
def _zones(
    rings: tuple[tuple[str, tuple[tuple[float, float], ...]], ...],
) -> tuple[list[Problem], dict[str, ZoneGeo]]:
    """Each zone's sea, and each zone that overlaps an earlier one (the first it overlaps:
    one problem per zone, found through a spatial index, however many zones there are).
    Kept by the zones' names and rings: every point of a sweep has the same zones."""
    problems: list[tuple[int, Problem]] = []
    sea: list[tuple[int, ZoneGeo]] = []
    for i, (name, ring) in enumerate(rings):
        poly = Polygon(ring)
        if not poly.is_valid or poly.area == 0:
            msg = f"zone {name!r} is not a simple polygon (edges cross or no area)"
            problems.append((i, (f"zones[{i}].polygon", msg)))
            continue
        zg = _zone(name, ring)
        if zg.area_sq_nm < 1.0:
            problems.append((i, (f"zones[{i}].polygon", f"zone {name!r} has no sea inside it")))
            continue
        sea.append((i, zg))
    tree = STRtree([zg.sea for _, zg in sea])
    for n, (i, zg) in enumerate(sea):
        for m in sorted(int(k) for k in tree.query(zg.sea) if k < n):
            other = sea[m][1]
            if geo.area_sq_nm(zg.sea.intersection(other.sea)) > 1.0:
                msg = f"zone {zg.name!r} overlaps zone {other.name!r}; zones must not overlap"
                problems.append((i, (f"zones[{i}].polygon", msg)))
                break
    zones: dict[str, ZoneGeo] = {}
    for _, zg in sea:
        zones.setdefault(zg.name, zg)
    return [p for _, p in sorted(problems, key=lambda x: x[0])], zones


def _routes(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    ports = {p.name: p for p in s.ports}
    wps = {w.name for w in s.waypoints}
    for i, r in enumerate(s.routes):
        key = f"routes[{i}]"
        problems += _known(f"{key}.origin", r.origin, ports, "port")
        problems += _known(f"{key}.destination", r.destination, ports, "port")
        for j, w in enumerate(r.via):
            problems += _known(f"{key}.via[{j}]", w, wps, "waypoint")
        if r.transfer_at is not None and r.transfer_at not in r.via:
            problems.append(
                (
                    f"{key}.transfer_at",
                    f"{r.transfer_at!r} is not one of this route's waypoints {r.via}",
                )
            )
        if r.origin in ports and "loading" not in ports[r.origin].roles:
            problems.append((f"{key}.origin", f"port {r.origin!r} has no 'loading' role"))
        if r.destination in ports and "discharge" not in ports[r.destination].roles:
            problems.append(
                (f"{key}.destination", f"port {r.destination!r} has no 'discharge' role")
            )
    return problems


def _patrols(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    ports = {p.name: p for p in s.ports}
    for i, pg in enumerate(s.patrols):
        problems += _known(f"patrols[{i}].base", pg.base, ports, "port")
        problems += _known(f"patrols[{i}].zone", pg.zone, {z.name for z in s.zones}, "zone")
        if pg.base in ports and "coast_guard_base" not in ports[pg.base].roles:
            problems.append(
                (f"patrols[{i}].base", f"port {pg.base!r} has no 'coast_guard_base' role")
            )
    return problems


def _sellers(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    ports = {p.name for p in s.ports}
    routes = {r.name: r for r in s.routes}
    buyer_ports = {b.port for b in s.buyers}
    for i, b in enumerate(s.buyers):
        problems += _known(f"buyers[{i}].port", b.port, ports, "port")
    for i, sl in enumerate(s.sellers):
        key = f"sellers[{i}]"
        problems += _known(f"{key}.port", sl.port, ports, "port")
        if sl.lot_tonnes_min > sl.lot_tonnes_max:
            problems.append(
                (
                    f"{key}.lot_tonnes_min",
                    f"{sl.lot_tonnes_min} is above lot_tonnes_max {sl.lot_tonnes_max}",
                )
            )
        if sl.lot_tonnes_max > sl.vessel_capacity_dwt:
            problems.append(
                (
                    f"{key}.lot_tonnes_max",
                    f"{sl.lot_tonnes_max} t does not fit a {sl.vessel_capacity_dwt} dwt ship",
                )
            )
        if sl.route_weights is not None and len(sl.route_weights) != len(sl.routes):
            problems.append(
                (
                    f"{key}.route_weights",
                    f"has {len(sl.route_weights)} weights for {len(sl.routes)} routes",
                )
            )
        for j, rn in enumerate(sl.routes):
            problems += _known(f"{key}.routes[{j}]", rn, routes, "route")
            used = routes.get(rn)
            if used is not None and used.origin != sl.port:
                problems.append(
                    (
                        f"{key}.routes[{j}]",
                        f"route {rn!r} starts at {used.origin!r}, "
                        f"not at the seller's port {sl.port!r}",
                    )
                )
            if used is not None and used.destination not in buyer_ports:
                problems.append(
                    (
                        f"{key}.routes[{j}]",
                        f"no buyer at {used.destination!r}, where route {rn!r} ends",
                    )
                )
    return problems


def _trace(
    s: Scenario, port_geo: dict[str, PortGeo], zones: dict[str, ZoneGeo]
) -> tuple[list[Problem], dict[str, RouteGeo]]:
    """Every route whose names resolve, traced; and each leg that crosses land."""
    problems: list[Problem] = []
    wps = {w.name: (w.lat, w.lon) for w in s.waypoints}
    rings = {z.name: tuple(z.polygon) for z in reversed(s.zones)}  # the first of a name
    zone_key = tuple((name, rings[name]) for name in zones)
    traced = {}
    for i, r in enumerate(s.routes):
        if (
            r.origin not in port_geo
            or r.destination not in port_geo
            or any(w not in wps for w in r.via)
            or (r.transfer_at is not None and r.transfer_at not in r.via)
        ):
            continue
        rg, crossings = _route(
            r.name,
            port_geo[r.origin],
            port_geo[r.destination],
            tuple((w, wps[w]) for w in r.via),
            zone_key,
            r.transfer_at,
            r.transfer_hours,
        )
        for j, leg, lat, lon in crossings:
            problems.append(
                (
                    f"routes[{i}].via",
                    f"route {r.name!r} leg {j} ({leg.start_label} -> {leg.end_label}) "
                    f"crosses land near {lat:.2f} N {lon:.2f} E",
                )
            )
        traced[r.name] = rg
    return problems, traced


# Tracing zones and routes is the costly part of loading a scenario (shapely
# against the coastline); sweep points and worker processes share the
# geography, so the traced pieces are kept by their inputs.


def _zone(name: str, ring: tuple[tuple[float, float], ...]) -> ZoneGeo:
    return dataclasses.replace(_zone_shape(ring), name=name)


@lru_cache(maxsize=64)
def _zone_shape(ring: tuple[tuple[float, float], ...]) -> ZoneGeo:
    """A ring's sea, whatever the zone is called (one shape reused under many names is
    clipped against the coastline once)."""
    return make_zone("", list(ring))


@lru_cache(maxsize=512)
def _route(
    name: str,
    origin: PortGeo,
    destination: PortGeo,
    via: tuple[tuple[str, tuple[float, float]], ...],
    zones: tuple[tuple[str, tuple[tuple[float, float], ...]], ...],
    transfer_at: str | None,
    transfer_hours: float,
) -> tuple[RouteGeo, list[tuple[int, Leg, float, float]]]:
    """A traced route, and where each of its sea legs first meets land (if it does)."""
    zone_geo = {z: _zone(z, ring) for z, ring in zones}
    rg = trace_route(name, origin, destination, list(via), zone_geo, transfer_at, transfer_hours)
    crossings = []
    for j, leg in enumerate(rg.legs):
        if not leg.harbour and geo.crosses_land(leg.line):
            lat, lon = geo.first_land_point(leg.line)
            crossings.append((j, leg, lat, lon))
    return rg, crossings


Part = Callable[[Scenario], list[Problem]]
PARTS: tuple[tuple[frozenset[str] | None, Part], ...] = (
    (frozenset({"ports", "waypoints", "routes", "zones", "patrols", "sellers", "buyers"}), _names),
    (frozenset({"ports"}), _approaches),
    (frozenset({"zones"}), lambda s: _zones(_rings(s))[0]),
    (frozenset({"routes", "ports", "waypoints"}), _routes),
    (frozenset({"patrols", "ports", "zones"}), _patrols),
    (frozenset({"sellers", "ports", "routes", "buyers"}), _sellers),
    (frozenset({"enforcement", "tips"}), _ordering),
    (None, policy.problems),  # applies each entry to the whole scenario: reads every key
    (
        frozenset(
            {"zones", "ports", "routes", "sellers", "allocation", "displacement", "adaptation"}
            | {"horizon_days"}
        ),
        adaptive.problems,
    ),
    (frozenset({"contract"}), _prices),
    (frozenset({"costs", "patrols"}), costs.problems),
    (frozenset({"routes", "ports", "waypoints", "zones"}), _land),
)
"""Every check, with the top-level keys it reads (None: all of them), in the order its
problems are reported."""
