"""The model's own clockwork, by hand: the entrants' Poisson draw, the busiest-process
diagnosis a runaway scenario is stopped with, and the policy schedule."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import pytest
import simpy

from sim.model.model import _busiest, _poisson

pytestmark = pytest.mark.model


def test_poisson_by_inversion_of_one_uniform() -> None:
    p0 = math.exp(-0.5)
    p1 = p0 * 0.5
    p2 = p1 * 0.5 / 2
    assert _poisson(0.5, p0 - 1e-9) == 0
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
