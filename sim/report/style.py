"""One place for how reports look: colours, figure creation and saving; units and labels
come from the metric definitions (``sim.metrics.registry``).

Every figure takes its colours from here, so a party or a cause has the same
colour in every figure. The palette is Okabe and Ito's (2008), which stays
distinguishable under the common forms of colour blindness.

Figures are made as plain ``matplotlib.figure.Figure`` objects on an Agg
canvas, never through ``pyplot``, so making a report changes no global
matplotlib state (no backend switch, no open-figure registry).
"""

from __future__ import annotations

import functools
import io
import itertools
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
from cycler import cycler
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import Formatter

from sim.metrics.registry import definition
from sim.metrics.units import Unit as Unit
from sim.metrics.units import number as number

# Okabe-Ito.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#C8C8C8"

PARTY_COLOURS: dict[str, str] = {
    "DPRK sellers": VERMILLION,
    "Chinese buyers": BLUE,
    "Brokers": PURPLE,
    "State": GREEN,
    "Tipsters": ORANGE,
}
"""Who holds the money or the coal. Seized coal goes to the state, so it is drawn in green."""

CAUSE_COLOURS: dict[str, str] = {
    "patrol": SKY_BLUE,
    "tip": ORANGE,
    "investigation": PURPLE,
}
"""Why a shipment was seized. A tip shares the tipsters' orange."""

CAUSE_LABELS: dict[str, str] = {
    "patrol": "area search by patrol",
    "tip": "tip-off",
    "investigation": "investigation",
}

OUTCOME_COLOURS: dict[str, str] = {
    "delivered": BLUE,
    "seized": GREEN,
    "at_sea": GREY,
    "held": YELLOW,
    "waiting": LIGHT_GREY,
    "loading": LIGHT_GREY,
}

TERMS_COLOURS: dict[str, str] = {"advance": BLACK, "after_delivery": GREY}
TERMS_LABELS: dict[str, str] = {
    "advance": "advance payment",
    "after_delivery": "paid after delivery",
}

NODE_COLOURS: dict[str, str] = {
    "seller": PARTY_COLOURS["DPRK sellers"],
    "broker": PARTY_COLOURS["Brokers"],
    "buyer": PARTY_COLOURS["Chinese buyers"],
}

_SPARE = [YELLOW, BLACK, GREY]


def cause_colour(cause: str) -> str:
    """A cause's colour; causes not known here get the spare colours in a stable order."""
    if cause in CAUSE_COLOURS:
        return CAUSE_COLOURS[cause]
    return _SPARE[sum(map(ord, cause)) % len(_SPARE)]


def cause_label(cause: str) -> str:
    return CAUSE_LABELS.get(cause, cause.replace("_", " ") or "unknown")


# ------------------------------------------------------------------ units


def unit_for(metric: str) -> Unit:
    """The unit ``metric`` is shown in, from its definition."""
    return definition(metric).unit


def shown(metric: str, x: float) -> str:
    """A metric's value in its display unit, with the unit: '3,982 kt', '11.7 %'."""
    u = unit_for(metric)
    return f"{number(u(x))} {u.label}".rstrip()


def label(metric: str) -> str:
    """A metric's name for a title or table, e.g. 'Coal delivered'."""
    return definition(metric).label


def axis_label(metric: str) -> str:
    """'Coal delivered (kt)'; a plain count has no unit."""
    return definition(metric).axis_label


# ------------------------------------------------------------------ figures

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E4E4E4",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "coalsim",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "axes.prop_cycle": cycler(color=[BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE]),
}

WIDE = (10.0, 6.0)
"""The usual figure size, inches: fits a landscape page and a report column."""


@contextmanager
def context() -> Iterator[None]:
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


P = ParamSpec("P")
R = TypeVar("R")


def styled(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a figure function under the report style, whoever calls it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with context():
            return fn(*args, **kwargs)

    return wrapper


def new_figure(size: tuple[float, float] = WIDE) -> Figure:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    with context():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with context():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "coalsim"})
    return buf.getvalue()


def save(fig: Figure, folder: Path, stem: str) -> tuple[Path, Path]:
    """Write ``stem.png`` and ``stem.svg`` into ``folder``; returns both paths."""
    from sim.experiment.store import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    png, svg = folder / f"{stem}.png", folder / f"{stem}.svg"
    write_atomic(png, png_bytes(fig))
    write_atomic(svg, svg_bytes(fig))
    return png, svg


def panel_gap(fig: Figure, wspace: float = 0.08) -> None:
    """Room between side-by-side panels, so one's last tick label keeps off the next's first."""
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(wspace=wspace)


def suptitle(fig: Figure, text: str) -> None:
    """A figure title, wrapped to the figure's width."""
    fig.suptitle("\n".join(textwrap.wrap(text, max(30, int(fig.get_figwidth() * 8.5)))))


def footnote(fig: Figure, text: str) -> None:
    """A small note along the bottom of a figure, with room kept for it by the layout."""
    width_chars = int(fig.get_figwidth() * 14)
    lines = textwrap.wrap(text, width_chars)
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=8, color="#444444", ha="left", va="bottom")
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        bottom = (0.2 + 0.16 * len(lines)) / fig.get_figheight()
        engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom))


class Readable(Formatter):
    """Tick labels with thousands separators and as many decimals as the ticks need.

    The decimals are the fewest that write every tick exactly, so steps of 2.5 or 0.25
    read 2.5, 7.5 and 0.25, 0.75, not 2, 8 and 0.2, 0.8 (round-half-even would).
    """

    decimals = 0

    def set_locs(self, locs: Any) -> None:
        ticks = sorted(float(v) for v in locs)
        steps = [b - a for a, b in itertools.pairwise(ticks) if b > a]
        tolerance = (min(steps) if steps else 1.0) * 1e-6
        self.decimals = next(
            (d for d in range(7) if all(abs(round(v, d) - v) <= tolerance for v in ticks)), 6
        )

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{x:,.{self.decimals}f}"


class Missing(Exception):
    """A figure's data is not in the saved results; ``str()`` is the note the report shows."""
