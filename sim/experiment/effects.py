"""Paired effects: each sweep point's difference from a reference point, replication by
replication.

Replication r of every sweep point uses the streams of (seed, r), so point p's run r and
the reference's run r share their random numbers (common random numbers). The
difference of the two is mostly the effect of the levers that differ, so the interval of
its mean over replications (Student's t, as every interval in the summaries) is much
tighter than that of either level. A replication that failed at either point, or a
metric without a value in either, drops that pair only.

The reference point is named in the sweep file (``reference = { "key.path" = value }``
or ``reference = 12``, a point's number in design.csv); without one it is the point
where every swept key has the base scenario's value or, when no point has (a sampled
design), the point nearest them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.design import Design
from sim.experiment.summary import LEVEL
from sim.scenario.errors import ScenarioError

EFFECT_COLUMNS = ["point", "reference", "metric", "mean", "std", "ci95_low", "ci95_high", "n"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12))
    return bool(a == b)


def reference_point(source: Path, given: Any, design: Design, base: Sequence[Any]) -> int:
    """The point the effects are taken from; ``given`` is the sweep file's ``reference``.

    A table names some swept keys; the others are at the base scenario's values. Exactly
    one design point must have them all, else the message lists the values the design has.
    """
    rows = design.rows
    if given is None:
        return nearest(rows, base)
    if isinstance(given, int) and not isinstance(given, bool):
        if not 0 <= given < len(rows):
            msg = f"point {given} is not in the design (points 0 to {len(rows) - 1})"
            raise ScenarioError(f"{source}: reference: {msg}")
        return given
    if not isinstance(given, dict) or not given:
        raise ScenarioError(
            f"{source}: reference: expected a point number or a table of swept key = value "
            f"(got {given!r})"
        )
    wanted = list(base)
    for key, value in given.items():
        if key not in design.paths:
            raise ScenarioError(
                f'{source}: reference."{key}": not a swept key; swept: {", ".join(design.paths)}'
            )
        wanted[design.paths.index(key)] = value
    match = [i for i, row in enumerate(rows) if all(map(_same, row, wanted))]
    if len(match) != 1:
        for j, key in enumerate(design.paths):
            if not any(_same(row[j], wanted[j]) for row in rows):
                have = sorted({row[j] for row in rows}, key=str)[:12]
                shown = ", ".join(map(repr, have))
                raise ScenarioError(
                    f'{source}: reference."{key}": no design point has {wanted[j]!r} '
                    f"(it has {shown}); name a listed value or a point number"
                )
        raise ScenarioError(
            f"{source}: reference: no single design point has all of "
            f"{dict(zip(design.paths, wanted, strict=True))}; give a point number"
        )
    return match[0]


def nearest(rows: Sequence[Sequence[Any]], base: Sequence[Any]) -> int:
    """The first point nearest the base values: each parameter's distance as a share of its
    range in the design (a value that is not a number: 0 if equal, else 1), summed in
    squares. A point at the base values themselves is at distance 0."""
    columns = list(zip(*rows, strict=True)) if rows else []
    scores = np.zeros(len(rows))
    for j, values in enumerate(columns):
        b = base[j]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (*values, b))
        if numeric:
            x = np.asarray(values, dtype=float)
            span = float(x.max() - x.min()) or 1.0
            scores += ((x - float(b)) / span) ** 2
        else:
            scores += np.array([0.0 if _same(v, b) else 1.0 for v in values])
    return int(np.argmin(scores)) if len(rows) else 0


def paired_effects(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    reference: int,
    reference_runs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every point's mean difference from ``reference`` per metric, with its 95% t interval
    over the per-replication differences (``EFFECT_COLUMNS``; the reference's own rows are
    exactly 0). ``reference_runs``: the reference's rows, when ``runs`` is a slice of the
    table without them."""
    metrics = [m for m in metrics if m in runs.columns]
    ref = runs if reference_runs is None else reference_runs
    ref = ref.loc[ref["point"] == reference, ["replication", *metrics]]
    ref = ref.drop_duplicates("replication").set_index("replication")
    paired = ref.reindex(runs["replication"].to_numpy())[metrics].to_numpy(dtype=float)
    points, at = np.unique(runs["point"].to_numpy(), return_inverse=True)
    k = len(points)
    columns: dict[str, np.ndarray] = {}
    for j, m in enumerate(metrics):  # one metric at a time: memory of one column
        d = runs[m].to_numpy(dtype=float) - paired[:, j]
        ok = np.isfinite(d)
        n = np.bincount(at[ok], minlength=k).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(at[ok], weights=d[ok], minlength=k) / n
            # two passes: differences that are all zero give a std of exactly zero
            ss = np.bincount(at[ok], weights=(d[ok] - mean[at[ok]]) ** 2, minlength=k)
            std = np.sqrt(ss / (n - 1))
            t = stats.t.ppf(0.5 + LEVEL / 2, np.where(n > 1, n - 1, np.nan))
            half = t * std / np.sqrt(n)
        std[n < 2] = math.nan
        for name, v in (("mean", mean), ("std", std), ("lo", mean - half), ("hi", mean + half),
                        ("n", n)):  # fmt: skip
            columns.setdefault(name, np.empty((k, len(metrics))))[:, j] = v
    out = pd.DataFrame(
        {
            "point": np.repeat(points, len(metrics)),
            "reference": reference,
            "metric": np.tile(np.asarray(metrics, dtype=object), k),
            "mean": columns["mean"].ravel() if metrics else [],
            "std": columns["std"].ravel() if metrics else [],
            "ci95_low": columns["lo"].ravel() if metrics else [],
            "ci95_high": columns["hi"].ravel() if metrics else [],
            "n": columns["n"].ravel().astype(int) if metrics else [],
        }
    )
    return out[EFFECT_COLUMNS]


def effects_of_file(
    path: Path, metrics: Sequence[str], reference: int, chunk_rows: int = 200_000
) -> pd.DataFrame:
    """``paired_effects`` of a runs.csv read in chunks, so a sweep of any size is summed in
    bounded memory: its rows come in point order, so a point cut by a chunk's end is carried
    into the next chunk whole."""
    keys = ["point", "replication", *metrics]
    found = [
        c[c["point"] == reference] for c in pd.read_csv(path, usecols=keys, chunksize=chunk_rows)
    ]
    ref = pd.concat(found) if found else pd.DataFrame(columns=keys)
    pieces, carry = [], None
    for frame in pd.read_csv(path, usecols=keys, chunksize=chunk_rows):
        if carry is not None:
            frame = pd.concat([carry, frame], ignore_index=True)
        if frame.empty:
            continue
        last = frame["point"].iloc[-1]
        carry = frame[frame["point"] == last]
        done = frame[frame["point"] != last]
        if len(done):
            pieces.append(paired_effects(done, metrics, reference, ref))
    if carry is not None and len(carry):
        pieces.append(paired_effects(carry, metrics, reference, ref))
    if not pieces:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    return pd.concat(pieces, ignore_index=True)


def detectable(low: float, high: float) -> bool:
    """Whether a difference's 95% interval excludes zero."""
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))
