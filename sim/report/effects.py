"""A sweep's paired effects in the report: the findings in words, the table, and which
heatmap cells differ detectably from the reference point.

Every figure here comes from effects.csv (``sim.experiment.effects``), or, for a sweep
saved before it was written, from runs.csv by the same function: each point's difference
from the reference point, replication by replication, with its 95% t interval. A
difference is *detectable* when that interval excludes zero.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.effects import detectable, paired_effects
from sim.experiment.summary import mean_ci
from sim.report import style
from sim.report.compare import signed
from sim.report.data import SweepData
from sim.report.sweep_figures import parameter_label, parameter_unit, parameter_value
from sim.report.tables import Table, fitted

KEYS = ("point", "replication", "seed")
MAX_FINDINGS = 14
"""Sentences on the PDF's front page; the HTML's findings section has every one."""
TABLE_OUTPUTS = 3


def reference(sweep: SweepData) -> int:
    """The reference point: the manifest's (sweeps since effects.csv), else point 0."""
    ref = sweep.manifest.get("reference", 0)
    return int(ref) if isinstance(ref, int) and not isinstance(ref, bool) else 0


def effects(sweep: SweepData) -> pd.DataFrame:
    """effects.csv, or the same table made from runs.csv for an older sweep."""
    if sweep.effects is not None:
        return sweep.effects
    metrics = [c for c in sweep.runs.columns if c not in KEYS]
    return paired_effects(sweep.runs, metrics, reference(sweep))


def point_row(sweep: SweepData, point: int) -> dict[str, Any]:
    """A design point's parameter values (``KeyError`` if it is not in design.csv)."""
    found = sweep.design[sweep.design["point"] == point].to_dict("records")
    if not found:
        raise KeyError(point)
    return {str(k): v for k, v in found[0].items()}


def _where(sweep: SweepData, point: int) -> str:
    row = point_row(sweep, point)
    return ", ".join(f"{p} = {parameter_value(p, row[p])}" for p in sweep.parameters)


def _change(metric: str, d: float, lo: float, hi: float) -> str:
    """'lowers coal delivered by 310 kt (95% CI 250 to 370)'."""
    verb = "raises" if d > 0 else "lowers"
    size = signed(metric, abs(d)).removeprefix("+")
    ends = sorted((abs(lo), abs(hi)))
    ci = f"{signed(metric, ends[0], unit=False).removeprefix('+')} to "
    ci += signed(metric, ends[1], unit=False).removeprefix("+")
    return f"{verb} {_in_sentence(style.label(metric))} by {size} (95% CI {ci})"


PROPER = ("Chinese", "DPRK", "Coast Guard", "Lianyungang", "UN ")


def _in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: 'coal delivered', but 'DPRK sellers' net cash'."""
    return label if label.startswith(PROPER) else label[:1].lower() + label[1:]


def _per_unit(metric: str, d: float, p: str, dv: float) -> str:
    """', 52 kt per vessel': the change for one unit of the parameter as displayed."""
    if not dv:
        return ""
    u, pu = style.unit_for(metric), parameter_unit(p)
    rate = u(d) / pu(dv)
    last = p.rsplit(".", 1)[-1]
    per = pu.label or (last[:-1] if last.endswith("s") else f"unit of {last}")
    per = per[:-1] if per in ("days", "hours", "knots") else per  # per day, not per days
    label = "pp" if u.label == "%" else (u.short or u.label)
    return f", {style.number(abs(rate))} {label} per {per}".replace("  ", " ")


def _slice(sweep: SweepData, p: str, ref: int) -> pd.DataFrame:
    """The points where every parameter but ``p`` is at the reference's value."""
    d, at = sweep.design, point_row(sweep, ref)
    keep = np.ones(len(d), dtype=bool)
    for q in sweep.parameters:
        if q != p:
            keep &= (d[q] == at[q]).to_numpy()
    return d[keep & (d["point"] != ref).to_numpy()]


def _valued(p: str, v: Any) -> str:
    """'patrols.x.vessels', or a value with its display unit: '0.1 million RMB'."""
    if v is None:
        return p
    label = parameter_unit(p).label
    return parameter_value(p, v) + (f" {label}" if label and label != "%" else label)


def _ci(metric: str, r: dict[str, Any]) -> str:
    lo, hi = signed(metric, r["ci95_low"], unit=False), signed(metric, r["ci95_high"], unit=False)
    return f"95% CI {lo} to {hi}"


def _sentence(sweep: SweepData, e: pd.DataFrame, metric: str, p: str, ref: int) -> str | None:
    """One parameter's effect on one output, along the reference's slice of the design."""
    pts = _slice(sweep, p, ref)
    table = e[(e["metric"] == metric) & e["point"].isin(pts["point"])]
    table = table.merge(pts[["point", p]], on="point").dropna(subset=["mean"])
    if table.empty:
        return None
    base = point_row(sweep, ref)[p]
    numeric = isinstance(base, numbers.Real) and not isinstance(base, bool)
    rows: list[dict[str, Any]] = []
    for r in table.to_dict("records"):
        rows.append({str(k): v for k, v in r.items()})
        rows[-1]["found"] = detectable(r["ci95_low"], r["ci95_high"])
    if numeric:  # nearest the reference first
        rows.sort(key=lambda r: abs(float(r[p]) - float(base)))
    against = f"(against {parameter_value(p, base)})"
    if not any(r["found"] for r in rows):
        far = max(rows, key=lambda r: abs(float(r["mean"])))
        values = ", ".join(parameter_value(p, r[p]) for r in rows[:-1])
        values += (", " if len(rows) > 1 else "") + _valued(p, rows[-1][p])
        if all(float(r["mean"]) == 0 and float(r["std"]) == 0 for r in rows):
            return (
                f"{style.label(metric)}: {_valued(p, None)} at {values} changes nothing at all "
                f"{against}: equal in every replication."
            )
        return (
            f"{style.label(metric)}: {_valued(p, None)} at {values} changes nothing detectable "
            f"{against}; the largest difference is {signed(metric, far['mean'])} "
            f"({_ci(metric, far)})."
        )
    hits = [r for r in rows if r["found"]]
    if numeric:  # the farthest detectable value on each side of the reference
        sides = (
            [r for r in hits if float(r[p]) > float(base)],
            [r for r in hits if float(r[p]) < float(base)],
        )
        hits = [side[-1] for side in sides if side]
    text = ""
    for hit in hits:
        v, d = hit[p], float(hit["mean"])
        verb = "setting" if not numeric else ("raising" if float(v) > float(base) else "lowering")
        text += (
            f"{verb.capitalize()} {p} from {parameter_value(p, base)} to {_valued(p, v)} "
            if not text
            else f"; {verb} it to {_valued(p, v)} "
        )
        text += _change(metric, d, float(hit["ci95_low"]), float(hit["ci95_high"]))
        if numeric:
            text += _per_unit(metric, d, p, float(v) - float(base))
    quiet = [parameter_value(p, r[p]) for r in rows if not r["found"]]
    if quiet:
        text += f"; {p} at {', '.join(quiet)} changes nothing detectable"
    return text + f" {against}."


def findings(sweep: SweepData) -> list[str]:
    """The first page's findings in words, computed from the paired effects."""
    e, ref = effects(sweep), reference(sweep)
    if ref not in set(sweep.design["point"]):
        return [f"The reference point {ref} is not in design.csv; no paired effects."]
    lines = [
        f"Paired effects against point {ref} ({_where(sweep, ref)}): every point runs on the "
        "same random numbers, replication by replication, so a difference from it has a 95% "
        "CI from the per-replication differences, much tighter than either level's."
    ]
    if sweep.design_kind in ("grid", "oat"):
        for m in sweep.outputs:
            for p in sweep.parameters:
                s = _sentence(sweep, e, m, p, ref)
                if s is not None:
                    lines.append(s)
        return lines
    for m in sweep.outputs:
        rows = e[(e["metric"] == m) & (e["point"] != ref)].dropna(subset=["mean"])
        hits = [r for r in rows.to_dict("records") if detectable(r["ci95_low"], r["ci95_high"])]
        text = f"{style.label(m)}: {len(hits)} of {len(rows)} points differ detectably"
        if hits:
            low = min(hits, key=lambda r: float(r["mean"]))
            high = max(hits, key=lambda r: float(r["mean"]))
            text += f"; from {signed(m, low['mean'])} at point {int(low['point'])}"
            text += f" to {signed(m, high['mean'])} at point {int(high['point'])}"
        lines.append(text + ".")
    lines.append(
        f"Where an output crosses a level: coalsim discover {sweep.folder} --where "
        f'"{sweep.outputs[0] if sweep.outputs else "METRIC"} < X" (PRIM scenario discovery).'
    )
    return lines


def findings_table(lines: list[str]) -> Table:
    return Table(["finding"], [[x] for x in lines], [110])


def effects_table(sweep: SweepData) -> Table:
    """Each point's difference from the reference in the first outputs, with 95% CIs."""
    e, ref = effects(sweep), reference(sweep)
    metrics = [m for m in sweep.outputs[:TABLE_OUTPUTS] if m in set(e["metric"])]
    header = ["point", *(parameter_label(p) for p in sweep.parameters)]
    for m in metrics:
        u = style.unit_for(m)
        unit = "pp" if u.label == "%" else u.label  # as the parameters' headers write it
        header += [f"{style.label(m)} - ref. ({unit})".replace(" ()", ""), "95% CI"]
    wide = {
        (int(r["point"]), str(r["metric"])): (float(r["mean"]), r["ci95_low"], r["ci95_high"])
        for r in e[e["metric"].isin(metrics)].to_dict("records")
    }
    rows = []
    for r in sweep.design.head(5000).to_dict("records"):
        point = int(r["point"])
        cells = [str(point) + (" (ref.)" if point == ref else "")]
        cells += [parameter_value(p, r[p]) for p in sweep.parameters]
        for m in metrics:
            d, lo, hi = wide.get((point, m), (math.nan, math.nan, math.nan))
            if not math.isfinite(d):
                cells += ["n/a", ""]
                continue
            cells.append(signed(m, d, unit=False) + ("" if detectable(lo, hi) else " ~"))
            cells.append(
                f"{signed(m, lo, unit=False)} .. {signed(m, hi, unit=False)}"
                if math.isfinite(lo)
                else "n/a"
            )
        rows.append(cells)
    return fitted(
        header,
        rows,
        tuple(range(1 + len(sweep.parameters), len(header))),
        notes=(
            "~: the 95% CI includes zero (no detectable difference from the reference).",
            f"The first {len(metrics)} of the sweep's {len(sweep.outputs)} outputs; every "
            "metric's differences are in effects.csv."
            if len(sweep.outputs) > len(metrics)
            else "Every metric's differences are in effects.csv.",
        ),
        more="The first {shown} of {total} points; all of them are in effects.csv and in the "
        "HTML report.",
    )


def cell_detectable(sweep: SweepData, metric: str, a: str, b: str) -> dict[tuple[Any, Any], bool]:
    """For a heatmap of ``a`` x ``b``: whether each cell (value of b, value of a) differs
    detectably from the reference point, paired by replication (a cell over several
    points, when more than two parameters are swept, is their mean in each replication)."""
    runs = sweep.runs.merge(sweep.design, on="point")
    if metric not in runs:
        return {}
    ref = runs[runs["point"] == reference(sweep)].set_index("replication")[metric]
    cells = runs.groupby([b, a, "replication"])[metric].mean().reset_index()
    cells["d"] = cells[metric].to_numpy(float) - ref.reindex(cells["replication"]).to_numpy(float)
    flags = {}
    for key, g in cells.groupby([b, a]):
        _, _, lo, hi, _ = mean_ci(g["d"].to_numpy(float))
        flags[(key[0], key[1])] = detectable(lo, hi)
    return flags
