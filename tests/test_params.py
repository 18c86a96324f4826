"""The levers the mechanisms read while a run goes on, compiled from the validated scenario:
the same values as the schema's, read-only, and each policy entry's scenario worked out
once at load in the order the entries take effect."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sim.model.params import compile_params
from sim.scenario import Scenario, load, resolve

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml"))
SECTIONS = ("detection", "contract", "tips", "enforcement", "market", "beliefs", "network")


@pytest.mark.parametrize("path", SCENARIOS[:4], ids=lambda p: p.stem)
def test_compiled_sections_hold_the_schema_values(path: Path) -> None:
    s = load(path).scenario
    p = compile_params(s)
    for name in (*SECTIONS, "adaptation"):
        section, fields = getattr(p, name), getattr(s, name).model_dump()
        assert dataclasses.asdict(section) == fields, name
        assert type(section).__slots__ == tuple(fields)  # slotted: no per-instance dict
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(section, next(iter(fields)), None)
    assert p.patrols == s.patrols


def test_schedule_takes_entries_by_day_each_on_the_last() -> None:
    """Entries given out of order, two on one day: by day, and a day's in the order given,
    each applied to the scenario the one before left (fines: 2.0e6, then 3.0e6 on day 5
    with the reward share changed on the same day, then vessels on day 9)."""
    s = Scenario.model_validate(
        {
            "policy": [
                {"day": 9.0, "set": {"patrols.bohai_strait_patrol.vessels": 5}},
                {"day": 5.0, "set": {"enforcement.fine_rmb": 3.0e6}},
                {"day": 2.5, "set": {"enforcement.fine_rmb": 2.0e6}},
                {"day": 5.0, "set": {"tips.reward_share": 0.2}},
            ]
        }
    )
    schedule = resolve(s).schedule
    assert [at for at, _ in schedule] == [60.0, 120.0, 120.0, 216.0]
    fines = [x.enforcement.fine_rmb for _, x in schedule]
    assert fines == [2.0e6, 3.0e6, 3.0e6, 3.0e6]
    shares = [x.tips.reward_share for _, x in schedule]
    assert shares == [s.tips.reward_share] * 2 + [0.2, 0.2]
    vessels = [{g.name: g.vessels for g in x.patrols}["bohai_strait_patrol"] for _, x in schedule]
    before = {g.name: g.vessels for g in s.patrols}["bohai_strait_patrol"]
    assert vessels == [before] * 3 + [5]
    assert all(x.policy == [] for _, x in schedule)
