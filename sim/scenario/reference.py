"""The scenario key reference, generated from the schema so it cannot drift.

``python -m sim.scenario.reference`` prints docs/scenario.md; a test checks
that the committed file equals this output and that every key documents
its meaning.
"""

from __future__ import annotations

import json
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario.load import _model_in
from sim.scenario.schema import Scenario


def _range(f: FieldInfo) -> str:
    parts = []
    for m in f.metadata:
        for kind, attr, sym in (
            (Ge, "ge", ">="),
            (Gt, "gt", ">"),
            (Le, "le", "<="),
            (Lt, "lt", "<"),
        ):
            if isinstance(m, kind):
                bound = getattr(m, attr)
                parts.append(f"{sym} {bound:g}" if isinstance(bound, float) else f"{sym} {bound}")
        if isinstance(m, MinLen):
            if f.annotation is str:
                parts.append("non-empty")
            else:
                parts.append(f"at least {m.min_length}")
        if isinstance(m, MaxLen) and f.annotation is not str:
            parts.append(f"at most {m.max_length}")
    args = getattr(f.annotation, "__args__", ())
    if args and getattr(args[0], "__origin__", None) is Literal:
        args = args[0].__args__  # list of a Literal: show the allowed strings
    literal = [a for a in args if isinstance(a, str)]
    if literal:
        parts.append(" / ".join(f"`{a}`" for a in literal))
    return ", ".join(parts)


def _default(f: FieldInfo) -> str:
    if f.default is PydanticUndefined and f.default_factory is None:
        return "required"
    if f.default_factory is not None:
        if _model_in(f.annotation):
            return "see below"
        return f"`{json.dumps(f.default_factory())}`"  # type: ignore[call-arg]
    if f.default is None:
        return "unset"
    return f"`{json.dumps(f.default)}`"


def _type(annotation: Any) -> str:
    args = get_args(annotation)
    if type(None) in args:  # X | None
        inner = next(a for a in args if a is not type(None))
        return _type(inner) + " (optional)"
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        return " or ".join(dict.fromkeys(_type(a) for a in args))
    if origin is Annotated:
        return _type(args[0])
    if origin is list:
        item = _type(args[0])
        return "list of [lon, lat]" if item == "tuple" else f"list of {item}s"
    if origin is Literal or annotation is str:
        return "string"
    if origin is tuple:
        return "tuple"
    if origin is dict:
        return f"table of {_type(args[0])} = {_type(args[1])}"
    return {float: "number", int: "integer", bool: "boolean"}.get(annotation, str(annotation))


def rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, f in model.model_fields.items():
        sub = _model_in(f.annotation)
        is_list = getattr(f.annotation, "__origin__", None) is list
        key = f"{prefix}{name}" + ("[]" if is_list and sub else "")
        doc = f.description
        if not doc and sub is not None:
            doc = (sub.__doc__ or "").strip().splitlines()[0]
        out.append(
            (key, _type(f.annotation) if not sub else "table", _default(f), _range(f), doc or "")
        )
        if sub is not None:
            out.extend(rows(sub, f"{key}."))
    return out


def markdown() -> str:
    lines = [
        "# Scenario keys",
        "",
        "Generated from the schema by `python -m sim.scenario.reference`; do not edit by hand.",
        "Units are in the key names. Leaving out `ports`, `waypoints`, `routes`, `zones`,",
        "`patrols`, `sellers` or `buyers` gives the built-in Yellow Sea world",
        "(`sim/world/defaults.py`; the shipped period worlds spell out their own). Override any",
        "key on the command line with `--set key.path=value`; list entries are addressed by",
        "index or by name (`--set patrols.jiangsu_patrol.vessels=4`).",
        "",
        'Two more keys are read from a file, not from the schema: `base = "file.toml"`',
        "starts from another scenario file (relative to this one; tables merge key by key,",
        "a list given here replaces the base's whole list), and a `[set]` table of key",
        "paths changes single keys after the merge, as `--set` does. A chain of `base`",
        "files is at most 32 long.",
        "",
        "Durations, intervals and speeds have physical lower bounds, so that no valid",
        "scenario makes a replication run away: a patrol's `endurance_hours` at least 1,",
        "a ship's and a patrol's speeds at least 1 knot, a seller's `retry_hours` at least",
        "1 and `lot_interval_days` at least 0.1, `adaptation.check_hours` at least 1,",
        "`allocation.review_days` and `window_days` at least 1, every `memory_days` and",
        "`displacement.window_days` at least 1, `tips.max_intercept_hours` at least 0.1.",
        "Behind them, `max_events` stops a replication that still runs away, with an error",
        "naming the mechanism behind most of its events.",
        "",
        "| key | type | default | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    for key, typ, default, allowed, doc in rows():
        cell = typ.replace("|", "\\|")
        lines.append(f"| `{key}` | {cell} | {default} | {allowed} | {doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
