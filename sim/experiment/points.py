"""A sweep's points: each point's scenario, made from the base and the point's row when
it is needed, and all of them checked before anything runs."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

from sim.experiment.design import Design
from sim.scenario import validate
from sim.scenario.crosscheck import Problem, check_changed
from sim.scenario.errors import ScenarioError
from sim.scenario.load import format_problems, set_path, validate_key
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


MEMO = 10_000
"""Validated values kept per top-level key (each a section of the scenario, a few KB)."""


class Points(Sequence[str]):
    """Each point's scenario as JSON, made when asked for: a design of 100,000 points
    would otherwise hold 100,000 copies of the scenario.

    A point differs from the valid base only in the top-level keys its parameters name
    (``changed``); only those are validated, and a key's value validated once for the same
    parameter values is reused.
    """

    def __init__(self, base: dict[str, Any], design: Design, seed: int, reps: int) -> None:
        self.base = {**base, "seed": seed, "replications": reps}
        self.design = design
        self.model = validate(self.base, "the sweep's base scenario")
        self.keys = [p.split(".")[0] for p in design.paths]
        self._memo: dict[tuple[str, tuple[str, ...]], Any] = {}

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

    def changed(self, i: int) -> dict[str, tuple[str, ...]]:
        """Each top-level key point ``i`` changes, with its parameters' values (as ``repr``:
        ``1`` and ``1.0`` are different values to a strict schema)."""
        out: dict[str, tuple[str, ...]] = {}
        for key, v in zip(self.keys, self.design.rows[i], strict=True):
            out[key] = (*out.get(key, ()), repr(v))
        return out

    def scenario(self, i: int, where: str) -> Scenario:
        updates = {}
        for key, values in self.changed(i).items():
            value = self._memo.get((key, values))
            if value is None:
                data = {key: self.base[key]}
                for p, v in zip(self.design.paths, self.design.rows[i], strict=True):
                    if p.split(".")[0] == key:
                        data = _copied_along(data, p)
                        set_path(data, p, v)
                value = validate_key(self.model, key, data[key], where)
                if len(self._memo) >= MEMO:
                    self._memo.clear()
                self._memo[(key, values)] = value
            updates[key] = value
        return self.model.model_copy(update=updates)


def check_points(
    source: Path, base: dict[str, Any], design: Design, seed: int, reps: int, check: bool
) -> Points:
    """Every point's scenario, each checked as a scenario file is (schema, then cross-checks)."""
    points = Points(base, design, seed, reps)
    problems: list[str] = []
    bad = 0
    seen: dict[object, list[Problem]] = {}
    for i, row in enumerate(design.rows):
        label = ", ".join(f"{p}={v!r}" for p, v in zip(design.paths, row, strict=True))
        where = f"{source}: design point {i} ({label})"
        try:
            scenario = points.scenario(i, where)
            found = check_changed(scenario, points.changed(i), seen) if check else []
            if found:
                raise ScenarioError(format_problems(where, found))
        except ScenarioError as e:
            msg = str(e)
            bad += 1
            if len(problems) < SHOWN_PROBLEMS:
                problems.append(msg if msg.startswith(where) else f"{where}: {msg}")
    if bad:
        more = f"\n(and {bad - len(problems)} more points)" if bad > len(problems) else ""
        raise ScenarioError("\n".join(problems) + more)
    return points
