"""``coalsim discover``: PRIM scenario discovery over a saved sweep, its files and figure.

The cases are the sweep's design points; a point is of interest when its means over
replications (summary.csv) meet the ``--where`` condition. PRIM itself is
``sim.experiment.discovery``; this module reads the folder, writes
``discovery.csv`` (the peeling trajectory), ``limits.csv`` (every box's ranges and
quasi-p values), ``discovery.txt`` and ``figures/discovery.png|svg`` into the output
folder, by default ``SWEEP_DIR/discovery/<condition>/``, which the sweep's report lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.experiment.discovery import Discovery, discover, significant
from sim.experiment.store import check_out, safe_name, write_atomic, write_csv
from sim.experiment.where import Condition, parse
from sim.metrics import METRICS
from sim.metrics.units import counted
from sim.report import style
from sim.report.data import ReportError, read_manifest
from sim.report.sweep_figures import parameter_label, parameter_unit, parameter_value

FOLDER = "discovery"
MARKER = "discovery.csv"


@dataclass(frozen=True)
class Found:
    sweep: Path
    name: str
    condition: Condition
    parameters: list[str]
    result: Discovery
    chosen: int
    left_out: int
    """Points without a value of a metric the condition names (not cases)."""


def discover_sweep(folder: Path, where: str, box: int | None = None) -> Found:
    """PRIM over the points of the sweep in ``folder`` for the condition ``where``."""
    condition = parse(where, list(METRICS))  # the expression first: it needs no folder
    manifest = read_manifest(folder)
    missing = [f for f in ("design.csv", "summary.csv") if not (folder / f).is_file()]
    if missing:
        raise ReportError(
            f"{folder}: no {' or '.join(missing)}; discover reads a finished sweep's folder "
            f"(this one holds a {manifest.get('kind', 'run')!r})"
        )
    design = pd.read_csv(folder / "design.csv")
    summary = pd.read_csv(folder / "summary.csv")
    means = summary.pivot_table(index="point", columns="metric", values="mean", dropna=False)
    absent = [m for m in condition.metrics if m not in means.columns]
    if absent:
        raise ReportError(f"{folder}: summary.csv has no {', '.join(absent)}")
    frame = design.set_index("point").join(means[condition.metrics], how="inner")
    has = np.isfinite(frame[condition.metrics].to_numpy(float)).all(axis=1)
    parameters = [c for c in design.columns if c != "point"]
    y = condition.holds(frame[has])
    result = discover(frame.loc[has, parameters], y)
    last = len(result.trajectory) - 1
    if box is not None and not 0 <= box <= last:
        raise ReportError(f"--box {box}: the trajectory has boxes 0 to {last}")
    name = str(manifest.get("name") or folder.name)
    chosen = result.chosen if box is None else box
    return Found(folder, name, condition, parameters, result, chosen, int((~has).sum()))


def default_out(found: Found) -> Path:
    """``SWEEP_DIR/discovery/tonnes_delivered_lt_1e6``: the condition as a folder name."""
    text = found.condition.text
    for op, word in (("<=", " le "), (">=", " ge "), ("<", " lt "), (">", " gt ")):
        text = text.replace(op, word)
    slug = re.sub(r"[^A-Za-z0-9.+-]+", "_", text).strip("_")
    return found.sweep / FOLDER / safe_name(slug[:100] or "condition")


def _end(p: str, v: float) -> str:
    """A limit in the parameter's display unit, to 3 significant figures (PRIM's limits are
    midpoints between design values, not values anyone set)."""
    x = float(parameter_unit(p)(v))
    return parameter_value(p, v) if x == round(x) else f"{x:,.3g}"


def _limit(p: str, row: pd.Series) -> str:
    if isinstance(row["low"], str):
        return str(row["low"])
    return f"{_end(p, row['low'])} to {_end(p, row['high'])}"


def _qp(row: pd.Series) -> str:
    ends = [f"{q:.2g}" for q in (row["qp_low"], row["qp_high"]) if np.isfinite(q)]
    mark = "" if significant(row["qp_low"], row["qp_high"]) else " (not significant)"
    return ("quasi-p " + " / ".join(ends) + mark) if ends else ""


def describe(found: Found) -> list[str]:
    """What was found, in lines for the terminal and discovery.txt."""
    r, i = found.result, found.chosen
    t = r.trajectory.iloc[i]
    lines = [
        f"discovery over sweep {found.name} ({found.sweep}): where {found.condition.text}",
        f"the condition holds at {r.of_interest} of {counted(r.cases, 'point')} "
        f"({r.of_interest / r.cases:.0%})"
        + (f"; {counted(found.left_out, 'point')} without a value left out" * bool(found.left_out)),
        f"box {i} of 0 to {len(r.trajectory) - 1}"
        + (" (chosen: the best balance of coverage and density, F1)" if i == r.chosen else "")
        + f": coverage {t['coverage']:.0%} (of the points where it holds, the share inside), "
        f"density {t['density']:.0%} (of the points inside, the share where it holds), "
        f"{counted(int(t['n']), 'point')}",
    ]
    limits = r.box(i)
    restricted = limits[limits["restricted"]]
    for _, row in restricted.iterrows():
        p = str(row["parameter"])
        lines.append(f"  {parameter_label(p)}: {_limit(p, row)}  {_qp(row)}".rstrip())
    if restricted.empty:
        lines.append("  no parameter is restricted: the box is the whole design")
    free = [str(p) for p in limits.loc[~limits["restricted"], "parameter"]]
    if free:
        lines.append(f"  any value of: {', '.join(free)}")
    return lines


def write_discovery(found: Found, out: Path) -> list[Path]:
    """discovery.csv, limits.csv, discovery.txt, discovery.json and the figure in ``out``;
    an earlier discovery there is replaced whole, any other output refused."""
    check_out(out, MARKER)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"--out {out}: cannot create the folder ({e})") from None
    r = found.result
    trajectory = r.trajectory.assign(chosen=r.trajectory["box"] == found.chosen)
    write_csv(out / "limits.csv", r.limits)
    t = r.trajectory.iloc[found.chosen]
    summary = {
        "sweep": str(found.sweep),
        "where": found.condition.text,
        "box": found.chosen,
        "coverage": float(t["coverage"]),
        "density": float(t["density"]),
        "cases": r.cases,
        "of_interest": r.of_interest,
    }
    write_atomic(out / "discovery.json", json.dumps(summary, indent=2) + "\n")
    write_atomic(out / "discovery.txt", "\n".join(describe(found)) + "\n")
    png, svg = style.save(discovery_figure(found), out / "figures", "discovery")
    write_csv(out / MARKER, trajectory)  # last: its presence marks a whole discovery
    return [out / MARKER, out / "limits.csv", out / "discovery.txt", png, svg]


def _tradeoff(ax: Axes, found: Found) -> None:
    t = found.result.trajectory
    dims = t["restricted"].to_numpy(int)
    colours = [style.BLUE, style.ORANGE, style.GREEN, style.VERMILLION, style.PURPLE]
    for d in sorted(set(dims)):
        sel = dims == d
        ax.scatter(t["coverage"][sel], t["density"][sel], s=22,
                   color=colours[d % len(colours)], label=f"{d} restricted", zorder=3)  # fmt: skip
    c = t.iloc[found.chosen]
    ax.scatter([c["coverage"]], [c["density"]], s=160, facecolors="none",
               edgecolors="black", lw=1.5, zorder=4, label=f"box {found.chosen}")  # fmt: skip
    ax.set_xlabel("Coverage (share of the points of interest inside the box)")
    ax.set_ylabel("Density (share of the box's points of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower left", title="parameters", title_fontsize=8)
    ax.set_title("Coverage against density along the peeling trajectory", loc="left", fontsize=10)


def _limits_panel(ax: Axes, found: Found) -> None:
    """The chosen box's range of each numeric parameter, as a share of the sweep's range."""
    first, box = found.result.box(0), found.result.box(found.chosen)
    rows = [r for _, r in box.iterrows() if not isinstance(r["low"], str)]
    for yi, r in enumerate(rows):
        p = str(r["parameter"])
        full = first[first["parameter"] == p].iloc[0]
        span = float(full["high"]) - float(full["low"]) or 1.0
        lo = (float(r["low"]) - float(full["low"])) / span
        hi = (float(r["high"]) - float(full["low"])) / span
        strong = bool(r["restricted"]) and significant(r["qp_low"], r["qp_high"])
        colour = style.BLUE if strong else (style.ORANGE if r["restricted"] else style.GREY)
        ax.barh(yi, hi - lo, left=lo, color=colour, height=0.5)
        ax.annotate(_limit(p, r), (1.0, yi), xycoords=("axes fraction", "data"),
                    xytext=(6, 0), textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(rows)), [parameter_label(str(r["parameter"])) for r in rows],
                  fontsize=8)  # fmt: skip
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Box range as a share of the sweep's range")
    ax.set_title(f"Box {found.chosen}: the inputs' ranges", loc="left", fontsize=10)


@style.styled
def discovery_figure(found: Found) -> Figure:
    """The coverage-density trade-off and the chosen box's limits, side by side."""
    fig = style.new_figure((12.6, 5.4))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 0.72]})
    _tradeoff(left, found)
    _limits_panel(right, found)
    t = found.result.trajectory.iloc[found.chosen]
    style.suptitle(
        fig,
        f"{found.name}: where {found.condition.text} (box {found.chosen}: coverage "
        f"{t['coverage']:.0%}, density {t['density']:.0%})",
    )
    style.footnote(
        fig,
        "PRIM (EMA Workbench) over the design points, each with its mean over replications. "
        "Circled: the box shown on the right, by default the one with the best harmonic mean "
        "of coverage and density. Right: blue, a restriction with quasi-p < 0.05 (Bryant and "
        "Lempert 2010); orange, restricted but not significant; grey, unrestricted.",
    )
    return fig


@dataclass(frozen=True)
class Saved:
    """A discovery saved under a sweep folder, as its report lists it."""

    where: str
    box: int
    coverage: float
    density: float
    folder: Path


def listed(sweep: Path) -> list[Saved]:
    """The discoveries saved under a sweep folder (``discovery/*/``), for its report."""
    found = []
    for f in sorted((sweep / FOLDER).glob(f"*/{MARKER}")):
        try:
            info = json.loads((f.parent / "discovery.json").read_text(encoding="utf-8"))
            found.append(
                Saved(
                    str(info["where"]),
                    int(info["box"]),
                    float(info["coverage"]),
                    float(info["density"]),
                    f.parent,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):  # not whole: not listed
            continue
    return found
