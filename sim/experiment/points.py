"""A sweep's points: each point's scenario, made from the base and the point's row when
it is needed, and all of them checked before anything runs."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

from sim.experiment.design import Design
from sim.scenario import resolve, validate
from sim.scenario.errors import ScenarioError
from sim.scenario.load import set_path
from sim.scenario.schema import Scenario

SHOWN_PROBLEMS = 3


def _copied_along(data: dict[str, Any], path: str) -> dict[str, Any]:
    """``data`` with every table and list on ``path`` copied (the rest shared), so that
    setting the key at ``path`` leaves ``data`` as it was: a point costs a few small
    copies, not a deep copy of the whole scenario."""
    top = dict(data)
    node: Any = top
    for part in path.split(".")[:-1]:
        if isinstance(node, list):
            names = [e.get("name") if isinstance(e, dict) else None for e in node]
            idx = int(part) if part.isdigit() else names.index(part)
            node[idx] = copy.copy(node[idx])
            node = node[idx]
        elif isinstance(node, dict) and isinstance(node.get(part), dict | list):
            node[part] = copy.copy(node[part])
            node = node[part]
        else:
            break
    return top


class Points(Sequence[str]):
    """Each point's scenario as JSON, made when asked for: a design of 100,000 points
    would otherwise hold 100,000 copies of the scenario."""

    def __init__(self, base: dict[str, Any], design: Design, seed: int, reps: int) -> None:
        self.base = {**base, "seed": seed, "replications": reps}
        self.design = design

    def __len__(self) -> int:
        return len(self.design.rows)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        return self.scenario(i, "design point").model_dump_json()

    def scenario(self, i: int, where: str) -> Scenario:
        data = self.base
        for p, v in zip(self.design.paths, self.design.rows[i], strict=True):
            data = _copied_along(data, p)
            set_path(data, p, v)
        return validate(data, where)


def check_points(
    source: Path, base: dict[str, Any], design: Design, seed: int, reps: int, check: bool
) -> Points:
    """Every point's scenario, each checked exactly as a scenario file is."""
    points = Points(base, design, seed, reps)
    problems: list[str] = []
    bad = 0
    for i, row in enumerate(design.rows):
        label = ", ".join(f"{p}={v!r}" for p, v in zip(design.paths, row, strict=True))
        where = f"{source}: design point {i} ({label})"
        try:
            scenario = points.scenario(i, where)
            if check:
                resolve(scenario, where)
        except ScenarioError as e:
            msg = str(e)
            bad += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(msg if msg.startswith(where) else f"{where}: {msg}")
    if bad:
        more = f"\n(and {bad - len(problems)} more points)" if bad > len(problems) else ""
        raise ScenarioError("\n".join(problems) + more)
    return points
