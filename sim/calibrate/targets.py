"""Reading a targets file: the schema, then every name it uses checked against the world.

Each mistake is one ``ScenarioError`` naming the file and the key, as for a
scenario file: an unknown metric, a parameter path the world does not
have (or a value at either end of its prior the schema refuses), an empty
prior range, a window outside the world's horizon.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.calibrate.schema import Parameter, Target, TargetsFile
from sim.metrics.registry import METRICS, definition
from sim.metrics.units import COUNT, KT, MILLION_RMB, THOUSAND_HOURS
from sim.scenario import load, resolve, validate
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.load import apply_set_table, format_problems, read_toml, set_path

TOTAL_UNITS = (COUNT, KT, MILLION_RMB, THOUSAND_HOURS)


@dataclass(frozen=True)
class Targets:
    """A checked targets file and the world it calibrates."""

    source: Path
    spec: TargetsFile
    base_path: Path
    base: dict[str, Any]  # the resolved base scenario (JSON dump), with the fit's seed
    seed: int
    horizon_days: float
    integer: tuple[bool, ...]  # per parameter: the key takes whole numbers

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def parameters(self) -> list[Parameter]:
        return self.spec.parameters

    @property
    def targets(self) -> list[Target]:
        return self.spec.targets

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.spec.parameters]

    def scale(self, i: int) -> float:
        """What target ``i``'s simulated metric is multiplied by to cover its window: the
        window's share of the run for a total (a steady rate is assumed), else 1."""
        t = self.spec.targets[i]
        if not is_total(t):
            return 1.0
        start, end = t.window_days or (0.0, self.horizon_days)
        return (end - start) / self.horizon_days

    def fingerprint(self) -> str:
        """What must be the same for a resumed calibration to end with the same posterior."""
        text = json.dumps(
            {"spec": self.spec.model_dump(mode="json"), "base": self.base}, sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_total(t: Target) -> bool:
    """Counts, tonnes, money and hours accumulate over the run; shares, means and stocks at
    the end (``*_end``) do not."""
    if t.total is not None:
        return t.total
    return definition(t.metric).unit in TOTAL_UNITS and not t.metric.endswith("_end")


def load_targets(path: str | Path, seed: int | None = None, budget: int | None = None) -> Targets:
    """Read and check a targets file; ``seed`` and ``budget`` (the command's ``--seed`` and
    ``--budget``) override the file's."""
    source = Path(path)
    raw = read_toml(source)
    if budget is not None:
        raw = {**raw, "budget": budget}
    spec = _validated(source, raw)
    base_path = Path(spec.base) if Path(spec.base).is_absolute() else source.parent / spec.base
    try:
        scenario = load(base_path).scenario
    except ScenarioError as e:
        raise ScenarioError(f"{source}: base: {e}") from None
    if spec.set:
        dump = scenario.model_dump(mode="json")
        apply_set_table(dump, spec.set, source)
        scenario = resolve(validate(dump, f"{source} with its [set] table")).scenario
    seed = seed if seed is not None else spec.seed if spec.seed is not None else scenario.seed
    base = {**scenario.model_dump(mode="json"), "seed": seed, "replications": 1}
    for i, t in enumerate(spec.targets):
        _check_target(source, i, t, scenario.horizon_days)
    integer = tuple(_check_parameter(source, i, p, base) for i, p in enumerate(spec.parameters))
    seen: dict[str, int] = {}
    for i, p in enumerate(spec.parameters):
        if p.path in seen:
            raise ScenarioError(
                f"{source}: parameters[{i}].path: {p.path!r} is already parameters[{seen[p.path]}]"
            )
        seen[p.path] = i
    return Targets(source, spec, base_path, base, seed, scenario.horizon_days, integer)


def _validated(source: Path, raw: dict[str, Any]) -> TargetsFile:
    try:
        return TargetsFile.model_validate(raw)
    except ValidationError as e:
        problems = [_describe(err) for err in e.errors()]
        raise ScenarioError(format_problems(str(source), problems)) from None


def _keypath(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _fields(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed in the table at ``loc`` of a targets file."""
    model: type[BaseModel] = TargetsFile
    named = [p for p in loc if isinstance(p, str)]
    if named[:1] == ["targets"]:
        model = Target
    elif named[:1] == ["parameters"]:
        model = Parameter
    return sorted(model.model_fields)


def _describe(err: Any) -> tuple[str, str]:
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        allowed = _fields(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed, lead="", tail=" ")
        return _keypath(loc), f"unknown key; {hint}allowed keys here: {', '.join(allowed)}"
    if err["type"] == "missing":
        return _keypath(loc), "required key is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = "expected a table of keys"
    value = err.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    return _keypath(loc), msg + shown


def _check_target(source: Path, i: int, t: Target, horizon: float) -> None:
    if t.metric not in METRICS:
        hint = did_you_mean(t.metric, METRICS, lead=" (", tail=")")
        raise ScenarioError(
            f"{source}: targets[{i}].metric: unknown metric {t.metric!r}{hint}; "
            "the metrics are listed in docs/metrics.md"
        )
    if t.window_days is not None:
        start, end = t.window_days
        if not 0 <= start < end <= horizon:
            raise ScenarioError(
                f"{source}: targets[{i}].window_days: [{start:g}, {end:g}] is not a window "
                f"of the world's run: expected 0 <= start < end <= {horizon:g} "
                "(its horizon_days)"
            )


def _check_parameter(source: Path, i: int, p: Parameter, base: dict[str, Any]) -> bool:
    """The path names a single number of the world, and both ends of the prior are valid
    values of it; returns whether it takes whole numbers."""
    key = f"{source}: parameters[{i}].path"
    probe = copy.deepcopy(base)
    try:
        set_path(probe, p.path, p.low)
    except ScenarioError as e:
        raise ScenarioError(f"{key}: {p.path!r}: {e}") from None
    current = _get(base, p.path)
    if isinstance(current, bool) or not isinstance(current, int | float):
        what = "does not exist" if current is None else f"is not a number (it is {current!r})"
        raise ScenarioError(f"{key}: {p.path!r} {what} in the world; give a numeric key")
    integer = isinstance(current, int)
    for end, v in (("low", p.low), ("high", p.high)):
        set_path(probe, p.path, round(v) if integer else float(v))
        try:
            validate(probe, "world")
        except ScenarioError as e:
            msg = str(e).removeprefix("world: ")
            raise ScenarioError(
                f"{source}: parameters[{i}].{end}: {v:g} is not a valid {p.path}: {msg}"
            ) from None
    return integer


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            names = [e.get("name") for e in node if isinstance(e, dict)]
            if part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif part in names:
                node = node[names.index(part)]
            else:
                return None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node
