"""Optimisation problem files: a base scenario, the decision variables, a budget, the
objectives and how hard to search (``coalsim optimise``).

```toml
name = "bohai_budget"                 # results/<name>/<time>/ (default: the file's stem)
base = "../baseline.toml"             # the reference plan, relative to this file
seed = 2019                           # replication streams (default: the base's)

[set]                                 # fixed changes to the base, as with --set
horizon_days = 180

[variables]                           # key path = range or choices
"patrols.bohai_strait_patrol.vessels" = { low = 0, high = 8 }    # a whole-number key: integers
"tips.reward_fixed_rmb" = { low = 0, high = 500000, step = 50000 }
"allocation.kind" = { choices = ["fixed", "proportional"] }

[budget]                              # one or both
vessels = 8                           # patrol vessels in all groups together
spend_rmb = 4.0e8                     # mean enforcement_spend_rmb of a plan

[[objectives]]                        # several: a Pareto front
metric = "tonnes_delivered"
goal = "minimise"                     # or "maximise"

[search]                              # every key has a default
trials = 100
```

The file is validated with pydantic like a scenario file; each mistake is one
``ScenarioError`` naming the file and the key. A budget no plan can meet (below
the cheapest plan the variables allow) is refused before anything runs.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from sim.experiment.sweepfile import value_at
from sim.metrics.registry import METRICS
from sim.scenario import load, resolve, validate
from sim.scenario.base import Name, Strict
from sim.scenario.errors import ScenarioError, did_you_mean
from sim.scenario.load import apply_set_table, read_toml, set_path
from sim.scenario.schema import Scenario

Choice = str | int | float | bool


class Variable(Strict):
    """A decision variable: a range (integers where the key is a whole number) or choices."""

    low: float | None = Field(default=None, description="smallest value")
    high: float | None = Field(default=None, description="largest value")
    step: float | None = Field(default=None, gt=0.0, description="grid step within the range")
    log: bool = Field(default=False, description="search the range on a log scale")
    choices: list[Choice] | None = Field(default=None, min_length=2, max_length=100)

    @model_validator(mode="after")
    def _range_or_choices(self) -> Variable:
        ranged = self.low is not None or self.high is not None
        if self.choices is not None and ranged:
            raise ValueError("give a range (low, high) or choices, not both")
        if self.choices is None and (self.low is None or self.high is None):
            raise ValueError("give low and high, or choices")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be less than high ({self.high:g})")
        if self.log and (self.low is None or self.low <= 0):
            raise ValueError("log needs low > 0")
        return self


class Objective(Strict):
    metric: str = Field(description="a metric of runs.csv")
    goal: Literal["minimise", "maximise"] = "minimise"

    @field_validator("metric")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in METRICS:
            raise ValueError(f"unknown metric {v!r}{did_you_mean(v, METRICS)}")
        return v


class Budget(Strict):
    vessels: int | None = Field(default=None, ge=0, le=100_000)
    spend_rmb: float | None = Field(default=None, gt=0.0, le=1e13)

    @model_validator(mode="after")
    def _some(self) -> Budget:
        if self.vessels is None and self.spend_rmb is None:
            raise ValueError("give vessels, spend_rmb or both")
        return self


class Search(Strict):
    trials: int = Field(default=100, ge=1, le=10_000, description="plans the search tries")
    batch: int = Field(default=8, ge=1, le=256, description="plans asked for at once")
    replications: int = Field(default=10, ge=2, le=10_000, description="per plan tried")
    finalists: int = Field(default=5, ge=1, le=50, description="leading plans re-evaluated")
    selection_replications: int = Field(default=20, ge=2, le=100_000)
    final_replications: int = Field(default=40, ge=2, le=100_000)
    sampler: Literal["tpe", "random"] = "tpe"
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)


class ProblemFile(Strict):
    name: Name | None = None
    description: str = Field(default="", max_length=4000)
    base: str = Field(min_length=1)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    set: dict[str, Any] = Field(default_factory=dict)
    variables: dict[str, Variable] = Field(min_length=1, max_length=32)
    budget: Budget
    objectives: list[Objective] = Field(min_length=1, max_length=4)
    search: Search = Field(default_factory=Search)


@dataclass(frozen=True)
class Problem:
    """A checked problem: the reference scenario's dump and each variable's kind."""

    source: Path
    text_sha: str
    name: str
    spec: ProblemFile
    base: dict[str, Any]
    integer: dict[str, bool]
    seed: int

    def scenario(self, params: dict[str, Any], where: str = "plan") -> Scenario:
        """The plan's scenario: the reference with the variables at ``params``."""
        data = copy.deepcopy(self.base)
        for path, value in params.items():
            set_path(data, path, value)
        return validate(data, f"{self.source}: {where}")

    def reference(self) -> dict[str, Any]:
        """The variables' values in the reference plan (the base with its [set])."""
        return {p: value_at(self.base, p) for p in self.spec.variables}


def load_problem(path: Path, trials: int | None = None) -> Problem:
    """Read and check a problem file; ``trials`` (``--trials``) replaces search.trials."""
    raw = read_toml(path)
    if isinstance(raw.get("design"), dict):
        raise ScenarioError(f"{path}: this is a sweep file; run it with `coalsim sweep`")
    try:
        spec = ProblemFile.model_validate(raw)
    except ValidationError as e:
        raise ScenarioError(_format(path, e)) from None
    if trials is not None:
        spec = spec.model_copy(update={"search": spec.search.model_copy(update={"trials": trials})})
    base = _base(path, spec)
    integer = {p: _check_variable(path, base, p, v) for p, v in spec.variables.items()}
    seed = spec.seed if spec.seed is not None else int(base["seed"])
    name = spec.name or path.stem
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    problem = Problem(path, sha, name, spec, {**base, "seed": seed}, integer, seed)
    check_feasible(problem)
    return problem


def _base(source: Path, spec: ProblemFile) -> dict[str, Any]:
    base_path = Path(spec.base) if Path(spec.base).is_absolute() else source.parent / spec.base
    try:
        dump = load(base_path).scenario.model_dump(mode="json")
    except ScenarioError as e:
        raise ScenarioError(f"{source}: base: {e}") from None
    if spec.set:
        apply_set_table(dump, spec.set, source)
        where = f"{source} with its [set] table"
        dump = resolve(validate(dump, where), where).scenario.model_dump(mode="json")
    return dump


def _check_variable(source: Path, base: dict[str, Any], path: str, v: Variable) -> bool:
    """The key exists and the schema takes every choice or both ends of the range; True
    for a whole-number key (searched over integers)."""
    key = f'variables."{path}"'
    try:
        current = value_at(base, path)
    except (KeyError, ValueError, IndexError, TypeError):
        current = None
    probe = copy.deepcopy(base)
    try:
        set_path(probe, path, current)
    except ScenarioError as e:
        raise ScenarioError(f"{source}: {key}: {e}") from None
    if isinstance(current, dict | list) or current is None:
        raise ScenarioError(f"{source}: {key}: names a table or list, not a single value")
    integer = isinstance(current, int) and not isinstance(current, bool)
    if v.choices is None:
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(
                f"{source}: {key}: a range needs a numeric key (its value is {current!r}); "
                "give choices"
            )
        assert v.low is not None and v.high is not None
        if integer and not (v.low.is_integer() and v.high.is_integer()):
            raise ScenarioError(f"{source}: {key}: the key is a whole number; give whole bounds")
        values: list[Any] = [int(v.low), int(v.high)] if integer else [v.low, v.high]
    else:
        values = list(v.choices)
    for value in values:
        set_path(probe, path, value)
        try:
            resolve(validate(probe, "scenario"), "scenario")
        except ScenarioError as e:
            msg = str(e).removeprefix("scenario: ")
            raise ScenarioError(f"{source}: {key}: {msg} at value {value!r}") from None
    return integer


def cheapest(problem: Problem) -> Scenario:
    """The plan with every patrol-size variable at its low end: the fewest vessels and the
    least patrol spend any plan can have."""
    low = {
        p: (int(v.low) if problem.integer[p] else v.low)
        for p, v in problem.spec.variables.items()
        if v.low is not None and p.endswith(".vessels")
    }
    return problem.scenario(low, "the cheapest plan")


def vessels(s: Scenario) -> int:
    return sum(p.vessels for p in s.patrols)


def patrol_floor_rmb(s: Scenario) -> float:
    """A lower bound on any replication's spend: every vessel in service the whole horizon
    at the cheaper of its group's two day rates (boardings, cases, rewards add to it)."""
    return sum(p.vessels * s.horizon_days * min(s.costs.rates(p.name)) for p in s.patrols)


def check_feasible(problem: Problem) -> None:
    """Refuse a budget below the cheapest plan, before anything runs."""
    low = cheapest(problem)
    b = problem.spec.budget
    if b.vessels is not None and vessels(low) > b.vessels:
        raise ScenarioError(
            f"{problem.source}: budget.vessels: {b.vessels} is below the cheapest plan, which "
            f"has {vessels(low)} patrol vessels (each variable's low end, the other groups as "
            "in the base); raise the budget or lower the variables' low ends"
        )
    floor = patrol_floor_rmb(low)
    if b.spend_rmb is not None and floor > b.spend_rmb:
        raise ScenarioError(
            f"{problem.source}: budget.spend_rmb: {b.spend_rmb:,.0f} RMB is below the cheapest "
            f"plan's patrols alone ({floor:,.0f} RMB: {vessels(low)} vessels x "
            f"{low.horizon_days:g} days at the [costs] day rates); raise the budget"
        )


def _format(source: Path, e: ValidationError) -> str:
    problems = [_describe(err) for err in e.errors()]
    head = problems[0] if len(problems) == 1 else None
    if head is not None:
        return f"{source}: {head[0]}: {head[1]}"
    lines = [f"{source}: {len(problems)} problems:"]
    return "\n".join(lines + [f"  {k}: {m}" for k, m in problems[:5]])


def _describe(err: Any) -> tuple[str, str]:
    loc = tuple(err["loc"])
    if loc and loc[-1] in ("function-after", "function-before"):
        loc = loc[:-1]
    key = ".".join(f'"{p}"' if "." in str(p) else str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = sorted(_fields(loc[:-1]))
        hint = did_you_mean(str(loc[-1]), allowed, lead="", tail=" ")
        return key, f"unknown key; {hint}allowed keys here: {', '.join(allowed)}"
    if err["type"] == "missing":
        return key, "required key is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
    return key, msg + shown


def _fields(loc: tuple[Any, ...]) -> set[str]:
    """Keys allowed at ``loc`` of a problem file (a variable's path and a list index are
    skipped: they name an entry, not a key)."""
    sections: dict[str, type[BaseModel]] = {
        "variables": Variable, "budget": Budget, "objectives": Objective, "search": Search,
    }  # fmt: skip
    model: type[BaseModel] = ProblemFile
    for part in loc:
        if model is ProblemFile and str(part) in sections:
            model = sections[str(part)]
        elif model is ProblemFile:
            return set()
    return set(model.model_fields)
