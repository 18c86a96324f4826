"""Sweep files: a base scenario, replications, outputs and a design over scenario key paths.

```toml
name = "patrols_x_fines"            # results/<name>/<time>/ (default: the file's stem)
base = "../baseline.toml"           # base scenario, relative to this file
replications = 20                   # per point (default: the base scenario's)
seed = 2019                         # replication streams (default: the base scenario's)
reference = { "patrols.bohai_strait_patrol.vessels" = 2 }  # effects.csv: every point minus this one
outputs = ["tonnes_delivered"]      # metrics of interest (default: the headline metrics)

[set]                               # fixed changes to the base, as with --set
horizon_days = 180
"tips.reward_rule" = "fixed"

[design]
kind = "grid"                       # grid | oat | lhs | sobol | morris
samples = 64                        # lhs, sobol (a power of two), morris (trajectories)
levels = 4                          # morris grid levels (even)
second_order = false                # sobol second-order indices
seed = 1                            # design sampling (default: the sweep seed)

[design.parameters]
"patrols.bohai_strait_patrol.vessels" = [0, 2, 4]      # grid, oat: a list of values
"enforcement.fine_rmb" = { low = 0, high = 4.8e6 }     # lhs, sobol, morris: a range
"contract.resale_multiplier" = { low = 2, high = 3, steps = 5 }  # grid, oat: an even range
```

Everything is checked before anything runs: the file's keys and types,
every key path (through the same code as ``--set``) and every design
point's scenario (the full schema and cross-section checks). Each mistake
is one ``ScenarioError`` naming the file and the key.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from sim.experiment.design import DESIGNS, SAMPLED, Design, Parameter, build, count
from sim.experiment.effects import reference_point
from sim.experiment.points import check_points as _points
from sim.scenario import load, resolve, validate
from sim.scenario.base import NAME_PATTERN
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.load import (
    apply_override,
    apply_set_table,
    read_toml,
    set_path,
    set_table_paths,
)

TOP_KEYS = (
    "base", "description", "design", "name", "outputs", "reference", "replications", "seed", "set",
)  # fmt: skip
DESIGN_KEYS = ("kind", "levels", "parameters", "samples", "second_order", "seed")
RANGE_KEYS = ("high", "low", "steps")
RESERVED = {"seed": "the sweep's `seed`", "replications": "the sweep's `replications`"}
MAX_POINTS = 100_000


@dataclass(frozen=True)
class Sweep:
    """A sweep file, checked and expanded: every point's scenario is valid."""

    source: Path
    name: str
    description: str
    base_path: Path
    base_scenario: dict[str, Any]  # the resolved base, with the sweep's seed and replications
    replications: int
    seed: int
    outputs: tuple[str, ...]
    fixed: tuple[str, ...]
    design: Design
    point_json: Sequence[str]  # what the evaluation function receives for each point
    reference: int = 0  # the point paired effects are taken from (``sim.experiment.effects``)

    @property
    def points(self) -> int:
        return len(self.design.rows)


def _fail(source: Path, key: str, msg: str) -> ScenarioError:
    return ScenarioError(f"{source}: {key}: {msg}")


def _unknown(source: Path, where: str, keys: Sequence[str], allowed: Sequence[str]) -> None:
    for k in keys:
        if k not in allowed:
            hint = did_you_mean(k, allowed, lead="", tail=" ")
            key = f"{where}.{k}" if where else k
            raise _fail(source, key, f"unknown key; {hint}allowed keys here: {', '.join(allowed)}")


def _int(source: Path, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, key, f"expected a whole number (got {value!r})")
    if not low <= value <= high:
        raise _fail(source, key, f"must be from {low} to {high} (got {value})")
    return value


def _number(source: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(source, key, f"expected a finite number (got {value!r})")
    return float(value)


def _parameter(source: Path, kind: str, path: str, spec: Any) -> Parameter:
    key = f'design.parameters."{path}"'
    if path in RESERVED:
        raise _fail(source, key, f"cannot be swept; it is set by {RESERVED[path]}")
    if isinstance(spec, list):
        if kind in SAMPLED:
            raise _fail(source, key, f"a {kind} design needs a range {{ low = ..., high = ... }}")
        if not spec:
            raise _fail(source, key, "empty list; give at least one value")
        for v in spec:
            if isinstance(v, dict | list):
                raise _fail(source, key, f"values must be single values (got {v!r})")
        return Parameter(path, values=tuple(spec))
    if not isinstance(spec, dict):
        raise _fail(source, key, f"expected a list of values or a range table (got {spec!r})")
    _unknown(source, key, list(spec), RANGE_KEYS)
    for bound in ("low", "high"):
        if bound not in spec:
            raise _fail(source, key, f"a range needs both low and high (missing {bound})")
    low = _number(source, f"{key}.low", spec["low"])
    high = _number(source, f"{key}.high", spec["high"])
    if not low < high:
        raise _fail(source, key, f"low ({spec['low']}) must be less than high ({spec['high']})")
    steps = None
    if kind in SAMPLED:
        if "steps" in spec:
            raise _fail(source, f"{key}.steps", f"not used by a {kind} design")
    else:
        if "steps" not in spec:
            raise _fail(source, key, f"a range in a {kind} design needs steps (how many values)")
        steps = _int(source, f"{key}.steps", spec["steps"], 2, 1000)
    return Parameter(path, low=low, high=high, steps=steps)


def _toml_value(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _apply(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a key path exactly as ``--set path=value`` would (same addressing, same errors)."""
    set_path(data, path, value)


def value_at(data: Any, path: str) -> Any:
    """The value at a key path that ``_apply`` (or a problem file's check) has accepted."""
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            names = [e.get("name") for e in node if isinstance(e, dict)]
            node = node[int(part)] if part.isdigit() else node[names.index(part)]
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


def _check_path(source: Path, base: dict[str, Any], p: Parameter) -> Parameter:
    """The key path exists and takes the parameter's first value; note integer parameters."""
    key = f'design.parameters."{p.path}"'
    probe = copy.deepcopy(base)
    try:
        _apply(probe, p.path, p.values[0] if p.values is not None else p.low)
    except ScenarioError as e:
        raise _fail(source, key, str(e)) from None
    value = value_at(base, p.path)
    if isinstance(value, dict | list):
        raise _fail(source, key, "names a table or list, not a single value")
    integer = isinstance(value, int) and not isinstance(value, bool)
    for v in p.values if p.values is not None else (p.low, p.high):
        if integer and p.values is None and isinstance(v, float) and v.is_integer():
            v = int(v)  # a range's bound as the sampled values will be applied: rounded
        _apply(probe, p.path, v)
        try:
            validate(probe, "scenario")
        except ScenarioError as e:
            msg = str(e).removeprefix("scenario: ")
            raise _fail(source, key, f"{msg} at value {v!r}" if "\n" not in msg else msg) from None
    if p.values is None and not integer and not isinstance(value, float):
        raise _fail(source, key, f"a range needs a numeric key (its base value is {value!r})")
    return Parameter(p.path, p.values, p.low, p.high, p.steps, integer and p.values is None)


def load_sweep(
    path: str | Path,
    metrics: Sequence[str],
    headline: Sequence[str],
    *,
    overrides: Sequence[str] = (),
    replications: int | None = None,
    check_points: bool = True,
) -> Sweep:
    """Read, check and expand a sweep file; ``overrides`` and ``replications`` come from the CLI.

    Every key path is checked at each listed value or at both ends of its
    range; then (unless ``check_points`` is false, for quick looks at big
    designs) every point's whole scenario, cross-checks included.
    """
    source = Path(path)
    raw = read_toml(source)
    if "design" not in raw and set(raw) - set(TOP_KEYS):
        raise _fail(
            source,
            "design",
            "missing: a sweep file has a [design] table; this looks like a scenario file "
            "(run it with `coalsim run`)",
        )
    _unknown(source, "", sorted(raw), TOP_KEYS)
    table = raw.get("set", {})
    if not isinstance(table, dict):
        raise _fail(source, "set", "expected a table of key.path = value")
    base_path, dump = _base(source, raw, table, overrides)
    reps = replications
    if reps is None:
        reps = _int(source, "replications", raw.get("replications", dump["replications"]), 1, 10**5)
    seed = _int(source, "seed", raw.get("seed", dump["seed"]), 0, 2**63 - 1)
    outputs = _outputs(source, raw, metrics, headline)
    name, description = _name(source, raw)
    design = _design(source, raw, dump, seed, list(set_table_paths(table)), overrides)
    points = _points(source, dump, design, seed, reps, check_points)
    resolved_base = {**dump, "seed": seed, "replications": reps}
    fixed = [f"{k}={_toml_value(v)}" for k, v in set_table_paths(table).items()]
    base_values = [value_at(dump, p) for p in design.paths]
    reference = reference_point(source, raw.get("reference"), design, base_values)
    return Sweep(
        source, name, description, base_path, resolved_base, reps, seed, tuple(outputs),
        (*fixed, *overrides), design, points, reference,
    )  # fmt: skip


def _base(
    source: Path, raw: dict[str, Any], table: dict[str, Any], overrides: Sequence[str]
) -> tuple[Path, dict[str, Any]]:
    """The base scenario's file and its resolved dump, with the ``[set]`` table and
    ``--set`` applied (their mistakes named where they were made)."""
    if "base" not in raw or not isinstance(raw["base"], str) or not raw["base"]:
        raise _fail(source, "base", "required: the base scenario file, relative to this file")
    base_path = (source.parent / raw["base"]) if not Path(raw["base"]).is_absolute() else None
    base_path = base_path or Path(raw["base"])
    try:
        dump = load(base_path).scenario.model_dump(mode="json")
    except ScenarioError as e:
        raise _fail(source, "base", str(e)) from None
    apply_set_table(dump, table, source)
    for item in overrides:
        apply_override(dump, item)
    if table or overrides:
        said = [*(["its [set] table"] if table else []), *(f"--set {o}" for o in overrides)]
        where = f"{source} with {' and '.join(said)}"
        dump = resolve(validate(dump, where), where).scenario.model_dump(mode="json")
    return base_path, dump


def _outputs(
    source: Path, raw: dict[str, Any], metrics: Sequence[str], headline: Sequence[str]
) -> list[str]:
    outputs = raw.get("outputs", list(headline))
    if not isinstance(outputs, list) or not outputs:
        raise _fail(source, "outputs", "expected a non-empty list of metric names")
    for m in outputs:
        if m not in metrics:
            hint = did_you_mean(str(m), metrics, lead="", tail=" ")
            known = ", ".join(metrics)
            raise _fail(source, "outputs", f"unknown metric {m!r}; {hint}known: {known}")
    return outputs


def _name(source: Path, raw: dict[str, Any]) -> tuple[str, str]:
    name = raw.get("name", source.stem)
    description = raw.get("description", "")
    if not isinstance(name, str) or len(name) > 80 or not re.fullmatch(NAME_PATTERN, name):
        raise _fail(
            source,
            "name",
            "expected 1 to 80 letters, digits, spaces or _ . - #, starting with a letter, "
            f"a digit or _ (it names the results folder; got {name!r}"
            + (", from the file's name)" if "name" not in raw else ")"),
        )
    if not isinstance(description, str):
        raise _fail(source, "description", f"expected text (got {description!r})")
    return name, description


def _design(
    source: Path,
    raw: dict[str, Any],
    dump: dict[str, Any],
    seed: int,
    table_keys: list[str],
    overrides: Sequence[str],
) -> Design:
    """The ``[design]`` table checked, its size counted before any point is made, built."""
    d = raw.get("design")
    if not isinstance(d, dict):
        raise _fail(source, "design", "required: a [design] table with kind and parameters")
    _unknown(source, "design", sorted(d), DESIGN_KEYS)
    kind = d.get("kind")
    if kind not in DESIGNS:
        choose = ", ".join(DESIGNS)
        raise _fail(source, "design.kind", f"unknown design {kind!r}; choose one of {choose}")
    params = d.get("parameters")
    if not isinstance(params, dict) or not params:
        raise _fail(source, "design.parameters", "required: a table of key path = values or range")
    parameters = tuple(
        _check_path(source, dump, _parameter(source, kind, str(k), v)) for k, v in params.items()
    )
    _refuse_fixed_parameters(source, dump, parameters, table_keys, overrides)
    samples = _samples(source, kind, d)
    levels = _int(source, "design.levels", d.get("levels", 4), 2, 100)
    if kind == "morris" and levels % 2:  # SALib's trajectories are biased on an odd grid
        raise _fail(source, "design.levels", f"must be even for morris (got {levels})")
    second = d.get("second_order", False)
    if not isinstance(second, bool):
        raise _fail(source, "design.second_order", f"expected true or false (got {second!r})")
    dseed = _int(source, "design.seed", d.get("seed", seed), 0, 2**63 - 1)
    n_points = count(kind, parameters, samples, second)
    if n_points > MAX_POINTS:
        raise _fail(source, "design", f"{n_points:,} points; at most {MAX_POINTS:,}")
    base_values = tuple(value_at(dump, p.path) for p in parameters)
    return build(
        kind, parameters, base_values, samples=samples, levels=levels, second_order=second,
        seed=dseed,
    )  # fmt: skip


def _samples(source: Path, kind: str, d: dict[str, Any]) -> int:
    samples = 0
    if kind in SAMPLED:
        if "samples" not in d:
            raise _fail(source, "design.samples", f"required for a {kind} design")
        least = 1 if kind == "lhs" else 2
        samples = _int(source, "design.samples", d["samples"], least, MAX_POINTS)
        if kind == "sobol" and samples & (samples - 1):
            msg = f"must be a power of two for sobol (got {samples})"
            raise _fail(source, "design.samples", msg)
    for k in ("samples", "levels", "second_order"):
        if k in d and not _used(kind, k):
            raise _fail(source, f"design.{k}", f"not used by a {kind} design")
    return samples


def _refuse_fixed_parameters(
    source: Path,
    dump: dict[str, Any],
    parameters: tuple[Parameter, ...],
    table_keys: list[str],
    overrides: Sequence[str],
) -> None:
    """A key both fixed (``[set]``, ``--set``) and swept would be swept: the fixed value
    would be dropped without a word, so it is an error. Whether two paths name the same
    key (by index or by name) is asked of ``set_path`` itself."""
    fixed = [(f"[set] {k}", k) for k in table_keys]
    fixed += [(f"--set {o}", o.partition("=")[0].strip()) for o in overrides]
    for p in parameters:
        for said, key in fixed:
            probe = copy.deepcopy(dump)
            swept, kept = object(), object()
            set_path(probe, p.path, swept)
            set_path(probe, key, kept)
            try:
                now = value_at(probe, p.path)
            except (ValueError, IndexError):  # the fixed key renamed the swept path's entry
                continue
            if now is kept:
                raise _fail(
                    source,
                    f'design.parameters."{p.path}"',
                    f"{said} fixes a key this sweep varies; drop one of the two",
                )


def _used(kind: str, key: str) -> bool:
    used = {"samples": kind in SAMPLED, "levels": kind == "morris", "second_order": kind == "sobol"}
    return used[key]
