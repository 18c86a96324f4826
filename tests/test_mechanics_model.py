"""The model's own clockwork, by hand: the entrants' Poisson draw, the busiest-process
diagnosis a runaway scenario is stopped with, and the policy schedule."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy

from sim.model.model import _busiest, _origin, _poisson

pytestmark = pytest.mark.model


def test_poisson_by_inversion_of_one_uniform() -> None:
    p0 = math.exp(-0.5)
    p1 = p0 * 0.5
    p2 = p1 * 0.5 / 2
    assert _poisson(0.5, p0 - 1e-9) == 0
    assert _poisson(0.5, p0) == 0  # P(X <= 0) = p0: a uniform of exactly p0 still gives 0
    assert _poisson(0.5, p0 + p1) == 1
    assert _poisson(0.5, p0 + 1e-9) == 1
    assert _poisson(0.5, p0 + p1 - 1e-9) == 1
    assert _poisson(0.5, p0 + p1 + 1e-9) == 2
    assert _poisson(0.5, p0 + p1 + p2 + 1e-9) == 3
    assert _poisson(0.0, 0.999) == 0
    # A mean so large that exp(-mean) underflows stops at the 1,000 cap instead of looping.
    assert _poisson(2000.0, 0.5) == 1000


def every_hour(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(1.0)


def every_three_hours(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
    while True:
        yield env.timeout(3.0)


def test_the_busiest_process_and_its_share_of_the_next_events() -> None:
    """The first 18 events are the two starts, 12 hourly and 4 three-hourly ticks: 13/18."""
    env = simpy.Environment()
    env.process(every_hour(env))
    env.process(every_three_hours(env))
    source, share = _busiest(env, sample=18)
    assert source == "test_mechanics_model (every_hour)"
    assert share == 13 / 18
    assert env.now == 12.0  # it stepped through exactly those events


def test_the_busiest_process_is_judged_on_the_next_2000_events_by_default() -> None:
    """An hourly ticker and a process that waits half an hour once and ends. Its steps in
    order: the two starts, the one-off's wake-up at 0.5 h, its end (an event nobody waits
    on: counted for no process), then hourly ticks. Of 2,000 steps the ticker has its
    start and 1,996 ticks, the one-off 2: 1,997 of the 1,999 counted."""
    env = simpy.Environment()

    def once() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(0.5)

    env.process(every_hour(env))
    env.process(once())
    source, share = _busiest(env)
    assert source == "test_mechanics_model (every_hour)"
    assert share == 1997 / 1999
    assert env.now == 1996.0


def test_an_empty_schedule_has_no_busiest_process() -> None:
    assert _busiest(simpy.Environment()) == ("no process", 0.0)
    env = simpy.Environment()

    def once() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(1.0)

    env.process(once())
    source, share = _busiest(env, sample=100)  # runs out of events before the sample
    assert share == 1.0 and source.endswith(
        "(test_an_empty_schedule_has_no_busiest_process.<locals>.once)"
    )


def test_a_compiled_process_is_named_from_its_generators_class() -> None:
    """``make fast`` compiles the model's generators into classes without a code object,
    named ``<function>_<Class>_gen`` (a method) or ``<function>_gen`` (a function) in the
    function's own module: the diagnosis names them as it names source generators."""

    def compiled(name: str, module: str) -> object:
        return type(name, (), {"__module__": module})()

    assert _origin(compiled("sell_Sellers_gen", "sim.model.sellers")) == (
        "sellers",
        "Sellers.sell",
    )
    assert _origin(compiled("_duty_PatrolVessel_gen", "sim.model.patrols")) == (
        "patrols",
        "PatrolVessel._duty",
    )
    assert _origin(compiled("sail_gen", "sim.model.voyages")) == ("voyages", "sail")
    assert _origin(compiled("delays_until_gen", "sim.model.patrols")) == (
        "patrols",
        "delays_until",
    )
    assert _origin(every_hour(simpy.Environment())) == ("test_mechanics_model", "every_hour")


def _world(**extra: Any) -> Any:
    from builders import ROUTE, search_world

    seller = {"name": "s", "port": "Nampo", "routes": [ROUTE], "vessels": 4, "count": 3}
    seller["ais_off_share"] = 0.0
    days = extra.pop("days", 15.0)
    return search_world(vessels=0, horizon_days=days, **{"sellers": [seller], **extra})


def _model(**extra: Any) -> Any:
    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    return Model(_world(**extra), replication_seed(7, 0))


def test_companies_and_their_ships_are_numbered_and_ais_off_follows_the_share() -> None:
    model = _model()
    assert [c.name for c in model.companies] == ["s#1", "s#2", "s#3"]
    ships = model.companies[1].fleet.items
    assert [v.name for v in ships] == ["s#2/1", "s#2/2", "s#2/3", "s#2/4"]
    assert model.companies[1].ships == 4
    assert not any(v.ais_off for v in ships)
    seller = {"name": "d", "port": "Nampo", "routes": ["nampo-lianyungang"], "ais_off_share": 1.0}
    dark = _model(sellers=[seller])
    assert [c.name for c in dark.companies] == ["d"]
    assert all(v.ais_off for v in dark.companies[0].fleet.items)


def test_weekly_snapshots_are_taken_every_168_hours_from_the_start() -> None:
    out = _model(days=22.0).run()
    assert [w["week"] for w in out.weekly] == [0.0, 1.0, 2.0, 3.0]
    assert all(w["buyers_active"] == len(out.buyers) for w in out.weekly)
    assert out.horizon_hours == 22.0 * 24.0


def test_one_patrol_vessels_mean_rate_is_the_fleet_average_over_the_zone_area() -> None:
    """Groups of 2 and 1 vessels in one box: 10 h on, 5 back, 5 base, 5 out (10/25 on
    station) and always on: (2 x W v x 0.4 + 1 x W v) / 3 / A."""
    from builders import OPEN_SEA_BOX

    cycle = {"endurance_hours": 10.0, "transit_hours": 5.0, "turnaround_hours": 5.0}
    base = {"base": "Lianyungang", "zone": "box", "sweep_width_nm": 8.0, "speed_knots": 12.0}
    groups = [
        {"name": "a", "vessels": 2, **base, **cycle},
        {"name": "b", "vessels": 1, **base, "transit_hours": 0.0, "turnaround_hours": 0.0},
    ]
    model = _model(patrols=groups, zones=[{"name": "box", "polygon": OPEN_SEA_BOX}])
    area = model.geography.zones["box"].area_sq_nm
    expected = (2 * 96.0 * 0.4 + 96.0) / 3 / area
    assert model._per_vessel_rate(["box"]) == {"box": pytest.approx(expected)}
    none = _model(patrols=[])
    assert none._per_vessel_rate(["box"]) == {"box": 0.0}


def test_a_policy_on_the_current_day_applies_at_once_and_unchanged_patrols_stay() -> None:
    from builders import search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    policy = [{"day": 0.0, "set": {"detection.recognition_probability": 0.5}}]
    model = Model(search_world(vessels=1, horizon_days=1.0, policy=policy), replication_seed(7, 0))
    model.env.run(until=1e-9)
    assert model.params.detection.recognition_probability == 0.5
    assert model.coast_guard.vessels[0].zone.rate > 0.0


def test_a_days_policy_entries_all_apply_before_anything_else_that_day() -> None:
    """Two entries on day 2: buyers enter at 100 a month, then no more buyers than at the
    start. The day-2 entry tick (at 48 h, queued after the policy's own wake-up) must see
    both, so nobody enters. With the first entry alone, Poisson(100 / 30) enter at 48 h:
    at least one with probability 1 - exp(-10/3) = 96%, and with this seed some do; a
    tick run between the two entries would let those same buyers in."""
    from builders import ROUTE, search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    seller: dict[str, Any] = {"name": "s", "port": "Nampo", "routes": [ROUTE]}
    seller |= {"lot_interval": "fixed", "lot_interval_days": 3650.0}
    market = {"kind": "strategic", "entry_per_month": 0.0, "entry_per_month_per_million_rmb": 0.0}
    opened = {"day": 2.0, "set": {"market.entry_per_month": 100.0}}

    def entrants(*policy: dict[str, Any]) -> list[float]:
        world: dict[str, Any] = dict(vessels=0, horizon_days=2.5, sellers=[seller], market=market)
        out = Model(search_world(**world, policy=list(policy)), replication_seed(7, 0)).run()
        return [b.entered_at for b in out.buyers if b.name.startswith("entrant#")]

    alone = entrants(opened)
    world: dict[str, Any] = dict(vessels=0, horizon_days=2.5, sellers=[seller], market=market)
    both = [opened, {"day": 2.0, "set": {"market.max_buyers": 1}}]
    out = Model(search_world(**world, policy=both), replication_seed(7, 0)).run()
    # The output keeps the scenario as it stood at the start, its policy entries with it,
    # and the trade network the run grew (the network metrics read it).
    assert out.scenario.market.max_buyers == 400 and len(out.scenario.policy) == 2
    assert {out.network.kind[b.name] for b in out.buyers} == {"buyer"}
    assert alone and set(alone) == {48.0}
    start = len(Model(search_world(vessels=0, sellers=[seller]), replication_seed(7, 0)).buyers)
    assert entrants(opened, {"day": 2.0, "set": {"market.max_buyers": start}}) == []


def test_buyers_enter_at_the_base_rate_while_nobody_trades_up_to_the_cap() -> None:
    """No lots, so no profit: entrants arrive at entry_per_month / 30 a day, 1 a day here;
    over 200 days 200 +- 3 sqrt(200). With a cap of 5 more than start, 5 enter."""
    from builders import ROUTE, search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    seller: dict[str, Any] = {"name": "s", "port": "Nampo", "routes": [ROUTE]}
    seller |= {"lot_interval": "fixed", "lot_interval_days": 3650.0}

    def world(**market: Any) -> Model:
        m = {"kind": "strategic", "entry_per_month": 30.0, **market}
        resolved = search_world(vessels=0, horizon_days=200.0, sellers=[seller], market=m)
        return Model(resolved, replication_seed(7, 0))

    model = world()
    start = len(model.buyers)
    out = model.run()
    entrants = [b for b in out.buyers if b.name.startswith("entrant#")]
    assert abs(len(entrants) - 200) < 3 * math.sqrt(200)
    assert [b.name for b in entrants] == [f"entrant#{k}" for k in range(1, len(entrants) + 1)]
    assert all(model.network.kind[b.name] == "buyer" for b in entrants)
    assert all(b.entered_at > 0 and b.entered_at % 24.0 == 0.0 for b in entrants)  # daily
    capped = world(max_buyers=start + 5)
    out = capped.run()
    assert len(out.buyers) == start + 5


def test_entrants_a_day_grow_with_the_buyers_profit_over_the_last_30_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No lots, no patrols; the buyers' books moved by hand: they pay RMB 1 million at 1 h,
    then receive 2 million at noon every day from day 1. At the tick of day d (24d h) they
    stand at 2d - 3 million (-1 on day 1); the profit is that standing up to day 30 and
    its rise over the last 30 days after (60 million from day 31), never below 0. The
    day's entrants are Poisson with mean (3 + 0.5 x profit in millions) / 30."""
    import sim.model.model as model_module
    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    means: list[float] = []

    def poisson(mean: float, u: float) -> int:
        means.append(mean)
        return 0

    monkeypatch.setattr(model_module, "_poisson", poisson)
    from builders import ROUTE, search_world

    seller: dict[str, Any] = {"name": "s", "port": "Nampo", "routes": [ROUTE]}
    seller |= {"lot_interval": "fixed", "lot_interval_days": 3650.0}
    market = {"kind": "strategic", "entry_per_month": 3.0, "entry_per_month_per_million_rmb": 0.5}
    resolved = search_world(vessels=0, horizon_days=33.0, sellers=[seller], market=market)
    model = Model(resolved, replication_seed(7, 0))

    def books() -> Generator[simpy.Event, Any, None]:
        yield model.env.timeout(1.0)
        model.ledger.post(1.0, "buyer:b", "market:china", 1e6, "test")
        yield model.env.timeout(35.0)
        while True:
            model.ledger.post(model.env.now, "market:china", "buyer:b", 2e6, "test")
            yield model.env.timeout(24.0)

    model.env.process(books())
    model.run()
    standing = {d: 2 * d - 3 for d in range(1, 33)}
    profit = [max(0, standing[d] if d <= 30 else standing[d] - standing[d - 30]) for d in standing]
    assert profit[:3] == [0, 1, 3] and profit[29:] == [57, 60, 60]
    assert means == pytest.approx([(3.0 + 0.5 * p) / 30 for p in profit], rel=1e-12)


def test_buyers_who_left_or_are_barred_free_their_places_under_the_cap() -> None:
    """A cap of as many buyers as at the start, entry at 1 a day. At 1 h two buyers leave
    the trade and one is barred for good: three places free, so exactly three enter
    (the chance of fewer than three arrivals in 20 days at 1 a day is about 1e-6); the
    cap counts buyers active now, not every buyer ever seen."""
    from builders import ROUTE, search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    seller: dict[str, Any] = {"name": "s", "port": "Nampo", "routes": [ROUTE]}
    seller |= {"lot_interval": "fixed", "lot_interval_days": 3650.0}
    start = len(Model(search_world(vessels=0, sellers=[seller]), replication_seed(7, 0)).buyers)
    market = {"kind": "strategic", "entry_per_month": 30.0, "max_buyers": start}
    resolved = search_world(vessels=0, horizon_days=20.0, sellers=[seller], market=market)
    model = Model(resolved, replication_seed(7, 0))
    first, second, third = list(model.buyers)[:3]

    def depart() -> Generator[simpy.Event, Any, None]:
        yield model.env.timeout(1.0)
        model.network.leave(first)
        model.network.leave(second)
        model.network.remove(third, 1e9)

    model.env.process(depart())
    out = model.run()
    entrants = [b.name for b in out.buyers if b.name.startswith("entrant#")]
    assert entrants == ["entrant#1", "entrant#2", "entrant#3"]
    assert len(model.active_buyers(out.horizon_hours)) == start


def _ticker(ceiling: int, until: float) -> tuple[simpy.Environment, list[float]]:
    from sim.model.model import run_capped

    env = simpy.Environment()
    ticks: list[float] = []

    def tick() -> Generator[simpy.Event, Any, None]:
        while True:
            ticks.append(env.now)
            yield env.timeout(1.0)

    env.process(tick())
    run_capped(env, until, ceiling)
    return env, ticks


def test_a_capped_run_stops_at_the_horizon_as_env_run_does() -> None:
    env, ticks = _ticker(25_000, 20_000.5)  # more events than one slice of 10,000
    assert env.now == 20_000.5
    assert ticks == [float(k) for k in range(20_001)]
    env, ticks = _ticker(100, 10.0)
    assert env.now == 10.0 and ticks[-1] == 9.0  # a tick at the horizon itself does not run


def test_a_run_over_its_event_ceiling_names_the_busiest_process() -> None:
    from sim.model.model import EventCeiling

    with pytest.raises(EventCeiling) as err:
        _ticker(50, 1_000.0)
    message = str(err.value)
    assert message.startswith("stopped after 50 events at day 2.042 of 41.6667 (max_events); 100%")
    assert "_ticker.<locals>.tick" in message
    with pytest.raises(EventCeiling, match="stopped after 12,000 events at day 500 of"):
        # a ceiling that is not a whole number of slices: the start and 11,999 hourly
        # ticks, so the clock stands at 11,999 h (day 499.96) and the next is 12,000 h
        _ticker(12_000, 1e6)


def test_the_ceilings_message_says_what_to_do() -> None:
    from sim.model.model import EventCeiling

    with pytest.raises(EventCeiling) as err:
        _ticker(50, 1_000.0)
    assert str(err.value).endswith(
        "come from test_mechanics_model (_ticker.<locals>.tick): a duration or interval there is "
        "probably far too short; set max_events higher only if the scenario is meant to "
        "be this busy"
    )


def test_a_capped_run_resumed_later_stops_at_its_own_horizon() -> None:
    """Run to 10 h, then on to 25 h: the second run stops at 25 h, not 10 + 25."""
    from sim.model.model import run_capped

    env, ticks = _ticker(100, 10.0)
    run_capped(env, 25.0, 100)
    assert env.now == 25.0 and ticks[-1] == 24.0


def test_the_busiest_process_is_named_by_its_scenario_section_and_bare_callbacks_skipped() -> None:
    """A process whose code lives in a module named timing.py belongs to the adaptation
    section; an event whose callback is a plain function (no process) is not counted."""
    space: dict[str, Any] = {}
    source_code = "def hold(env):\n    while True:\n        yield env.timeout(1.0)\n"
    exec(compile(source_code, "/anywhere/timing.py", "exec"), space)
    env = simpy.Environment()
    env.process(space["hold"](env))
    env.timeout(0.5).callbacks.append(lambda event: None)
    source, share = _busiest(env, sample=4)
    assert source == "adaptation (hold)"
    assert share == 1.0


def test_the_model_runs_on_the_environment_it_is_given_and_keeps_its_seed() -> None:
    """A caller's environment (the benchmarks count events with one) is the one run; the
    output carries the replication's seed sequence, which the outside observer draws from."""
    import numpy as np
    from builders import search_world

    from sim.model.model import Model

    env = simpy.Environment()
    seed = np.random.SeedSequence(7, spawn_key=(0,))
    model = Model(search_world(vessels=1, horizon_days=2.0), seed, env=env)
    assert model.env is env
    out = model.run()
    assert env.now == 48.0
    assert out.seed is seed


def test_search_at_the_patrols_own_speed_ignores_the_ships_speed() -> None:
    """One vessel, W = 8 nm at 18 kn, always on station: read at its own speed the zone's
    rate is W v / A = 144 / A against any ship; read relative to the ship it grows with
    the ship's speed."""
    from builders import search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    def zone(search_speed: str) -> Any:
        world = search_world(vessels=1, horizon_days=1.0, detection={"search_speed": search_speed})
        model = Model(world, replication_seed(7, 0))
        model.env.run(until=1.0)
        return model.coast_guard.zones["box"]

    own = zone("patrol")
    assert own.rate_against(5.0) == own.rate_against(15.0) == pytest.approx(144.0 / own.area_sq_nm)
    relative = zone("relative")
    assert relative.rate_against(5.0) < relative.rate_against(15.0)


def test_a_world_without_sellers_runs_and_ships_nothing() -> None:
    from sim.experiment.seeds import replication_seed
    from sim.model.model import simulate
    from sim.scenario import Scenario, resolve

    out = simulate(
        resolve(Scenario.model_validate({"sellers": [], "horizon_days": 10.0})),
        replication_seed(1, 0),
    )
    assert out.shipments == [] and out.seller_parties == []
    assert out.horizon_hours == 240.0


def test_a_run_collects_young_garbage_less_often_and_gives_the_thresholds_back() -> None:
    """While a replication runs the young generation waits for 100,000 allocations (or
    the caller's own, if higher); the older generations keep the caller's thresholds,
    and all three come back afterwards."""
    import gc

    from builders import search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    seen: list[tuple[int, int, int]] = []
    before = gc.get_threshold()
    try:
        for caller in [(700, 200_000, 30), (300_000, 11, 12)]:
            gc.set_threshold(*caller)
            model = Model(search_world(vessels=0, horizon_days=1.0), replication_seed(7, 0))

            def look(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
                yield env.timeout(1.0)
                seen.append(gc.get_threshold())

            model.env.process(look(model.env))
            model.run()
            assert gc.get_threshold() == caller
    finally:
        gc.set_threshold(*before)
    assert seen == [(100_000, 200_000, 30), (300_000, 11, 12)]


def test_a_buyer_barred_until_a_time_is_active_again_from_that_very_time() -> None:
    """The model's count of active buyers agrees with the network's own rule (back at the
    instant the bar ends), and with everyone gone there is no mean belief to report."""
    from builders import search_world

    from sim.experiment.seeds import replication_seed
    from sim.model.model import Model

    model = Model(search_world(vessels=0, horizon_days=10.0), replication_seed(7, 0))
    names = list(model.buyers)
    model.network.remove(names[0], 48.0)
    for now in (0.0, 47.5, 48.0, 49.0):
        active = [b.name for b in model.active_buyers(now)]
        assert active == [n for n in names if model.network.active(n, now)]
    assert names[0] not in [b.name for b in model.active_buyers(47.5)]
    assert names[0] in [b.name for b in model.active_buyers(48.0)]

    def depart() -> Generator[simpy.Event, Any, None]:
        yield model.env.timeout(1.0)
        for name in names:
            model.network.leave(name)

    model.env.process(depart())
    out = model.run()
    assert [w["buyers_active"] for w in out.weekly] == [len(names) - 1, 0.0]  # one barred
    assert math.isnan(out.weekly[1]["mean_belief"]) and math.isnan(out.mean_belief_end)


def test_a_company_asked_to_be_paid_after_delivery_weighs_the_public_seizure_record() -> None:
    """Endogenous terms, buyers sure of a 60% interception chance, no fine, resale at twice
    the price: paying in advance they expect 0.4 x 1 - 0.6 = -0.2 of the cargo's value,
    after delivery +0.4, so they ask for after delivery. With no patrols the public record
    shows no seizures, so the company expects the full value, far above a round trip's
    running cost, and accepts: every lot sails on after-delivery terms."""
    from builders import run

    from sim.verify.worlds import belief_world

    out = run(belief_world(0.6, "endogenous", horizon_days=20.0, fine=0.0))
    assert out.shipments and {s.payment_terms for s in out.shipments} == {"after_delivery"}
    # Buyers who never learn still hold their 60% at the horizon itself.
    assert out.mean_belief_end == pytest.approx(0.6)


def test_a_fixed_allocation_has_no_allocator() -> None:
    """Patrol groups keep the zones the scenario gives them: no allocator is made to move
    them (the API's ``Model.allocator`` is None, as its type says)."""
    model = _model()
    assert model.scenario.allocation.kind == "fixed"
    assert model.allocator is None


@pytest.mark.parametrize("path", ["evaluate", "evaluate_metrics"])
def test_a_whole_replication_collects_young_garbage_less_often(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep's replication is built, run and read (metrics, tables) under the raised
    young threshold, so its objects are not pushed towards the oldest generation, whose
    full collections walk the whole process; the caller's thresholds come back after."""
    import gc

    from sim.metrics import evaluate
    from sim.scenario import Scenario

    seen: list[tuple[int, int, int]] = []
    simulate = evaluate.simulate

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        out = simulate(*args, **kwargs)
        seen.append(gc.get_threshold())  # and while the metrics and tables are read
        return out

    monkeypatch.setattr(evaluate, "simulate", watched)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        scenario_json = Scenario(horizon_days=5.0).model_dump_json()
        getattr(evaluate, path)(scenario_json, np.random.SeedSequence(3))
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
    assert seen == [(100_000, 10, 10)] * 2
