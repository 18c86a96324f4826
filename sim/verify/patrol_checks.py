"""Checks of the patrols' mechanics: boarding thinning, escort and duty cycle, surge timing.

Each derives what the model must do from the configuration and the world's
geometry alone (great circles worked out here, not by the model's code) and
compares it with the records a run leaves behind.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from itertools import pairwise
from typing import Any

from sim.model.model import RunOutput
from sim.scenario import Resolved
from sim.verify.core import Check, Point, Simulate, run, share_points
from sim.verify.kinematics import search_speed
from sim.verify.worlds import search_world, zone_crossing

EARTH_RADIUS_NM = 3440.065
"""Mean Earth radius in nautical miles (the geography's convention)."""
EXACT_HOURS = 1e-6
"""Tolerance of an exact timing check: floating-point rounding of event times."""


def haversine_nm(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in degrees."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_NM * math.asin(min(1.0, math.sqrt(h)))


def exact_point(label: str, x: float, expected: float, got: float, n: int) -> Point:
    """A point that passes when ``got`` equals ``expected`` to rounding (``EXACT_HOURS``)."""
    return Point(label, x, expected, got, got - EXACT_HOURS, got + EXACT_HOURS, n)


# ---------------------------------------------------------------- boarding

# (recognition, concealment, AIS-off factor): the defaults first; the last with an AIS gap
# that draws the boarding (factor above 1, the product capped at 1).
BOARDING = ((0.4, 0.2, 0.5), (0.9, 0.0, 0.3), (0.6, 0.5, 0.8), (0.3, 0.0, 2.5))


def boarding_world(
    recognition: float, concealment: float, factor: float, search: float = 1.0
) -> Resolved:
    """Four vessels always on station and wide sweeps (several contacts per voyage); half
    the fleet sails with AIS off; seized ships come straight back."""
    return search_world(
        vessels=4,
        sweep_width_nm=12.0,
        lot_interval_days=0.25,
        detection={
            "recognition_probability": recognition,
            "ais_off_factor": factor,
            "ais_off_search_factor": search,
        },
        enforcement={"vessel_detention_days": 0.0, "vessel_confiscation_probability": 0.0},
        sellers=[
            {
                "name": "s",
                "port": "Nampo",
                "routes": ["nampo-lianyungang"],
                "vessels": 200,
                "lot_interval_days": 0.25,
                "concealment": concealment,
                "ais_off_share": 0.5,
            }
        ],
    )


SEARCH_OFF = 0.5
"""The AIS-off search factor of the contact-process rows: dark ships found half as often."""


def _contact_process(
    quick: bool, simulate: Simulate
) -> list[tuple[str, float, float, int, int, str]]:
    """Nobody boarded: contacts in a crossing are Poisson(H), H = n W v_rel t / A (times the
    AIS-off search factor for a dark ship), so a search goes on after a contact as before
    it; one row per AIS state for P(two or more contacts)."""
    world = boarding_world(0.0, 0.0, 1.0, SEARCH_OFF)
    a, b, area = zone_crossing(world)
    g = world.scenario.patrols[0]
    v = search_speed(world, g.speed_knots, world.scenario.sellers[0].speed_knots)
    h_on = g.vessels * g.sweep_width_nm * v * (b - a) / area
    several = {False: 0, True: 0}
    crossed = {False: 0, True: 0}
    for r in range(1 if quick else 4):
        out = simulate(world, r)
        for s in out.shipments:
            if s.t_depart + b <= out.horizon_hours:
                crossed[s.ais_off] += 1
                several[s.ais_off] += s.contacts >= 2
    rows = []
    for off in (False, True):
        h = h_on * (SEARCH_OFF if off else 1.0)
        p = 1.0 - math.exp(-h) * (1.0 + h)
        label = f"r=0, AIS {'off' if off else 'on'}: two or more contacts, H={h:.2f}"
        rows.append((label, p, p, several[off], crossed[off], "contact process"))
    return rows


def boarding(quick: bool = True, simulate: Simulate = run) -> Check:
    """Boardings per contact = recognition x (1 - concealment) x (AIS-off factor if off).

    Each contact is a Bernoulli trial that ends the voyage on success, so boardings over
    contacts is the maximum-likelihood estimate of the chance, with a binomial likelihood.
    """
    t0 = time.perf_counter()
    rows: list[tuple[str, float, float, int, int, str]] = []
    for r_p, conceal, factor in BOARDING:
        world = boarding_world(r_p, conceal, factor)
        tally: dict[bool, list[int]] = {False: [0, 0], True: [0, 0]}
        for r in range(1 if quick else 4):
            for s in simulate(world, r).shipments:
                tally[s.ais_off][0] += s.outcome == "seized" and s.cause == "patrol"
                tally[s.ais_off][1] += s.contacts
        for off in (False, True):
            p = min(1.0, r_p * (1 - conceal) * (factor if off else 1.0))
            label = (
                f"r={r_p:g}, c={conceal:g}, AIS {'off, f=' + format(factor, 'g') if off else 'on'}"
            )
            boarded, contacts = tally[off]
            rows.append((label, p, p, boarded, contacts, "AIS off" if off else "AIS on"))
    rows += _contact_process(quick, simulate)
    points, interval = share_points(rows)
    return Check(
        key="boarding",
        title="Boarding thinning",
        mechanism="Four patrols always on station in the open-sea box, wide sweeps so voyages "
        "have several contacts; half the ships run with AIS off. Boardings (seizures by "
        "patrol) over contacts, per setting and AIS state; and with nobody boarded, the "
        "share of crossings with two or more contacts (the search goes on unchanged after "
        "a contact that does not board).",
        formula="P(board | contact) = min(1, r (1 - c) x (f if AIS off, else 1)); contacts in "
        "a crossing ~ Poisson(H = n W v_rel t / A x (s if AIS off, else 1)): "
        "P(>= 2) = 1 - exp(-H) (1 + H)",
        interval=interval,
        level="99% Wilson, Bonferroni",
        points=points,
        x_label="Analytic boarding chance per contact",
        y_label="Boardings per contact",
        seconds=time.perf_counter() - t0,
    )


# ------------------------------------------------------------ duty cycle


def _transit(resolved: Resolved, speed: float) -> float:
    """Base to station: harbour leg to the approach, then open water to the station point."""
    base = resolved.geography.ports["Lianyungang"]
    station = resolved.geography.zones["box"].station
    return (
        haversine_nm(base.position, base.approach) + haversine_nm(base.approach, station)
    ) / speed


def _escort_hours(resolved: Resolved, at: tuple[float, float], ship_knots: float) -> float:
    base = resolved.geography.ports["Lianyungang"]
    nm = haversine_nm(at, base.approach) + haversine_nm(base.approach, base.position)
    return nm / min(resolved.scenario.patrols[0].speed_knots, ship_knots)


def _escorts(resolved: Resolved, out: RunOutput) -> tuple[float, float, int]:
    """(mean expected, mean observed hours from seizure back on station, seizures): the
    escort at the slower of patrol and ship, the turnaround, then the transit out."""
    g, ship = resolved.scenario.patrols[0], resolved.scenario.sellers[0].speed_knots
    arrivals: dict[str, list[float]] = defaultdict(list)
    for ev in out.patrol_events:
        if ev.on_station:
            arrivals[ev.vessel].append(ev.time)
    want, got = [], []
    for s in out.shipments:
        if s.outcome != "seized":
            continue
        back = [t for t in arrivals[s.patrol] if t > s.seizure_time]
        if not back:
            continue  # still away at the horizon
        escort = _escort_hours(resolved, (s.seizure_lat, s.seizure_lon), ship)
        want.append(escort + g.turnaround_hours + _transit(resolved, g.speed_knots))
        got.append(back[0] - s.seizure_time)
    worst = max((abs(a - b) for a, b in zip(want, got, strict=True)), default=0.0)
    mean_want = sum(want) / len(want) if want else math.nan
    return mean_want, mean_want + worst, len(want)


def _spells(out: RunOutput) -> tuple[list[float], list[float]]:
    """Complete spells on station (arrival after time 0 to leaving at endurance), and the
    times from one arrival to the next of the same vessel."""
    by_vessel: dict[str, list[Any]] = defaultdict(list)
    for ev in out.patrol_events:
        by_vessel[ev.vessel].append(ev)
    spells, cycles = [], []
    for evs in by_vessel.values():
        arrive = [e.time for e in evs if e.on_station and e.time > 0.0]  # 0: mid-spell
        cycles += [b - a for a, b in pairwise(arrive)]
        for a, b in pairwise(evs):
            if a.on_station and not b.on_station and a.time > 0.0:
                spells.append(b.time - a.time)
    return spells, cycles


def _mean_on_station(out: RunOutput, until: float) -> float:
    """Time-averaged number of vessels on station over [0, until], from the events."""
    total = 0.0
    for ev in out.patrol_events:
        if ev.time < until:
            total += (until - ev.time) * (1 if ev.on_station else -1)
    return total / until


def _escort_points(days: float, simulate: Simulate) -> list[Point]:
    """Back on station after a seizure, with the ship (10 kn) slower, then the patrol."""
    points = []
    for k, speed in enumerate((18.0, 9.0)):
        world = search_world(
            vessels=3,
            speed_knots=speed,
            transit_hours=None,
            turnaround_hours=6.0,
            recognition_probability=1.0,
            horizon_days=days,
            enforcement={"vessel_detention_days": 0.0, "vessel_confiscation_probability": 0.0},
        )
        want, got, n = _escorts(world, simulate(world, 0))
        label = f"patrol {speed:g} kn, ship 10 kn: back on station after a seizure (h)"
        points.append(exact_point(label, float(k), want, got, n))
    return points


def patrol_cycle(quick: bool = True, simulate: Simulate = run) -> Check:
    """Escort, duty cycle and time on station, exactly as configured."""
    t0 = time.perf_counter()
    days = 60.0 if quick else 240.0
    points = _escort_points(days, simulate)
    e, turn, vessels = 30.0, 8.0, 3
    cycle_world = search_world(
        vessels=vessels,
        transit_hours=None,
        endurance_hours=e,
        turnaround_hours=turn,
        start="staggered",
        horizon_days=days,
    )
    out = simulate(cycle_world, 0)
    transit = _transit(cycle_world, cycle_world.scenario.patrols[0].speed_knots)
    cycle = e + 2 * transit + turn
    spells, cycles = _spells(out)
    worst = max((abs(x - e) for x in spells), default=math.inf)
    points.append(exact_point("spell on station = endurance e (h)", 2, e, e + worst, len(spells)))
    worst = max((abs(x - cycle) for x in cycles), default=math.inf)
    points.append(
        exact_point("arrival to arrival = e + 2T + turn (h)", 3, cycle, cycle + worst, len(cycles))
    )
    whole = math.floor(out.horizon_hours / cycle) * cycle
    mean_on = _mean_on_station(out, whole)
    points.append(
        exact_point(
            f"mean vessels on station over {whole / cycle:.0f} cycles = n e / cycle",
            4,
            vessels * e / cycle,
            mean_on,
            len(out.patrol_events),
        )
    )
    return Check(
        key="patrol_cycle",
        title="Escort and duty cycle",
        mechanism="Patrols based at Lianyungang searching the open-sea box, transit worked out "
        "here from great circles (harbour leg, then open water to the station point). Every "
        "contact is boarded in the first world: the seized ship is escorted to base at the "
        "slower of the two speeds; nobody is boarded in the second (3 vessels, staggered): "
        "spells, cycles and the time-averaged number on station.",
        formula="back on station = d / min(v_patrol, v_ship) + turnaround + T; spell = e; "
        "cycle = e + 2T + turnaround; mean on station = n e / cycle",
        interval=f"exact to {EXACT_HOURS:g} h (floating point); worst case over all events",
        level="exact",
        points=tuple(points),
        x_label="Analytic (hours, or vessels)",
        y_label="From the patrol events (worst case)",
        seconds=time.perf_counter() - t0,
        categorical=False,
    )


# ------------------------------------------------------------------ timing

# (start, vessels, surge ratio): all four on station together half the time (hazard twice
# the usual), or three staggered so one or two are on (2/3 or 4/3 of the usual).
TIMING = (
    ("on_station", 4, 1.5),
    ("on_station", 4, 3.0),
    ("staggered", 3, 1.2),
    ("staggered", 3, 1.5),
)
ENDURANCE, TRANSIT, MAX_DELAY, CHECK_EVERY = 20.0, 10.0, 12.0, 1.0


def timing_world(start: str, vessels: int, ratio: float) -> Resolved:
    return search_world(
        vessels=vessels,
        endurance_hours=ENDURANCE,
        transit_hours=TRANSIT,
        start=start,
        lot_interval_days=0.5,
        horizon_days=120.0,
        adaptation={
            "timing": True,
            "surge_ratio": ratio,
            "max_delay_hours": MAX_DELAY,
            "check_hours": CHECK_EVERY,
        },
    )


def _on_station(t: float, start: str, n: int) -> int:
    """Vessels on station at ``t``: each vessel k is ``phase_k`` hours into its cycle at 0."""
    cycle = ENDURANCE + 2 * TRANSIT
    phases = [0.0] * n if start == "on_station" else [cycle * k / n for k in range(n)]
    return sum((t + ph) % cycle < ENDURANCE for ph in phases)


def rule_wait(t: float, start: str, ratio: float, resolved: Resolved) -> tuple[float, float]:
    """(hours the rule makes a ship ready at ``t`` wait, the usual hazard)."""
    g = resolved.scenario.patrols[0]
    a, b, area = zone_crossing(resolved)
    v = search_speed(resolved, g.speed_knots, resolved.scenario.sellers[0].speed_knots)
    usual = g.vessels * g.sweep_width_nm * v * ENDURANCE / (ENDURANCE + 2 * TRANSIT)
    usual *= (b - a) / area
    deadline, now = t + MAX_DELAY, t
    while deadline - now > 1e-9:
        hazard = _on_station(now, start, g.vessels) * g.sweep_width_nm * v
        if not hazard * (b - a) / area > ratio * usual:
            break
        now += min(CHECK_EVERY, deadline - now)
    return now - t, usual


def timing(quick: bool = True, simulate: Simulate = run) -> Check:
    """Ships wait exactly while the leg's hazard now exceeds surge_ratio x the usual one."""
    t0 = time.perf_counter()
    points, notes = [], []
    for i, (start, vessels, ratio) in enumerate(TIMING if not quick else TIMING[:3]):
        world = timing_world(start, vessels, ratio)
        loading = world.scenario.sellers[0].loading_hours
        want, got = [], []
        usual = math.nan
        for s in simulate(world, 0).shipments:
            if math.isnan(s.t_depart):
                continue
            w, usual = rule_wait(s.t_contract + loading, start, ratio, world)
            want.append(w)
            got.append(s.waited_hours)
        wrong = sum(abs(a - b) > EXACT_HOURS for a, b in zip(want, got, strict=True))
        if wrong:
            notes.append(f"{start}, s={ratio:g}: {wrong} of {len(want)} ships waited otherwise")
        label = f"{vessels} {start}, s={ratio:g}, usual H={usual:.3f}: mean wait (h)"
        mean = sum(want) / len(want)
        points.append(exact_point(label, float(i), mean, sum(got) / len(got), len(want)))
    return Check(
        key="timing",
        title="Surge timing",
        mechanism="Patrols in the open-sea box on a 20 h on, 20 h off cycle (four all "
        "together, or three staggered so one or two are on); sellers hold a loaded ship while "
        f"the hazard ahead exceeds s times the usual one, looking every {CHECK_EVERY:g} h, "
        f"for at most {MAX_DELAY:g} h. Each ship's wait worked out by the rule from the "
        "schedule; mean over ships (side condition: every ship's own wait).",
        formula="usual H = sum n W v_rel e / (e + 2T + turn) / A x (b - a); wait while "
        "H_now > s x usual H",
        interval=f"exact to {EXACT_HOURS:g} h per ship",
        level="exact",
        points=tuple(points),
        x_label="Setting",
        y_label="Mean hours waited",
        seconds=time.perf_counter() - t0,
        notes=tuple(notes),
        extra_ok=not notes,
    )
