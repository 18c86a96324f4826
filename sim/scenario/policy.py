"""Policy schedules: parameter changes that take effect on a given day.

A policy entry is a set of ``--set``-style overrides. It is validated when
the scenario loads by applying it to the scenario and validating the
result, so a typo in a policy key is caught before anything runs. Only the
levers an enforcement agency or the market can move mid-run may change;
the geography and the companies stay as they are.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

MOVABLE = ("patrols", "detection", "contract", "enforcement", "tips", "market", "beliefs")
PATROL_KEYS = (
    "vessels",
    "sweep_width_nm",
    "speed_knots",
    "dash_speed_knots",
    "endurance_hours",
    "turnaround_hours",
)

FIXED_AT_START = {
    "market.kind": "the market is set up at the start: a policy cannot change market.kind "
    "(run the two kinds as two scenarios and compare them)",
    "detection.search_speed": "the reading of the search rate is set at the start: a policy "
    "cannot change detection.search_speed (run the two readings as two scenarios)",
}
"""Keys inside the movable sections that the model reads only when a run begins."""


def apply(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    """The scenario with a policy's changes applied (raises ScenarioError on a bad key)."""
    from sim.scenario.load import set_path, validate

    data = scenario.model_dump(mode="json")
    for key, value in changes.items():
        try:
            set_path(data, key, value)
        except ScenarioError as e:
            raise ScenarioError(f"{key}: {e}") from None
    data["policy"] = []
    return validate(data, "policy")


def problems(scenario: Scenario) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i, entry in enumerate(scenario.policy):
        key = f"policy[{i}]"
        if entry.day > scenario.horizon_days:
            out.append(
                (f"{key}.day", f"day {entry.day:g} is after horizon_days {scenario.horizon_days:g}")
            )
        for path in entry.set:
            head = path.split(".")[0]
            if head not in MOVABLE:
                out.append((f"{key}.set.{path}", f"policy may change only {', '.join(MOVABLE)}"))
            elif path in FIXED_AT_START:
                out.append((f"{key}.set.{path}", FIXED_AT_START[path]))
            elif head == "patrols" and path.split(".")[-1] not in PATROL_KEYS:
                out.append(
                    (f"{key}.set.{path}", f"policy may change patrols' {', '.join(PATROL_KEYS)}")
                )
        try:
            apply(scenario, entry.set)
        except ScenarioError as e:
            lines = str(e).removeprefix("policy: ").splitlines()
            details = [ln.strip() for ln in lines[1:]] if len(lines) > 1 else lines
            out.extend((f"{key}.set", d) for d in details)
    return out
