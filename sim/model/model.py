"""Wires the actors into one SimPy environment and runs it to the horizon.

``simulate`` is the model's single entry point: a resolved scenario and a
seed sequence in, a run's raw records out. Nothing here prints, touches
files or uses global random state. ``in_force`` holds the scenario in force
now: a policy schedule replaces it on the days it names, and every mechanism
reads its levers from it when it acts.

No mechanism holds the model: ``Model`` builds each with the few collaborators
it uses and subscribes those that react to a voyage's end to ``outcomes``.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import URGENT

from sim.model import network as net
from sim.model.allocation import Allocator, equalising_weights
from sim.model.buyers import BuyerAgent, beliefs_of
from sim.model.company import Company
from sim.model.duty import mean_sweep
from sim.model.enforcement import Enforcement
from sim.model.inforce import InForce
from sim.model.ledger import Entry, Ledger
from sim.model.legs import FULL, Plans, Vessel, VoyagePlan
from sim.model.market import FixedMarket, Market, StrategicMarket
from sim.model.news import BuyerNews, SellerNews
from sim.model.outcomes import Outcomes
from sim.model.params import Params, compile_params, copy_into
from sim.model.patrols import CoastGuard
from sim.model.records import PatrolEvent, Recorder, Shipment, ZoneEvent
from sim.model.rng import mechanism_streams
from sim.model.routing import RouteChoice, Routing
from sim.model.sections import BuyerSection, SellerSection
from sim.model.sellers import Sellers
from sim.model.tips import Tips
from sim.model.voyages import Voyages
from sim.scenario.load import Resolved
from sim.scenario.schema import Scenario
from sim.world.network import RouteGeo

WEEK = 168.0
GC_YOUNG_THRESHOLD = 100_000
"""Allocations between young-generation collections while a replication runs."""


@dataclass(frozen=True)
class RunOutput:
    """Everything one replication leaves behind; metrics are computed from this."""

    horizon_hours: float
    shipments: list[Shipment]
    ledger: list[Entry]
    balances_fen: dict[str, int]
    """Each party's net position in fen, kept by the ledger as it posts (the sums
    ``sim.model.ledger.balances_fen`` makes of ``ledger``, without a second pass over it)."""
    patrol_events: list[PatrolEvent]
    patrol_service: dict[str, list[float | None]]
    patrol_port: list[tuple[float, str, bool]]
    seller_parties: list[str]
    buyers: list[BuyerAgent]
    network: net.TradeNetwork
    named: list[tuple[float, str, int]]
    weekly: list[dict[str, float]]
    """The weekly sample, from hour 0 every 168 hours; empty if ``simulate`` was told to
    leave it out (``series=False``)."""
    zone_events: list[ZoneEvent]
    scenario: Scenario
    """The scenario as it stood at the start (policy entries included)."""
    mean_belief_end: float = math.nan
    """Active buyers' mean believed interception chance at the horizon itself (the weekly
    snapshots stop up to a week short of it)."""
    seed: np.random.SeedSequence | None = None
    """The replication's seed sequence: what is drawn after the run (the outside observer,
    ``sim.observe``) draws from its own stream of it."""


def _instances(name: str, count: int) -> list[str]:
    return [name] if count == 1 else [f"{name}#{k + 1}" for k in range(count)]


class Model:
    """Wires the mechanisms together. Each gets only what it uses: the environment, the
    scenario in force (``in_force``), its own random stream, the books, the recorder,
    and the few others it calls; a voyage's end is announced on ``outcomes`` to the
    mechanisms subscribed here, in the order they act."""

    def __init__(
        self,
        resolved: Resolved,
        seed: np.random.SeedSequence,
        env: simpy.Environment | None = None,
        *,
        series: bool = True,
    ) -> None:
        self.series = series
        self.scenario = resolved.scenario
        self.in_force = InForce(compile_params(resolved.scenario))
        self.schedule = [(at, compile_params(s)) for at, s in resolved.schedule]
        self.geography = resolved.geography
        self.env = env if env is not None else simpy.Environment()
        self.seed = seed
        self.rng = mechanism_streams(seed)
        self.ledger = Ledger()
        self.recorder = Recorder()
        s = self.scenario
        relative = s.detection.search_speed == "relative"
        self.coast_guard = CoastGuard(self.env, self.geography, s.patrols, self.recorder, relative)
        self.plans = Plans(self.coast_guard)
        self.buyers: dict[str, BuyerAgent] = {}
        self.buyers_at: dict[str, list[BuyerAgent]] = {}
        self.templates = [copy_into(BuyerSection, b) for b in s.buyers]  # entrants' too
        for b in self.templates:
            for name in _instances(b.name, b.count):
                self._add_buyer(BuyerAgent(name, b))
        n = s.network
        self.network = net.build(
            [name for sl in s.sellers for name in _instances(sl.name, sl.count)],
            list(self.buyers),
            n.brokers,
            n.brokers_per_seller,
            n.brokers_per_buyer,
            self.rng["network"],
        )
        common = (self.env, self.in_force)
        self.enforcement = Enforcement(
            *common,
            self.rng["enforcement"],
            self.ledger,
            self.recorder,
            coast_guard=self.coast_guard,
            buyers=self.buyers,
            network=self.network,
        )
        self.tips = Tips(
            *common,
            self.rng["tips"],
            self.ledger,
            self.recorder,
            coast_guard=self.coast_guard,
            geography=self.geography,
        )
        self.companies = self._companies()
        self.market = self._market()
        self.routing = self._routing() if s.adaptation.enabled else None
        self.allocator: Allocator | None = None
        if s.allocation.kind != "fixed":
            self.allocator = self._allocator()
            self.env.process(self.allocator.run())
        self.outcomes = self._outcomes()
        self._start()

    @property
    def params(self) -> Params:
        """The scenario in force now (a policy schedule changes it on its days)."""
        return self.in_force.params

    def _companies(self) -> list[Company]:
        """Every company, its fleet drawn from the fleet stream (which ships run AIS off)."""
        companies, fleet_rng = [], self.rng["fleet"]
        for sl in self.scenario.sellers:
            routes = [self.geography.routes[r] for r in sl.routes]
            for name in _instances(sl.name, sl.count):
                store = simpy.Store(self.env)
                for k in range(sl.vessels):
                    store.items.append(
                        Vessel(
                            f"{name}/{k + 1}",
                            sl.vessel_capacity_dwt,
                            sl.speed_knots,
                            fleet_rng.random() < sl.ais_off_share,
                        )
                    )
                companies.append(
                    Company(
                        name,
                        copy_into(SellerSection, sl),
                        store,
                        routes,
                        in_force=self.in_force,
                        ledger=self.ledger,
                        record=self.enforcement,
                    )
                )
        return companies

    def _market(self) -> Market:
        s = self.scenario
        return (StrategicMarket if s.market.kind == "strategic" else FixedMarket)(
            self.in_force,
            self.rng["market"],
            self.ledger,
            network=self.network,
            buyers=self.buyers,
            buyers_at=self.buyers_at,
            smallest_lot=min((sl.lot_tonnes_min for sl in s.sellers), default=0.0),
        )

    def _routing(self) -> Routing:
        """Adaptive sellers: each company's route choice, valuing a lot at mid price and size."""
        s = self.scenario
        terms = s.contract
        price = (terms.price_rmb_per_tonne_min + terms.price_rmb_per_tonne_max) / 2
        for company in self.companies:
            sl = company.seller
            company.choice = RouteChoice(
                company,
                self.in_force.params.adaptation,
                self.rng["routing"],
                price * (sl.lot_tonnes_min + sl.lot_tonnes_max) / 2,
            )
        return Routing([company.choice for company in self.companies if company.choice])

    def _outcomes(self) -> Outcomes:
        """Who hears of a voyage's end, in the order they act: the books and the fine, the
        tipster's reward, the news to buyers, arrest and investigation, sellers' news."""
        out, enf, tips = Outcomes(), self.enforcement, self.tips
        buyers = BuyerNews(self.env, self.in_force, self.buyers)
        out.sailed.append(tips.watch)
        out.handed_over.append(enf.settle_transfer)
        out.delivered += [enf.deliver, buyers.delivered]
        out.seized += [enf.seize, tips.rewarded, buyers.seized, enf.prosecute]
        if self.routing is not None:
            sellers = SellerNews(self.env, self.in_force, self.routing)
            out.handed_over.append(sellers.handed_over)
            out.delivered.append(sellers.delivered)
            out.seized.append(sellers.seized)
        return out

    def _start(self) -> None:
        """The processes that run the model: lots made, sold and sailed; buyers entering;
        the weekly sample (only with ``series``); the policy schedule."""
        common, s = (self.env, self.in_force), self.scenario
        voyages = Voyages(
            *common,
            self.rng["detection"],
            self.ledger,
            plans=self.plans,
            coast_guard=self.coast_guard,
            outcomes=self.outcomes,
        )
        sellers = Sellers(
            *common, self.rng["sellers"], self.recorder, market=self.market, voyages=voyages
        )
        for c in self.companies:
            self.env.process(sellers.produce(c))
        if s.market.kind == "strategic":
            self.env.process(self._entry())
        if self.series:
            self.env.process(self._weekly())
        if s.policy:
            self.env.process(self._policies())

    def _add_buyer(self, agent: BuyerAgent) -> None:
        self.buyers[agent.name] = agent
        self.buyers_at.setdefault(agent.port, []).append(agent)

    def plan(self, route: RouteGeo, part: str, speed_knots: float) -> VoyagePlan:
        """Zone intervals and duration of one leg of a route at a speed, worked out once."""
        return self.plans.get(route, part, speed_knots)

    def _allocator(self) -> Allocator:
        """Every allowed zone becomes searchable; randomized weights are given or computed."""
        al, cg = self.scenario.allocation, self.coast_guard
        zones = list(al.zones) or list(cg.zones)
        cg.patrolled |= set(zones)
        weights = {z: w for z, w in al.weights.items() if z in zones}
        if al.kind == "randomized" and not weights:
            plans = [
                self.plan(r, FULL, c.seller.speed_knots) for c in self.companies for r in c.routes
            ]
            weights = equalising_weights(plans, zones, self._per_vessel_rate(zones))
        return Allocator(
            self.env, cg, al, self.recorder.zone_events, self.rng["allocation"], weights
        )

    def _per_vessel_rate(self, zones: list[str]) -> dict[str, float]:
        """Mean detection rate one patrol vessel adds to a zone over its duty cycle."""
        transit = self.coast_guard.transit
        total = sum(g.vessels * mean_sweep(g, transit[g.name]) for g in self.scenario.patrols)
        count = sum(g.vessels for g in self.scenario.patrols)
        sweep = total / count if count else 0.0
        return {z: sweep / self.geography.zones[z].area_sq_nm for z in zones}

    def active_buyers(self, now: float) -> list[BuyerAgent]:
        # TradeNetwork.active inlined: the weekly sampler and daily entry ask of every buyer.
        left, until = self.network.left, self.network.removed_until
        return [
            b for b in self.buyers.values() if b.name not in left and until.get(b.name, -1.0) <= now
        ]

    def _entry(self) -> Generator[simpy.Event, Any, None]:
        """New buyers arrive daily at a rate that grows with the last 30 days' buyer profit."""
        rng, env = self.rng["entry"], self.env
        history: list[float] = []
        templates = self.templates
        k = 0
        while True:
            yield env.timeout(24.0)
            total = self.ledger.buyers_fen / 100
            history.append(total)
            profit = total - history[-31] if len(history) > 30 else total
            m = self.in_force.params.market
            rate = m.entry_per_month + m.entry_per_month_per_million_rmb * max(0.0, profit) / 1e6
            arrivals = _poisson(rate / 30.0, rng.random())
            for _ in range(arrivals):
                # Active buyers are some of all buyers: count them only near the cap.
                if len(self.buyers) >= m.max_buyers and (
                    len(self.active_buyers(env.now)) >= m.max_buyers
                ):
                    break
                k += 1
                template = templates[int(rng.random() * len(templates))]
                agent = BuyerAgent(f"entrant#{k}", template, env.now)
                self._add_buyer(agent)
                self.network.attach(
                    agent.name, net.BUYER, self.in_force.params.network.brokers_per_buyer, rng
                )

    def _mean_belief(self, active: list[BuyerAgent], now: float) -> float:
        beliefs = beliefs_of(active, now, self.in_force.params.beliefs)
        # np.mean's own arithmetic (pairwise sum, one division) without its dispatch
        # overhead, which cost as much as the conversion to an array
        return float(np.add.reduce(np.array(beliefs))) / len(beliefs) if beliefs else math.nan

    def _weekly(self) -> Generator[simpy.Event, Any, None]:
        while True:
            now = self.env.now
            active = self.active_buyers(now)
            self.recorder.weekly.append(
                {
                    "week": now / WEEK,
                    "buyers_active": float(len(active)),
                    "mean_belief": self._mean_belief(active, now),
                }
            )
            yield self.env.timeout(WEEK)

    def _policies(self) -> Generator[simpy.Event, Any, None]:
        for at, after in self.schedule:
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            before = self.in_force.params
            self.in_force.params = after
            for old, new in zip(before.patrols, after.patrols, strict=True):
                if old != new:
                    self.coast_guard.reconfigure(new)

    def run(self) -> RunOutput:
        horizon = self.scenario.horizon_days * 24.0
        with fewer_collections():
            run_capped(self.env, horizon, self.scenario.event_ceiling())
        return RunOutput(
            horizon_hours=horizon,
            shipments=self.recorder.shipments,
            ledger=self.ledger.entries,
            balances_fen=dict(self.ledger.balance_fen),
            patrol_events=self.recorder.patrol_events,
            patrol_service=self.recorder.patrol_service,
            patrol_port=self.recorder.patrol_port,
            seller_parties=[c.name for c in self.companies],
            buyers=list(self.buyers.values()),
            network=self.network,
            named=self.recorder.named,
            weekly=self.recorder.weekly,
            zone_events=self.recorder.zone_events,
            scenario=self.scenario,
            mean_belief_end=self._mean_belief(self.active_buyers(horizon), horizon),
            seed=self.seed,
        )


class EventCeiling(Exception):
    """A replication processed more events than its scenario allows (``max_events``).

    An ``Exception``, not a ``RuntimeError``: mypyc compiles classes that derive from
    ``Exception`` but not from its other built-in subclasses (``make fast``)."""


EVENT_SLICE = 10_000
SECTIONS = {"timing": "adaptation", "voyages": "sellers", "model": "the market's clock"}
"""The scenario section behind each mechanism's module, where it is not the module's name."""


def run_capped(env: simpy.Environment, until: float, ceiling: int) -> None:
    """``env.run(until=until)`` that stops with ``EventCeiling`` after ``ceiling`` events.

    It steps in slices with the environment's own ``step``, so the budget costs one
    comparison per slice, and schedules its stop exactly as ``env.run`` does (an urgent
    event at ``until``): the same events run in the same order.
    """
    stop = simpy.Event(env)
    stop._ok, stop._value = True, None  # already triggered, as env.run's own stop event
    env.schedule(stop, URGENT, until - env.now)
    stop.callbacks.append(StopSimulation.callback)
    step = env.step
    done = 0
    try:
        while done < ceiling:
            for _ in repeat(None, min(EVENT_SLICE, ceiling - done)):
                step()
            done += EVENT_SLICE
    except StopSimulation:
        return
    stopped = env.now  # before the diagnosis below steps on through the next events
    source, share = _busiest(env)
    raise EventCeiling(
        f"stopped after {ceiling:,} events at day {stopped / 24:.4g} of {until / 24:g} "
        f"(max_events); {share:.0%} of the events that follow come from {source}: a duration "
        "or interval there is probably far too short; set max_events higher only if the "
        "scenario is meant to be this busy"
    )


def _busiest(env: simpy.Environment, sample: int = 2000) -> tuple[str, float]:
    """The process behind most of the next ``sample`` events, and its share of them."""
    counts: Counter[str] = Counter()
    for _ in range(sample):
        queue = env._queue
        if not queue:
            break
        for callback in queue[0][3].callbacks or ():
            gen = getattr(getattr(callback, "__self__", None), "_generator", None)
            if gen is not None:
                module, name = _origin(gen)
                counts[f"{SECTIONS.get(module, module)} ({name})"] += 1
        try:
            env.step()
        except (StopSimulation, EmptySchedule):
            break
    if not counts:
        return "no process", 0.0
    source, n = counts.most_common(1)[0]
    return source, n / sum(counts.values())


def _origin(gen: object) -> tuple[str, str]:
    """The module and the qualified name of the function behind a process's generator.

    A compiled generator (``make fast``) has no code object: its class is named after
    its function and class (``sell_Sellers_gen``) and lives in the function's module."""
    code = getattr(gen, "gi_code", None)
    if code is not None:
        return code.co_filename.rpartition("/")[2].removesuffix(".py"), code.co_qualname
    cls = type(gen)
    name = cls.__name__.removesuffix("_gen")
    func, _, owner = name.rpartition("_")
    qualname = f"{owner}.{func}" if func and owner[:1].isupper() else name
    return cls.__module__.rpartition(".")[2], qualname


def _poisson(mean: float, u: float) -> int:
    """Poisson variate by inversion of one uniform (means here are well below one)."""
    k, p = 0, math.exp(-mean)
    cdf = p
    while u > cdf and k < 1000:
        k += 1
        p *= mean / k
        cdf += p
    return k


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector's young generation less often inside the block.

    A replication allocates events, records, agents and generators by the hundred
    thousand, nearly all freed by reference counting or kept to the end, so the young
    generation's passes (every 700 allocations by default) find little and cost a few
    percent of a run. Worse, each pass while a replication is alive moves its objects
    into the older generations, whose passes then walk them again: the middle one's
    every ten young passes, the oldest one's (every object the process holds) every
    few dozen replications (benchmarks/bench_gc.py). The caller's thresholds come back
    afterwards; the older generations keep theirs throughout."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def simulate(resolved: Resolved, seed: np.random.SeedSequence, *, series: bool = True) -> RunOutput:
    """Run one replication of a resolved scenario.

    ``series=False`` leaves out the weekly sample of buyers active and their mean belief,
    which only the weekly table reads (``RunOutput.weekly`` stays empty): sweeps keep
    metrics alone, and the sample costs a few percent of a replication (benchmarks/README.md).
    The sample changes nothing it reads (``beliefs_of``), so every other record of the
    replication is the same either way; only a runaway scenario's ``max_events`` stop
    comes up to 52 events a year later without it."""
    return Model(resolved, seed, series=series).run()
