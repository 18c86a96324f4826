"""Tables of a report: the headline metrics, every metric, and the scenario's key parameters.

Each table is a header and rows of strings, so the same table can be
written into the HTML and drawn onto a PDF page.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.metrics import registry
from sim.metrics.ranges import cut_ends, metric_range
from sim.report import style


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[int]
    """Characters per column before a cell wraps, on a PDF page."""
    right: tuple[int, ...] = ()
    """Columns aligned right (numbers)."""
    landscape: bool = False
    """Draw the PDF page on A4 turned sideways, for a table too wide to stand upright."""
    notes: tuple[str, ...] = ()
    """Said under the table on its PDF page (the HTML has the section's caption)."""
    more: str = ""
    """When set, the PDF page keeps only the rows that fit on one A4 page and, if some are
    left out, says so with this note (``{shown}`` and ``{total}`` are filled in). The HTML
    keeps every row. When empty, every row is drawn, however long the page."""


A4 = (8.27, 11.69)
"""Width and height of an upright A4 page, in inches."""
CHARS_PER_INCH = 110 / (A4[0] - 1.0)
"""Characters of a table cell (8.5 pt) across an inch of the page, margins left out."""
HEADER_SCALE = 1.2
"""How much wider a character of a (bold, 9 pt) header is than a cell's."""


def page_chars(landscape: bool = False) -> int:
    """Characters across a table page, margins left out."""
    return int(((A4[1] if landscape else A4[0]) - 1.0) * CHARS_PER_INCH)


def _pieces(word: str) -> list[str]:
    """A word cut after each dot, underscore, slash or hyphen: a key path's smallest parts."""
    return [p for p in re.split(r"(?<=[._/-])", word) if p]


def _groups(word: str, width: int) -> list[list[str]]:
    """A word too long for a line in its dotted parts, each as the pieces it may be cut into
    (after underscores and hyphens, then anywhere) if it is too long for a line itself."""
    out = []
    for part in (p for p in re.split(r"(?<=[./])", word) if p):
        subs = [part] if len(part) <= width else [p for p in re.split(r"(?<=[_-])", part) if p]
        out.append([s[i : i + width] for s in subs for i in range(0, len(s), width)])
    return out


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces and, inside a word too long
    for a line, between the parts of a key path (after dots, then underscores and hyphens);
    a part longer than a line is cut."""
    width = max(int(width), 1)
    lines: list[str] = []
    line = ""
    for word in text.split():
        groups = [[word]] if len(word) <= width else _groups(word, width)
        for g, group in enumerate(groups):
            glue = " " if g == 0 and line else ""
            if len(line) + len(glue) + len("".join(group)) <= width:
                line += glue + "".join(group)
                continue
            for k, piece in enumerate(group):
                glue = " " if g == k == 0 and line else ""
                if line and len(line) + len(glue) + len(piece) > width:
                    lines.append(line)
                    line = piece
                else:
                    line += glue + piece
    return [*lines, line] if line else lines or [""]


def needed_widths(header: list[str], rows: list[list[str]]) -> list[int]:
    """Characters per column for its longest cell (up to 40) and its header's longest part
    unbroken, with a character between columns."""
    need = []
    for k, head in enumerate(header):
        part = max((len(p) for w in head.split() for p in _pieces(w)), default=1)
        cell = min(max((len(r[k]) for r in rows), default=1), 40)
        need.append(max(math.ceil(part * HEADER_SCALE), cell) + 1)
    return need


def fit_widths(header: list[str], rows: list[list[str]], chars: int) -> list[int]:
    """``needed_widths`` stretched or squeezed to ``chars`` characters in all."""
    need = needed_widths(header, rows)
    return [max(n * chars // sum(need), 3) for n in need]


def fitted(
    header: list[str],
    rows: list[list[str]],
    right: tuple[int, ...],
    notes: tuple[str, ...] = (),
    more: str = "",
) -> Table:
    """A table whose columns fill an A4 page: upright when its cells fit across one,
    turned sideways when they do not."""
    landscape = sum(needed_widths(header, rows)) > page_chars()
    widths = fit_widths(header, rows, page_chars(landscape))
    return Table(header, rows, widths, right, landscape=landscape, notes=notes, more=more)


CUT_NOTE = (
    "* the interval is cut there, at the least or most the metric can be: Student's t "
    "reached values it cannot take."
)


def interval(row: pd.Series, metric: str) -> str:
    """The interval in display units, an end the saved summary cut marked '*' (as the
    terminal marks it)."""
    if int(row["n"]) < 2 or pd.isna(row["ci95_low"]):
        return "n/a"
    u = style.unit_for(metric)
    lo, hi, std = float(row["ci95_low"]), float(row["ci95_high"]), float(row["std"])
    low_cut, high_cut = cut_ends(lo, hi, std, metric_range(metric))
    return f"{style.number(u(lo))}{'*' * low_cut} to {style.number(u(hi))}{'*' * high_cut}"


def metric_table(summary: pd.DataFrame, metrics: list[str] | None = None) -> Table:
    """Mean and 95% CI per metric, in display units; ``metrics`` picks and orders them."""
    by = summary.set_index("metric")
    names = [m for m in (metrics or list(by.index)) if m in by.index]
    rows = []
    for m in names:
        r = by.loc[m]
        assert isinstance(r, pd.Series), f"summary lists {m} twice"
        u = style.unit_for(m)
        rows.append([style.label(m), style.number(u(float(r["mean"]))), interval(r, m), u.label])
    notes = (CUT_NOTE,) if any("*" in r[2] for r in rows) else ()
    return Table(["metric", "mean", "95% CI", "unit"], rows, [38, 12, 24, 22], (1, 2), notes=notes)


def headline_table(summary: pd.DataFrame) -> Table:
    """The headline metrics, then any displacement metric the run gave a value (a policy
    run is read for where the coal went)."""
    # share_waited always has a value; it says something only when ships waited
    shown = (summary["n"] > 0) & ~((summary["metric"] == "share_waited") & (summary["mean"] == 0))
    given = set(summary.loc[shown, "metric"])
    moved = [m for m in registry.names("displacement") if m in given]
    return metric_table(summary, registry.headline() + moved)


def all_metrics_table(summary: pd.DataFrame) -> Table:
    """Every metric of the summary, in reading order, with its meaning."""
    names = registry.reading_order(summary["metric"])
    t = metric_table(summary, names)
    rows = [[n, *r[1:], registry.definition(n).meaning] for n, r in zip(names, t.rows, strict=True)]
    # Sideways, with room for the meanings: upright, a long meaning made its row several
    # times taller than its neighbours.
    widths = [30, 10, 20, 22, 80]
    header = ["metric", "mean", "95% CI", "unit", "meaning"]
    return Table(header, rows, widths, (1, 2), True)


def _fmt(v: Any) -> str:
    if v is None:
        return "not set"
    if isinstance(v, list) and not v:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return style.number(float(v)) if abs(float(v)) >= 1000 else f"{v:g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _seller(s: dict[str, Any]) -> str:
    n = int(s.get("count", 1))
    parts = [f"{n} {s.get('kind', '')} companies" if n > 1 else f"{s.get('kind', '')} company"]
    parts[0] += f" at {s.get('port', '?')}"
    if "lot_interval_days" in s:
        parts.append(f"a lot every {_fmt(s['lot_interval_days'])} d")
    if "lot_tonnes_min" in s:
        parts.append(f"{_fmt(s['lot_tonnes_min'])} to {_fmt(s.get('lot_tonnes_max'))} t")
    if "vessels" in s:
        parts.append(f"{s['vessels']} ships at {_fmt(s.get('speed_knots'))} kn")
    if "ais_off_share" in s:
        parts.append(f"AIS off {100 * float(s['ais_off_share']):.0f}%")
    if "concealment" in s:
        parts.append(f"concealment {_fmt(s['concealment'])}")
    if s.get("insists_on_advance"):
        parts.append("insists on advance payment")
    return ", ".join(parts)


def _buyer(b: dict[str, Any]) -> str:
    n = int(b.get("count", 1))
    parts = [f"{n} buyer{'s' if n != 1 else ''} at {b.get('port', '?')}"]
    if "capital_rmb" in b:
        parts.append(f"capital {style.number(float(b['capital_rmb']) / 1e6)} million RMB each")
    if "demand_tonnes_per_month" in b:
        parts.append(f"demand {_fmt(b['demand_tonnes_per_month'])} t/month")
    if "prior_alpha" in b and "prior_beta" in b:
        a, c = float(b["prior_alpha"]), float(b["prior_beta"])
        parts.append(f"prior belief Beta({a:g}, {c:g}), mean {100 * a / (a + c):.0f}%")
    return ", ".join(parts)


def _patrol(p: dict[str, Any]) -> str:
    return (
        f"{p.get('vessels', '?')} vessels from {p.get('base', '?')} on {p.get('zone', '?')}, "
        f"{_fmt(p.get('speed_knots'))} kn, sweep {_fmt(p.get('sweep_width_nm'))} nm, "
        f"{_fmt(p.get('endurance_hours'))} h on station, "
        f"{_fmt(p.get('turnaround_hours'))} h in port"
    )


GEOGRAPHY = ("ports", "waypoints", "routes", "zones")


def parameter_table(scenario: dict[str, Any], manifest: dict[str, Any]) -> Table:
    """The run's key settings: scalars and sections as they were saved, lists summarised."""
    rows: list[list[str]] = []
    for key in ("name", "description", "horizon_days", "seed"):
        if key in scenario and scenario[key] not in ("", None):
            rows.append([key, str(scenario[key]) if key == "seed" else _fmt(scenario[key])])
    rows.append(["replications", str(manifest.get("replications", scenario.get("replications")))])
    if manifest.get("overrides"):
        rows.append(["--set overrides", "; ".join(map(str, manifest["overrides"]))])
    done = {"name", "description", "horizon_days", "seed", "replications"}
    geo = [f"{len(scenario[k])} {k}" for k in GEOGRAPHY if isinstance(scenario.get(k), list)]
    if geo:
        rows.append(["geography", ", ".join(geo)])
    for s in scenario.get("sellers", []):
        rows.append([f"seller {s.get('name', '')}", _seller(s)])
    for p in scenario.get("patrols", []):
        rows.append([f"patrol {p.get('name', '')}", _patrol(p)])
    for b in scenario.get("buyers", []):
        rows.append([f"buyers {b.get('name', '')}", _buyer(b)])
    done |= {*GEOGRAPHY, "sellers", "patrols", "buyers", "public_figures"}
    for key, value in scenario.items():
        if key in done:
            continue
        if isinstance(value, dict):
            rows += _flatten(key, value)
        elif isinstance(value, list):
            rows.append([key, _fmt(value) if not value else _entries(len(value))])
        else:
            rows.append([key, _fmt(value)])
    return Table(["parameter", "value"], rows, [42, 72])


def _flatten(prefix: str, d: dict[str, Any]) -> list[list[str]]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out += _flatten(f"{prefix}.{k}", v)
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append([f"{prefix}.{k}", _entries(len(v))])
        else:
            out.append([f"{prefix}.{k}", _fmt(v)])
    return out


LINE_INCHES = 0.19


def wrapped_cells(table: Table) -> tuple[list[list[str]], list[list[list[str]]]]:
    """The header's and each row's cells as the lines a PDF page draws them in."""
    head = [wrap(c, int(w / HEADER_SCALE)) for c, w in zip(table.header, table.widths, strict=True)]
    cell_w = [w if k in table.right else w - 1 for k, w in enumerate(table.widths)]  # a gap
    return head, [[wrap(c, w) for c, w in zip(r, cell_w, strict=True)] for r in table.rows]


def rows_fitting(heights: list[int], lines: float) -> int:
    """How many of the first rows (``heights`` in lines) fit in ``lines`` lines."""
    used = 0
    for k, n in enumerate(heights):
        used += n
        if used > lines:
            return k
    return len(heights)


@style.styled
def table_figure(
    title: str,
    table: Table,
    subtitle: str = "",
    notes: list[str] | None = None,
    width: float | None = None,
    min_height: float = 3.0,
) -> Figure:
    """A table drawn as a page: wrapped cells and headers, a rule under the header, zebra
    rows; A4 wide (upright, or sideways for a ``landscape`` table)."""
    page_w, page_h = (A4[1], A4[0]) if table.landscape else A4
    width = width or page_w
    head, wrapped = wrapped_cells(table)
    head_n = max((len(c) for c in head), default=1)
    heights = [max(len(c) for c in r) for r in wrapped]
    sub_lines = textwrap.wrap(subtitle, int(width * 13))  # a long --set list must not run off
    top = 1.0 + 0.18 * len(sub_lines) + (0.17 if sub_lines else 0.0)
    notes = [*(notes or []), *table.notes]

    def note_lines(texts: list[str]) -> list[str]:
        return [ln for n in texts for ln in textwrap.wrap(n, int(width * 13))]

    if table.more:
        total = len(heights)
        probe = note_lines([*notes, table.more.format(shown=total, total=total)])
        room = (page_h - top - 0.5) / LINE_INCHES - head_n - len(probe) - 1
        keep = rows_fitting(heights, room)
        if keep < total:
            notes.append(table.more.format(shown=keep, total=total))
            wrapped, heights = wrapped[:keep], heights[:keep]
    lines_under = note_lines(notes)
    lines = sum(heights) + head_n + (len(lines_under) + 1 if lines_under else 0)
    fig = style.new_figure((width, max(top + LINE_INCHES * lines + 0.5, min_height)))
    fig.set_layout_engine("none")
    h = fig.get_figheight()
    fig.text(0.5 / width, 1 - 0.45 / h, title, fontsize=14, fontweight="bold", va="top")
    if sub_lines:
        fig.text(
            0.5 / width,
            1 - 0.8 / h,
            "\n".join(sub_lines),
            fontsize=9,
            color="#444444",
            va="top",
            linespacing=1.3,
        )
    edges, y = _draw_body(fig, table, head, wrapped, heights, top)
    if lines_under:
        fig.text(
            edges[0],
            y - LINE_INCHES / h,
            "\n".join(lines_under),
            fontsize=8.5,
            va="top",
            color="#444444",
            linespacing=1.25,
        )
    return fig


def _draw_body(
    fig: Figure,
    table: Table,
    head: list[list[str]],
    wrapped: list[list[list[str]]],
    heights: list[int],
    top: float,
) -> tuple[list[float], float]:
    """The header on its rule and the zebra rows; the column edges and where the rows end
    (figure fractions)."""
    width, h = fig.get_figwidth(), fig.get_figheight()
    head_n = max((len(c) for c in head), default=1)
    total_w = sum(table.widths)
    edges = [0.5 / width]
    for w in table.widths:
        edges.append(edges[-1] + (width - 1.0) / width * w / total_w)
    pad = 0.12 / width

    def cell_x(k: int) -> tuple[float, str]:
        return (edges[k + 1] - pad, "right") if k in table.right else (edges[k], "left")

    y = 1 - top / h - head_n * LINE_INCHES / h
    for k, cell in enumerate(head):  # headers of one line or several stand on the rule
        x, ha = cell_x(k)
        text = "\n".join(cell)
        fig.text(x, y + 0.06 / h, text, fontsize=9, fontweight="bold", va="bottom", ha=ha)
    fig.add_artist(_rule(fig, y + 0.03 / h, width))
    for i, (cells, n) in enumerate(zip(wrapped, heights, strict=True)):
        if i % 2 == 1:
            fig.patches.append(_zebra(fig, y, n, width))
        for k, cell in enumerate(cells):
            x, ha = cell_x(k)
            fig.text(
                x, y - 0.02 / h, "\n".join(cell), fontsize=8.5, va="top", ha=ha, linespacing=1.25
            )
        y -= n * LINE_INCHES / h
    return edges, y


def _rule(fig: Figure, y: float, width: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D(
        [0.5 / width, 1 - 0.5 / width], [y, y], color="#333333", lw=0.8, transform=fig.transFigure
    )


def _zebra(fig: Figure, y: float, n: int, width: float) -> Any:
    from matplotlib.patches import Rectangle

    h = fig.get_figheight()
    return Rectangle(
        (0.4 / width, y - n * LINE_INCHES / h),
        1 - 0.8 / width,
        n * LINE_INCHES / h,
        transform=fig.transFigure,
        color="#F2F2F2",
        zorder=-1,
    )
