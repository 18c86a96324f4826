"""The inputs two compared runs differ in: their resolved scenarios, key path by key path.

Each run's manifest holds its fully resolved scenario (every default filled in), so the
difference is exact whatever files and ``--set`` options made the runs. Key paths are
written as ``--set`` takes them: a list entry with a name by its name
(``patrols.jiangsu_patrol.vessels``), others by index. An entry only one run has is one
line, not one per key inside it. The names and descriptions are left out: they label a
run and change nothing in it.
"""

from __future__ import annotations

import json
from typing import Any

IGNORED = ("name", "description")
ENTRY = object()
"""Marks a named list entry in a flattened scenario, so an entry one run lacks is one line."""


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
        return
    named = (
        isinstance(node, list)
        and node
        and all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in node)
        and len({e["name"] for e in node}) == len(node)
    )
    if named:
        for e in node:
            key = f"{prefix}.{e['name']}"
            out[key] = ENTRY
            _flatten({k: v for k, v in e.items() if k != "name"}, key, out)
        return
    if isinstance(node, list) and any(isinstance(e, dict | list) for e in node):
        for i, e in enumerate(node):
            _flatten(e, f"{prefix}.{i}", out)
        return
    out[prefix] = node


def flatten(scenario: dict[str, Any]) -> dict[str, Any]:
    """Every leaf of a resolved scenario by its key path (and a marker per named entry)."""
    out: dict[str, Any] = {}
    _flatten({k: v for k, v in scenario.items() if k not in IGNORED}, "", out)
    return out


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(", ", " = "))


def differing(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key path, A's value, B's value) for every input the two scenarios differ in, in the
    order the keys come in A, then B's own; '(none)' where a run lacks the key."""
    fa, fb = flatten(a), flatten(b)
    for mine, theirs in ((fa, fb), (fb, fa)):  # [] against entries: the entries say it all
        for key in [k for k, v in mine.items() if v == [] and k not in theirs]:
            if any(k.startswith(key + ".") for k in theirs):
                del mine[key]
    out: list[tuple[str, str, str]] = []
    skip: list[str] = []  # entries only one side has: their keys are not listed one by one
    for key in [*fa, *(k for k in fb if k not in fa)]:
        if any(key.startswith(s + ".") for s in skip):
            continue
        va, vb = fa.get(key, None), fb.get(key, None)
        if key in fa and key in fb and va == vb:
            continue
        if va is ENTRY or vb is ENTRY:
            if va is ENTRY and vb is ENTRY:
                continue
            skip.append(key)
            out.append(
                (key, "(entry)" if key in fa else "(none)", "(entry)" if key in fb else "(none)")
            )
            continue
        out.append(
            (key, _text(va) if key in fa else "(none)", _text(vb) if key in fb else "(none)")
        )
    return out


def lines(diffs: list[tuple[str, str, str]], most: int | None = None) -> list[str]:
    """'inputs that differ (A -> B):' and one line each (the first ``most`` of them)."""
    if not diffs:
        return ["inputs: the two runs' scenarios are the same (names and descriptions aside)"]
    shown = diffs if most is None else diffs[:most]
    out = [f"inputs that differ ({len(diffs)}), A -> B:"]
    out += [f"  {k}: {a} -> {b}" for k, a, b in shown]
    if len(shown) < len(diffs):
        out.append(f"  ... and {len(diffs) - len(shown)} more (compare.txt, inputs.csv)")
    return out
