"""The levers the mechanisms read while a run goes on, compiled from the validated scenario:
the same values as the schema's, read-only, and each policy entry's scenario worked out
once at load in the order the entries take effect."""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.experiment.store import model_compiled
from sim.model import sections
from sim.model.params import compile_params, copy_into
from sim.scenario import Scenario, adaptive, load, resolve, schema, trade

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml"))
SECTIONS = ("detection", "contract", "tips", "enforcement", "market", "beliefs", "network")


@pytest.mark.parametrize("path", SCENARIOS[:4], ids=lambda p: p.stem)
def test_compiled_sections_hold_the_schema_values(path: Path) -> None:
    s = load(path).scenario
    p = compile_params(s)
    for name in (*SECTIONS, "adaptation"):
        section, fields = getattr(p, name), getattr(s, name).model_dump()
        assert dataclasses.asdict(section) == fields, name
        assert not hasattr(section, "__dict__")  # slotted (or compiled): no per-instance dict
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(section, next(iter(fields)), None)
    assert p.patrols == s.patrols


SECTION_MODELS = [
    (sections.DetectionSection, schema.Detection),
    (sections.ContractSection, trade.Contract),
    (sections.TipsSection, trade.Tips),
    (sections.EnforcementSection, trade.Enforcement),
    (sections.MarketSection, trade.Market),
    (sections.BeliefsSection, trade.Beliefs),
    (sections.NetworkSection, trade.Network),
    (sections.AdaptationSection, adaptive.Adaptation),
    (sections.SellerSection, schema.Seller),
    (sections.BuyerSection, trade.Buyer),
]


def _plain(t: object) -> object:
    """A schema field's type without its validation metadata (``Annotated``)."""
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is typing.Annotated:
        return _plain(args[0])
    if origin is list:
        return list[_plain(args[0])]  # type: ignore[misc]
    if origin in (types.UnionType, typing.Union):
        return functools.reduce(operator.or_, [_plain(a) for a in args])
    return t


@pytest.mark.parametrize("section, model", SECTION_MODELS, ids=lambda c: c.__name__)
def test_each_section_the_model_reads_has_its_schema_fields_and_types(
    section: type, model: type[BaseModel]
) -> None:
    """The model reads the scenario through these classes: a field added to the schema,
    renamed or retyped must be there too, or the compiled build would read a stale one."""
    assert [f.name for f in dataclasses.fields(section)] == list(model.model_fields)
    if model_compiled():
        return  # compiled (make fast), a class keeps no Literal in its annotations
    hints = typing.get_type_hints(section)
    assert hints == {k: _plain(f.annotation) for k, f in model.model_fields.items()}


def test_sellers_and_buyers_are_read_from_their_sections_with_the_schema_values() -> None:
    s = load(SCENARIOS[0]).scenario
    for section, entries in (
        (sections.SellerSection, s.sellers),
        (sections.BuyerSection, s.buyers),
    ):
        for entry in entries:
            assert dataclasses.asdict(copy_into(section, entry)) == entry.model_dump()


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
