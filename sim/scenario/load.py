"""Reading scenario files and ``--set`` overrides into a validated scenario.

Every failure, whatever its cause (a missing file, bad TOML, a wrong type,
a route over land), leaves here as one ``ScenarioError`` whose message
names the file, the key path and what is allowed.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from sim.scenario import crosscheck, policy
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.schema import Scenario
from sim.world.network import Geography

SHOWN_PROBLEMS = 20
"""Problems listed in one message; the rest are counted (a generated file may have
millions)."""
MAX_BASES = 32
"""Longest chain of ``base`` files: deep enough for any real family of variants, short
enough that a chain (or a generated one) cannot exhaust the stack."""


@dataclass(frozen=True)
class Resolved:
    """A validated scenario together with its traced geography."""

    scenario: Scenario
    geography: Geography
    source: str

    @cached_property
    def schedule(self) -> tuple[tuple[float, Scenario], ...]:
        """Each policy entry's hour and the scenario in force from then on, in the order
        the entries take effect (by day, a day's entries as given): validated once, not
        in every replication."""
        out, current = [], self.scenario
        for entry in sorted(self.scenario.policy, key=lambda e: e.day):
            current = policy.apply(current, entry.set)
            out.append((entry.day * 24.0, current))
        return tuple(out)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every way that can fail into a ScenarioError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, expected a TOML file") from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read ({e.strerror})") from None
    except ValueError as e:  # e.g. an embedded NUL byte in the path
        raise ScenarioError(f"{path}: cannot read ({e})") from None
    try:
        # utf-8-sig: a byte-order mark (as some Windows editors write) is not an error.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    if not text.strip():
        raise ScenarioError(f"{path}: file is empty; expected TOML scenario keys")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: invalid TOML: {e}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError as e:  # an integer of more digits than Python converts (4,300)
        raise ScenarioError(f"{path}: invalid TOML: {e}") from None
    if not data:
        raise ScenarioError(f"{path}: holds no keys (only comments); expected scenario keys")
    return data


def load(path: str | Path, overrides: list[str] | None = None) -> Resolved:
    """Load, validate and resolve a scenario file with optional ``key.path=value`` overrides."""
    path = Path(path)
    scenario = read_scenario(path)
    label = str(path)
    if overrides:
        data = scenario.model_dump(mode="json")
        for item in overrides:
            apply_override(data, item)
        label = f"{path} with --set {' --set '.join(overrides)}"
        scenario = validate(data, label)
    return resolve(scenario, str(path), label)


def with_run_options(
    resolved: Resolved, replications: int | None = None, seed: int | None = None
) -> Resolved:
    """The scenario with the run command's ``--replications`` and ``--seed``: options of the
    run, kept apart from ``--set`` overrides in messages and the manifest."""
    given = {k: v for k, v in (("replications", replications), ("seed", seed)) if v is not None}
    if not given:
        return resolved
    label = " ".join(f"--{k} {v}" for k, v in given.items())
    scenario = validate(
        {**resolved.scenario.model_dump(mode="json"), **given}, f"{resolved.source} with {label}"
    )
    return dataclasses.replace(resolved, scenario=scenario)


def read_scenario(path: Path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """A scenario file, with its ``base`` file under it and its ``[set]`` overrides on top.

    ``base = "baseline.toml"`` (relative to the file) starts from another
    scenario: tables are merged key by key, lists (ports, patrols, ...) are
    replaced whole. ``[set]`` then changes single keys by path, as ``--set``
    does, so a variant can say "two more patrol vessels" in one line.
    """
    raw = read_toml(path)
    base = raw.pop("base", None)
    changes = raw.pop("set", None)
    if base is not None:
        if not isinstance(base, str):
            raise ScenarioError(f"{path}: base: expected a file name (got {base!r})")
        if len(_chain) >= MAX_BASES:
            raise ScenarioError(
                f"{path}: base: more than {MAX_BASES} base files in a chain; a scenario may "
                f"build on at most {MAX_BASES} others"
            )
        base_path = _resolved(path, path.parent / base)
        if base_path in _chain or base_path == _resolved(path, path):
            raise ScenarioError(f"{path}: base: {base!r} leads back to this file")
        if base_path.is_dir():
            raise ScenarioError(f"{path}: base: {base_path} is a directory, not a scenario file")
        if not base_path.is_file():
            raise ScenarioError(f"{path}: base: no scenario file {base_path}")
        if isinstance(read_toml(base_path).get("design"), dict):  # else blamed on the base
            raise ScenarioError(
                f"{path}: base: {base!r} is a sweep file (it has a [design] table), "
                "not a scenario; a base must be a scenario file"
            )
        under = read_scenario(base_path, (*_chain, _resolved(path, path))).model_dump(mode="json")
        raw = _merge(under, raw)
    scenario = validate(raw, str(path))
    if changes is None:
        return scenario
    if not isinstance(changes, dict) or not changes:
        raise ScenarioError(f"{path}: set: expected a table of key.path = value")
    data = scenario.model_dump(mode="json")
    apply_set_table(data, changes, path)
    return validate(data, f"{path} (after its [set] table)")


def _resolved(path: Path, target: Path) -> Path:
    """``target`` with its links followed; a link that leads in a circle is ``path``'s mistake."""
    try:
        return target.resolve()
    except (RuntimeError, OSError) as e:  # Python 3.11 raises RuntimeError on a symlink loop
        raise ScenarioError(f"{path}: base: cannot follow {target} ({e})") from None


def set_table_paths(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A ``[set]`` table as key path -> value. TOML reads an unquoted dotted key
    (``enforcement.fine_rmb = 5.0``) as a nested table; it means the same single key as
    the quoted ``"enforcement.fine_rmb"``, not a whole new ``enforcement`` section."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(set_table_paths(value, f"{path}."))
        else:
            out[path] = value
    return out


def apply_set_table(data: dict[str, Any], table: dict[str, Any], source: Path) -> None:
    """A file's ``[set]`` table (a scenario's or a sweep's) on a resolved dump, key by key;
    a mistake is named ``set.<key>`` in ``source``."""
    for key, value in set_table_paths(table).items():
        try:
            set_path(data, key, value)
        except ScenarioError as e:
            raise ScenarioError(f"{source}: set.{key}: {e}") from None


def _merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(under)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve(scenario: Scenario, source: str = "<scenario>", label: str | None = None) -> Resolved:
    """``label`` names the scenario in messages when it is more than its file (its --set)."""
    problems, geography = crosscheck.check(scenario)
    if problems or geography is None:
        raise ScenarioError(format_problems(label or source, problems))
    return Resolved(scenario, geography, source)


def validate(data: Any, source: str) -> Scenario:
    """Validate a parsed document against the schema."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: expected a table of scenario keys")
    if isinstance(data.get("design"), dict):
        raise ScenarioError(
            f"{source}: this is a sweep file (it has a [design] table), not a scenario; "
            "run it with `coalsim sweep`"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(
            format_problems(source, [_describe(err, data) for err in e.errors()])
        ) from None


def validate_key(scenario: Scenario, key: str, value: Any, source: str) -> Any:
    """``value`` for the top-level ``key`` of a valid ``scenario``, validated exactly as
    ``validate`` would validate it in the whole document: the schema's top-level keys are
    independent of one another, so the rest need not be validated again."""
    try:
        model = Scenario.__pydantic_validator__.validate_assignment(
            scenario.model_copy(), key, value
        )
    except ValidationError as e:
        raise ScenarioError(
            format_problems(source, [_describe(err, {key: value}) for err in e.errors()])
        ) from None
    return getattr(model, key)


def dumps(scenario: Scenario) -> str:
    """The fully resolved scenario as TOML; ``validate(tomllib.loads(dumps(s)))`` equals s."""
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))


def format_problems(source: str, problems: list[tuple[str, str]]) -> str:
    if len(problems) == 1:
        key, msg = problems[0]
        return f"{source}: {key}: {msg}"
    lines = [f"{source}: {len(problems)} problems:"]
    lines += [f"  {key}: {msg}" for key, msg in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - SHOWN_PROBLEMS:,} more")
    return "\n".join(lines)


def _keypath(loc: tuple[int | str, ...], data: Any = None) -> str:
    """The key path as the user writes it: a named list entry by its name, as ``--set``
    takes it (``patrols.jiangsu_patrol.vessels``), others by index (``policy[0].day``)."""
    out, node = "", data
    for part in loc:
        listed = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        entry = node[part] if listed else None
        if isinstance(part, str):
            node = node.get(part) if isinstance(node, dict) else None
            out += f".{part}" if out else part
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            node, out = entry, f"{out}.{entry['name']}"
        else:
            node, out = entry, f"{out}[{part}]"
    return out or "(top level)"


def _describe(err: Any, data: Any = None) -> tuple[str, str]:
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        allowed = sorted(_fields_at(parent))
        hint = did_you_mean(key, allowed, lead="", tail=" ")
        return _keypath(loc, data), f"unknown key; {hint}allowed keys here: {', '.join(allowed)}"
    value = err.get("input")
    shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)  # as in TOML
    if len(shown) >= 60:
        shown = "..." if isinstance(value, dict | list) else shown[:56] + "..."
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        msg = "expected a table of keys"  # not pydantic's class name
    elif err["type"] == "list_type":
        msg = "expected a list"
        if isinstance(value, str):  # most likely a --set value: TOML's brackets were left out
            msg += ', written as in TOML: ["a", "b"]'
    elif err["type"] in ("bool_type", "bool_parsing") and isinstance(value, str):
        msg = "expected true or false (TOML's booleans: lowercase, unquoted)"
    elif err["type"] == "string_pattern_mismatch":  # a Name: it may become a folder's name
        msg = "expected letters, digits, spaces or _ . - #, starting with a letter, a digit or _"
    if err["type"] == "missing":
        return _keypath(loc, data), "required key is missing"
    return _keypath(loc, data), f"{msg} (got {shown})"


def _fields_at(loc: tuple[int | str, ...]) -> set[str]:
    """Field names of the model found at ``loc`` (list indices skipped)."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return set()
        sub = _model_in(field.annotation)
        if sub is None:
            return set()
        model = sub
    return set(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def parse_value(text: str) -> Any:
    """A ``--set`` value read as a TOML value (numbers, booleans, arrays), else a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):  # ValueError: 4,300+ digits
        return text


def apply_override(data: dict[str, Any], item: str) -> None:
    """Set ``key.path=value`` in a resolved scenario dump, the value read as TOML.

    List entries are addressed by index (``sellers.0.vessels``) or by their
    ``name`` (``patrols.bohai_strait_patrol.vessels``).
    """
    if "=" not in item:
        raise ScenarioError(f"--set {item!r}: expected key.path=value")
    path, _, text = item.partition("=")
    try:
        set_path(data, path.strip(), parse_value(text))
    except ScenarioError as e:
        raise ScenarioError(f"--set {item!r}: {e}") from None


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the key at ``path`` in a resolved scenario dump to an already parsed value.

    The one walk behind ``--set``, a scenario's ``[set]`` table, policy entries
    and sweep points, so all of them address keys and fail alike.
    """
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise ScenarioError("empty key path")
    node: Any = data
    walked: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            idx = _list_index(node, part, ".".join(walked))
            if last:
                node[idx] = value
                return
            node = node[idx]
        elif isinstance(node, dict):
            if part not in node and not last:
                allowed = sorted(node) or sorted(_fields_at(tuple(walked)))
                hint = did_you_mean(part, allowed)
                where = ".".join(walked) or "the top level"
                raise ScenarioError(f"no key {part!r} in {where}{hint}")
            if last:
                node[part] = value
                return
            node = node[part]
        else:
            raise ScenarioError(f"{'.'.join(walked)} is a single value, not a table")
        walked.append(part)


def _list_index(node: list[Any], part: str, where: str) -> int:
    if part.isdigit():
        idx = int(part)
        if idx >= len(node):
            raise ScenarioError(f"{where} has {len(node)} entries, no [{idx}]")
        return idx
    names = [e.get("name") for e in node if isinstance(e, dict)]
    if part in names:
        return names.index(part)
    hint = did_you_mean(part, [str(n) for n in names])
    raise ScenarioError(f"no entry named {part!r} in {where}{hint}")
