"""Experimental designs: which parameter values each sweep point gets.

A design is a table, one row per point and one column per parameter (a
scenario key path). It is built from the parameters alone and a seed, so
the same sweep file always gives the same points, and a resumed sweep
can rebuild its design and check it against the one it started with.

- ``grid``: the cartesian product of the listed values (last parameter fastest).
- ``oat``: one at a time: point 0 is the base, then each listed value of each
  parameter with every other parameter at its base value.
- ``lhs``: Latin hypercube: ``samples`` points, each parameter's range cut
  into ``samples`` equal strata with exactly one point in each.
- ``sobol``: Saltelli's extension of a scrambled Sobol' sequence (SALib),
  ``samples`` x (D + 2) points, or x (2D + 2) with second-order indices.
- ``morris``: ``samples`` Morris trajectories of D + 1 points on a grid of
  ``levels`` levels (SALib).

Sampled values are rounded to 10 significant digits, the precision the
files carry, so design.csv holds exactly the values that were run; a
parameter whose base value is an integer is rounded to an integer. The
analysis of sobol and morris designs uses the unrounded sample.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

DESIGNS = ("grid", "oat", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")


@dataclass(frozen=True)
class Parameter:
    """A scenario key path and the values it takes: a list, or a range ``low .. high``."""

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    integer: bool = False

    def listed(self) -> tuple[Any, ...]:
        """The values of a grid or oat parameter (a range with ``steps`` is evenly spaced)."""
        if self.values is not None:
            return self.values
        assert self.low is not None and self.high is not None and self.steps is not None
        return tuple(self.fix(x) for x in np.linspace(self.low, self.high, self.steps))

    def fix(self, x: float) -> Any:
        """A sampled value as it is applied: an integer, or 10 significant digits."""
        if self.integer:
            return round(float(x))
        return float(f"{float(x):.10g}")


@dataclass(frozen=True)
class Design:
    kind: str
    parameters: tuple[Parameter, ...]
    rows: list[tuple[Any, ...]]
    sample: np.ndarray | None = None  # the unrounded sample of lhs, sobol and morris
    second_order: bool = False
    levels: int = 4

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.parameters]

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.parameters),
            "names": self.paths,
            "bounds": [[p.low, p.high] for p in self.parameters],
        }


def problem_of(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    return Design("", parameters, []).problem()


def count(kind: str, parameters: tuple[Parameter, ...], samples: int, second_order: bool) -> int:
    """How many points ``build`` would make, from the parameters alone (nothing is built:
    a grid of 9 parameters x 10 values is refused before it takes any memory)."""
    sizes = [len(p.values) if p.values is not None else (p.steps or 0) for p in parameters]
    d = len(parameters)
    if kind == "grid":
        return math.prod(sizes)
    if kind == "oat":
        return 1 + sum(sizes)
    if kind == "sobol":
        return samples * (2 * d + 2 if second_order else d + 2)
    if kind == "morris":
        return samples * (d + 1)
    return samples


def build(
    kind: str,
    parameters: tuple[Parameter, ...],
    base: tuple[Any, ...],
    *,
    samples: int = 0,
    levels: int = 4,
    second_order: bool = False,
    seed: int = 0,
) -> Design:
    """The design's rows; ``base`` holds each parameter's value in the base scenario."""
    if kind == "grid":
        rows = list(itertools.product(*(p.listed() for p in parameters)))
        return Design(kind, parameters, rows)
    if kind == "oat":
        rows = [tuple(base)]
        for i, p in enumerate(parameters):
            rows += [(*base[:i], v, *base[i + 1 :]) for v in p.listed()]
        return Design(kind, parameters, rows)
    if kind == "lhs":
        sample = latin_hypercube(samples, problem_of(parameters)["bounds"], seed)
    elif kind == "sobol":
        from SALib.sample import sobol

        sample = sobol.sample(
            problem_of(parameters), samples, calc_second_order=second_order, seed=seed
        )
    elif kind == "morris":
        from SALib.sample import morris

        sample = morris.sample(problem_of(parameters), samples, num_levels=levels, seed=seed)
    else:
        raise ValueError(f"unknown design {kind!r}")
    rows = [tuple(p.fix(x) for p, x in zip(parameters, row, strict=True)) for row in sample]
    return Design(kind, parameters, rows, sample, second_order, levels)


def latin_hypercube(n: int, bounds: list[list[float]], seed: int) -> np.ndarray:
    """``n`` points; in each dimension, exactly one in each of the ``n`` equal strata."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    out = np.empty((n, len(bounds)))
    for d, (low, high) in enumerate(bounds):
        u = (rng.permutation(n) + rng.random(n)) / n
        out[:, d] = low + u * (high - low)
    return out
