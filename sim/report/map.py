"""The map of the region: land, ports, routes, enforcement zones, bases and seizure positions.

The geography comes from the scenario saved in the run's manifest (resolved
as when it was loaded: routes traced as great circles), and the land from
the coastline shipped with the package; the seizure positions come from the
shipment log. Nothing is simulated.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox
from shapely.geometry import Polygon, box

from sim.metrics.units import counted
from sim.report import style
from sim.report.data import RunData, as_text
from sim.report.style import Missing
from sim.world import geo

SEA = "#EEF5FA"
LAND = "#E3E1DA"
COAST = "#A8A59A"


@dataclass
class MapGeo:
    ports: list[dict[str, Any]] = field(default_factory=list)
    zones: dict[str, np.ndarray] = field(default_factory=dict)
    """zone name -> (n, 2) lon/lat ring"""
    routes: dict[str, list[np.ndarray]] = field(default_factory=dict)
    """route name -> its legs, each an (n, 2) lon/lat line"""
    note: str = ""


def map_geography(scenario: dict[str, Any]) -> MapGeo:
    """The saved scenario's geography, traced as the model traced it."""
    from sim.scenario import Scenario, resolve
    from sim.scenario.errors import ScenarioError

    ports = [dict(p) for p in scenario.get("ports", [])]
    try:
        g = resolve(Scenario.model_validate(scenario)).geography
    except (ScenarioError, ValueError) as e:
        first = str(e).splitlines()[0][:160]
        return _raw_geography(scenario, f"routes drawn from the saved waypoints ({first})")
    return MapGeo(
        ports,
        {n: np.asarray(z.polygon.exterior.coords) for n, z in g.zones.items()},
        {n: [np.asarray(leg.line.coords) for leg in r.legs] for n, r in g.routes.items()},
    )


def _raw_geography(scenario: dict[str, Any], note: str) -> MapGeo:
    """For a saved scenario this version no longer loads: draw what the file says."""
    ports = [dict(p) for p in scenario.get("ports", [])]
    where = {p["name"]: (p["lat"], p["lon"]) for p in ports}
    approach = {p["name"]: (p["approach_lat"], p["approach_lon"]) for p in ports}
    where.update({w["name"]: (w["lat"], w["lon"]) for w in scenario.get("waypoints", [])})
    routes = {}
    for r in scenario.get("routes", []):
        try:
            pts = [where[r["origin"]], approach[r["origin"]]]
            pts += [where[v] for v in r.get("via", [])]
            pts += [approach[r["destination"]], where[r["destination"]]]
        except KeyError:
            continue
        routes[r["name"]] = [
            np.asarray(geo.leg_line(a[0], a[1], b[0], b[1]).coords)
            for a, b in itertools.pairwise(pts)
        ]
    zones = {z["name"]: np.asarray(z["polygon"], dtype=float) for z in scenario.get("zones", [])}
    return MapGeo(ports, zones, routes, note)


def _extent(g: MapGeo, pad: float = 0.6) -> tuple[float, float, float, float]:
    pts = [np.asarray([[p["lon"], p["lat"]] for p in g.ports])] if g.ports else []
    pts += [leg for legs in g.routes.values() for leg in legs]
    allp = np.vstack(pts)
    x0, y0 = allp.min(axis=0) - pad
    x1, y1 = allp.max(axis=0) + pad
    return (max(x0, 116.0), min(x1, 132.0), max(y0, 26.0), min(y1, 43.0))


def _draw_land(ax: Axes, ext: tuple[float, float, float, float]) -> None:
    clip = geo.land().intersection(box(ext[0], ext[2], ext[1], ext[3]))
    polys = getattr(clip, "geoms", [clip])
    for poly in polys:
        if isinstance(poly, Polygon) and not poly.is_empty:
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor=LAND, edgecolor=COAST, lw=0.5, zorder=1)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


OFFSETS = [
    (7, 3),
    (7, -12),
    (-7, 3),
    (-7, -12),
    (0, 9),
    (0, -18),
    (12, 12),
    (-12, 12),
    (12, -22),
    (-12, -22),
    (20, -5),
    (-20, -5),
]
POINT_COST = 40.0
"""Cost, in square pixels, of covering one marked point or traced route point."""
LABEL_GAP = 5.0
"""Extra room, in pixels, kept around a placed label: two bold names 3 pixels apart
(Nampo and Songnim, 16 km from each other) read as one."""


Candidate = tuple[float, float, float, float, str, str]
"""Anchor x, y (data), offset dx, dy (points), horizontal and vertical alignment."""


def around(x: float, y: float) -> list[Candidate]:
    """A ring of label positions around a point."""
    return [
        (x, y, dx, dy, "left" if dx > 0 else "right" if dx < 0 else "center", "bottom")
        for dx, dy in OFFSETS
    ]


def inside_corners(ring: np.ndarray) -> list[Candidate]:
    """Label positions just inside the corners of a polygon's bounding box."""
    (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
    return [
        (x0, y1, 4, -4, "left", "top"),
        (x0, y0, 4, 4, "left", "bottom"),
        (x1, y1, -4, -4, "right", "top"),
        (x1, y0, -4, 4, "right", "bottom"),
    ]


class Layout:
    """Places labels where they cover the least: no label on a label, and as few
    route points, ports and seizures under text as can be managed."""

    def __init__(self, fig: Figure, ax: Axes, obstacles: np.ndarray) -> None:
        fig.canvas.draw()
        fig.set_layout_engine("none")  # freeze the layout so measured positions hold
        self.renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        self.ax = ax
        self.frame = ax.get_window_extent(self.renderer)
        self.points = ax.transData.transform(obstacles) if len(obstacles) else np.empty((0, 2))
        self.taken: list[Bbox] = []

    def mark(self, x: float, y: float, size: float = 18.0) -> None:
        """Keep labels off a drawn marker (its box, in pixels, around the point)."""
        px, py = self.ax.transData.transform((x, y))
        self.taken.append(Bbox.from_bounds(px - size / 2, py - size / 2, size, size))

    def cost(self, bb: Bbox) -> float:
        bb = bb.padded(3)
        c = sum(_overlap(bb, t) for t in self.taken)
        c += bb.width * bb.height - _overlap(bb, self.frame)  # off the map counts too
        p = self.points
        inside = (p[:, 0] > bb.x0) & (p[:, 0] < bb.x1) & (p[:, 1] > bb.y0) & (p[:, 1] < bb.y1)
        return c + POINT_COST * float(inside.sum())

    def label(self, text: str, candidates: list[Candidate], **kw: Any) -> Annotation:
        best: tuple[float, Annotation] | None = None
        for x, y, dx, dy, ha, va in candidates:
            a = self.ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                zorder=6,
                **kw,
            )
            c = self.cost(a.get_window_extent(self.renderer))
            if best is None or c < best[0]:
                if best is not None:
                    best[1].remove()
                best = (c, a)
            else:
                a.remove()
            if c == 0:
                break
        assert best is not None
        self.taken.append(best[1].get_window_extent(self.renderer).padded(LABEL_GAP))
        return best[1]


def _seizures(data: RunData) -> dict[str, np.ndarray]:
    log = data.shipments
    if log is None or not {"outcome", "seizure_lat", "seizure_lon"} <= set(log.columns):
        return {}
    s = log[(log["outcome"] == "seized") & log["seizure_lat"].notna()]
    causes = as_text(s["cause"]) if "cause" in s else pd.Series("", index=s.index)
    xy = s[["seizure_lon", "seizure_lat"]].to_numpy(dtype=float)
    return {c: xy[(causes == c).to_numpy()] for c in sorted(set(causes))}


def _route_use(data: RunData, routes: list[str]) -> dict[str, float]:
    log = data.shipments
    if log is None or "route" not in log or "t_depart" not in log:
        return {}
    sailed = log[log["t_depart"].notna()]
    per_run = sailed.groupby("route").size() / max(data.replications, 1)
    return {r: float(per_run.get(r, 0.0)) for r in routes}


@style.styled
def region_map(data: RunData) -> Figure:
    g = map_geography(data.scenario)
    if not g.ports and not g.routes:
        raise Missing("the saved scenario has no ports or routes to draw")
    ext = _extent(g)
    fig, ax = _map_axes(ext)
    _draw_land(ax, ext)
    _draw_zones(ax, g.zones)
    top = _draw_routes(ax, g.routes, _route_use(data, list(g.routes)))
    handles: list[Any] = _background_handles(routes_scaled=top > 0)
    n = data.replications
    seized = _seizures(data)
    handles += _draw_seizures(ax, seized, n)
    handles += _draw_ports(ax, g.ports)
    _set_frame(ax, ext)
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=9)
    ax.set_title(
        f"{data.name}: routes, enforcement zones and seizures ({counted(n, 'replication')})"
    )
    if g.note:
        fig.text(0.01, 0.005, g.note, fontsize=7, color="#444444")
    _label_places(fig, ax, g, seized)
    return fig


def _map_axes(ext: tuple[float, float, float, float]) -> tuple[Figure, Axes]:
    """A figure sized to the region's shape on the map (at most 12 in wide)."""
    x0, x1, y0, y1 = ext
    aspect = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2)) / (y1 - y0)
    h = 9.0
    fig = style.new_figure((min(max(h * aspect, 6.5), 12.0) + 1.0, h + 1.8))
    ax = fig.add_subplot()
    ax.set_facecolor(SEA)
    ax.grid(False)
    return fig, ax


def _draw_zones(ax: Axes, zones: dict[str, np.ndarray]) -> None:
    for ring in zones.values():
        ax.fill(ring[:, 0], ring[:, 1], facecolor=style.GREEN, alpha=0.10, zorder=2)
        ax.plot(ring[:, 0], ring[:, 1], color=style.GREEN, lw=1.2, ls="--", zorder=2)


def _draw_routes(ax: Axes, routes: dict[str, list[np.ndarray]], use: dict[str, float]) -> float:
    """Each route's legs, as wide as its share of the voyages; the most voyages per run."""
    top = max(use.values(), default=0.0)
    for name, legs in routes.items():
        lw = 0.8 + 3.2 * use.get(name, 0.0) / top if top > 0 else 1.2
        for leg in legs:
            ax.plot(
                leg[:, 0],
                leg[:, 1],
                color="#55606E",
                lw=lw,
                alpha=0.75,
                zorder=3,
                solid_capstyle="round",
            )
    return top


def _background_handles(routes_scaled: bool) -> list[Any]:
    label = "Route (width: voyages per run)" if routes_scaled else "Route"
    return [
        Patch(facecolor=LAND, edgecolor=COAST, label="Land (Natural Earth 1:50m)"),
        Patch(
            facecolor=style.GREEN + "1A", edgecolor=style.GREEN, ls="--", label="Enforcement zone"
        ),
        Line2D([], [], color="#55606E", lw=2.5, label=label),
    ]


def _draw_seizures(ax: Axes, seized: dict[str, np.ndarray], n: int) -> list[Any]:
    """The seizure positions coloured by cause; a legend entry per cause with its count."""
    handles: list[Any] = []
    for cause, pts in seized.items():
        if len(pts):
            colour = style.cause_colour(cause)
            ax.scatter(
                pts[:, 0], pts[:, 1], s=16, color=colour, alpha=0.7, edgecolor="#1A1A1A", lw=0.3,
                zorder=4,
            )  # fmt: skip
            label = f"Seizure: {style.cause_label(cause)}\n({len(pts):,} in {counted(n, 'run')})"
            handles.append(Line2D([], [], ls="", marker="o", color=colour, label=label))
    return handles


def _draw_ports(ax: Axes, ports: list[dict[str, Any]]) -> list[Any]:
    """Coast Guard bases, DPRK loading ports and Chinese ports, and their legend entries."""
    bases = [p for p in ports if "coast_guard_base" in p.get("roles", [])]
    ax.scatter(
        [p["lon"] for p in bases], [p["lat"] for p in bases], marker="*", s=260,
        color=style.GREEN, edgecolor="white", lw=0.6, zorder=5,
    )  # fmt: skip
    for country, colour, marker in (("DPRK", style.VERMILLION, "s"), ("China", style.BLUE, "o")):
        ps = [p for p in ports if p.get("country") == country]
        ax.scatter(
            [p["lon"] for p in ps], [p["lat"] for p in ps], marker=marker, s=34, color=colour,
            edgecolor="white", lw=0.8, zorder=5,
        )  # fmt: skip
    return [
        Line2D([], [], ls="", marker="s", color=style.VERMILLION, label="DPRK loading port"),
        Line2D([], [], ls="", marker="o", color=style.BLUE, label="Chinese port"),
        Line2D([], [], ls="", marker="*", ms=13, color=style.GREEN, label="Coast Guard base"),
    ]


def _set_frame(ax: Axes, ext: tuple[float, float, float, float]) -> None:
    """Limits, degrees on the axes, a true-to-scale aspect at the middle latitude, scale bar."""
    x0, x1, y0, y1 = ext
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}°E")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}°N")
    _scale_bar(ax, x0, x1, y0, y1)


def _label_places(fig: Figure, ax: Axes, g: MapGeo, seized: dict[str, np.ndarray]) -> None:
    """Port and zone names, each placed where it covers the fewest ports, routes and seizures."""
    obstacles = [np.asarray([[p["lon"], p["lat"]] for p in g.ports]).reshape(-1, 2)]
    obstacles += [leg[::2] for legs in g.routes.values() for leg in legs]
    obstacles += [pts for pts in seized.values() if len(pts)]
    layout = Layout(fig, ax, np.vstack(obstacles))
    for p in g.ports:
        layout.mark(p["lon"], p["lat"])
    for p in g.ports:
        dprk = p.get("country") == "DPRK"
        layout.label(
            p["name"],
            around(p["lon"], p["lat"]),
            fontsize=9,
            fontweight="bold",
            color=style.VERMILLION if dprk else "#1F3B57",
        )
    for name, ring in g.zones.items():
        layout.label(
            name.replace("_", " "),
            inside_corners(ring),
            fontsize=8,
            color="#006B4F",
            style="italic",
        )


def _scale_bar(ax: Axes, x0: float, x1: float, y0: float, y1: float) -> None:
    nm = 100.0
    lat = y0 + 0.04 * (y1 - y0)
    lon = x0 + 0.04 * (x1 - x0)
    dlon = nm / (60.0 * math.cos(math.radians(lat)))
    ax.plot([lon, lon + dlon], [lat, lat], color="#222222", lw=3, solid_capstyle="butt", zorder=6)
    ax.annotate(
        f"{nm:.0f} nm",
        (lon + dlon / 2, lat),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8,
        zorder=6,
    )
