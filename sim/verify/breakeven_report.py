"""``coalsim breakeven``: the analysis of a scenario, its table, figure, CSVs and page."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.experiment.store import git_commit, write_atomic, write_csv
from sim.model.buyers import ADVANCE
from sim.report import html, style
from sim.report.tables import Table
from sim.scenario import Resolved
from sim.verify.breakeven import Deal, Party, average_deal, effort_for, parties
from sim.verify.breakeven_check import SimPoint, simulate_points

COLUMNS = ["party", "terms", "break-even", "patrol effort", "simulated check", "formula"]
LINES = {
    "buyer_advance": (style.BLUE, "-", "Chinese buyer, advance payment"),
    "buyer_after_delivery": (style.BLUE, "--", "Chinese buyer, paid after delivery"),
    "seller_advance": (style.VERMILLION, "-", "DPRK seller, advance payment"),
    "seller_after_delivery": (style.VERMILLION, "--", "DPRK seller, paid after delivery"),
    "coast_guard": (style.GREEN, ":", "Coast Guard reward budget (per voyage, tip seizures)"),
}


@dataclass(frozen=True)
class Analysis:
    resolved: Resolved
    deal: Deal
    parties: list[Party]
    efforts: dict[str, float]
    """Per party: the multiple of the scenario's patrol effort that gives its q*."""
    points: list[SimPoint]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(p.right_side for p in self.points)


def analyse(resolved: Resolved, quick: bool = False, replications: int = 2) -> Analysis:
    t0 = time.perf_counter()
    deal = average_deal(resolved)
    ps = parties(deal)
    efforts = {p.key: effort_for(resolved, p.break_even) for p in ps if p.key != "coast_guard"}
    points = simulate_points(resolved, quick=quick, replications=replications)
    return Analysis(resolved, deal, ps, efforts, points, time.perf_counter() - t0)


def _money(x: float) -> str:
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if a >= 1e3:
        return f"{x / 1e3:,.0f} k"
    return f"{x:,.0f}"


def break_even_text(p: Party) -> str:
    if p.key == "coast_guard":
        return f"R* = RMB {_money(p.break_even)} per seizure"
    return "none" if math.isnan(p.break_even) else f"q* = {p.break_even:.3f}"


def effort_text(a: Analysis, p: Party) -> str:
    e = a.efforts.get(p.key, math.nan)
    if p.key == "coast_guard":
        return "n/a"
    if math.isinf(e):
        return "unreachable by area search"
    return "n/a" if math.isnan(e) else f"{e:,.1f}x"


def check_text(a: Analysis, p: Party) -> str:
    pts = [x for x in a.points if x.key == p.key]
    if not pts:
        if a.deal.margin <= 0:
            return "not simulated: no buyer signs a deal whose margin is below zero"
        return "not simulated"
    ok = all(x.right_side for x in pts)
    sides = _span([x for x in pts if x.expected_sign > 0], ">", p.key == "coast_guard")
    sides += _span([x for x in pts if x.expected_sign < 0], "<", p.key == "coast_guard")
    return f"{'pass' if ok else 'FAIL'}: {'; '.join(sides)}"


def _span(xs: list[SimPoint], sign: str, reward: bool) -> list[str]:
    """'> 0 at q = 0.355 to 0.954 (6)': where the simulated points sit on one side of zero."""
    if not xs:
        return []
    lo, hi = min(x.realised for x in xs), max(x.realised for x in xs)
    name = "R" if reward else "q"
    a, b = (_money(lo), _money(hi)) if reward else (f"{lo:.3f}", f"{hi:.3f}")
    where = f"{name} = {a}" if lo == hi else f"{name} = {a} to {b}"
    return [f"{sign} 0 at {where} ({len(xs)})"]


def rows(a: Analysis) -> list[list[str]]:
    terms = {"advance": "advance", "after_delivery": "after delivery"}
    return [
        [
            p.party,
            terms.get(p.terms, p.terms),
            break_even_text(p),
            effort_text(a, p),
            check_text(a, p),
            p.formula,
        ]
        for p in a.parties
    ]


def describe(a: Analysis) -> str:
    d, s = a.deal, a.resolved.scenario
    return (
        f"{s.name}: average deal {d.tonnes:,.0f} t at {d.price:,.0f} RMB/t (V = RMB "
        f"{_money(d.value)}), resale x{d.resale:g}, broker fee RMB {_money(d.broker_fee)}, "
        f"fine RMB {_money(d.fine)}, reward RMB {_money(d.reward)}; seller's running cost "
        f"RMB {_money(d.cost_delivered)} a delivered round trip (C_d), {_money(d.cost_seized)} "
        f"to a seizure (C_s). The scenario's patrols intercept {d.interception:.1%} of voyages "
        "by area search (analytic, tips excluded); 'patrol effort' is the multiple of the "
        "scenario's patrol effort that reaches q*."
        + (
            " The policy schedule is not applied: prices, fines and patrols are those of day 0."
            if s.policy
            else ""
        )
    )


def decision_note(a: Analysis) -> str:
    """How the model's buyers use the break-even: on the margin net of the broker's fee,
    less what arrest and being named cost them."""
    d = a.deal
    m = (d.resale - 1) * d.value - d.broker_fee
    if m <= 0:
        return (
            "The model's buyers decide on the same margin, net of the broker's fee, which is "
            f"RMB {_money(m)} here: they sign at no q, so nothing trades."
        )
    qa, qd = d.buyer(True).break_even, d.buyer(False).break_even
    if qd <= 0:
        return (
            "The model's buyers decide on the same terms: the expected cost of being named, "
            f"RMB {_money(d.buyer(False).named)}, exceeds the margin, so they sign at no q."
        )
    return (
        "The model's buyers decide on the same terms, so a buyer holding the prior naming "
        f"belief signs while q <= {max(qa, 0.0):.3f} (advance) and {qd:.3f} (after delivery)."
    )


NAMING_RATES = (0.0, 0.5, 1.0, 2.0, 4.0)
"""Believed times a year a trader is named, at which the buyer's terms are listed."""
TERM_COLUMNS = ["naming_rate_per_year", "margin_rmb", "loss_advance_rmb", "loss_after_rmb",
                "arrest_cost_rmb", "naming_cost_rmb", "break_even_advance",
                "break_even_after_delivery"]  # fmt: skip


def _terms(a: Analysis) -> list[list[float]]:
    """One row of ``TERM_COLUMNS`` per believed naming rate: the scenario's (a new buyer's
    prior) and a few others, since the break-even is a function of it."""
    d = a.deal
    rows = []
    for rate in sorted({d.stakes.naming_rate * 365.0, *NAMING_RATES}):
        adv, aft = d.buyer(True, rate), d.buyer(False, rate)
        rows.append([rate, aft.margin, adv.loss, aft.loss, aft.arrest, aft.named,
                     adv.break_even, aft.break_even])  # fmt: skip
    return rows


def buyer_terms(a: Analysis) -> pd.DataFrame:
    """The buyer's terms one by one (``sim.model.buyer_costs``) and its break-evens
    (breakeven_buyer.csv)."""
    return pd.DataFrame(_terms(a), columns=TERM_COLUMNS)


def terms_rows(a: Analysis) -> list[list[str]]:
    """``buyer_terms`` for the terminal and the page; q* below 0 reads 'none'."""
    prior = a.deal.stakes.naming_rate * 365.0

    def q(x: float) -> str:
        return f"{x:.3f}" if x > 0 else "none"

    return [
        [
            f"{rate:g}" + (" (prior)" if rate == prior else ""),
            _money(margin),
            _money(fine),
            _money(arrest),
            _money(named),
            q(q_adv),
            q(q_aft),
        ]
        for rate, margin, _, fine, arrest, named, q_adv, q_aft in _terms(a)
    ]


TERMS_HEADER = ["named a year", "margin M", "fine F", "arrest C_a", "named C_n",
                "q* advance", "q* after delivery"]  # fmt: skip
TERMS_NOTE = (
    "The buyer's terms per deal (RMB): E = (1 - q) M - q (L + C_a) - C_n, L = V + F under "
    "advance, F after delivery; C_a = a M n H / 365 (arrest: chance a, profit forgone over "
    "H days at n deals a year), C_n = nu (365 A / n + S M) (named at nu a day: accomplice "
    "fine A and S days out); q* = (M - C_n) / (M + L + C_a)."
)


POINT_COLUMNS = ["party", "target", "interception", "interception_low", "interception_high",
                 "profit_rmb", "ci95_low", "ci95_high", "analytic_rmb", "n", "expected_sign",
                 "right_side"]  # fmt: skip


def frames(a: Analysis) -> tuple[pd.DataFrame, pd.DataFrame]:
    """breakeven.csv (one row per party) and breakeven_points.csv (the simulated points)."""
    parties_frame = pd.DataFrame(
        [
            {
                "party": p.key,
                "terms": p.terms,
                "break_even": p.break_even,
                "break_even_kind": "reward_rmb" if p.key == "coast_guard" else "interception",
                "patrol_effort_multiple": a.efforts.get(p.key, math.nan),
                "formula": p.formula,
                "profit_if_none_intercepted_rmb": p.at_zero,
                "profit_if_all_intercepted_rmb": p.at_one,
            }
            for p in a.parties
        ]
    )
    rows = [
        (x.key, x.target, x.realised, x.realised_low, x.realised_high, x.profit, x.low,
         x.high, x.analytic, x.n, x.expected_sign, x.right_side)
        for x in a.points
    ]  # fmt: skip
    points = pd.DataFrame(rows, columns=POINT_COLUMNS)  # keeps its header with no rows
    return parties_frame, points


def _points(ax: Axes, a: Analysis, key: str, colour: str, unit: float) -> None:
    pts = [x for x in a.points if x.key == key]
    if not pts:
        return
    x = np.array([p.realised for p in pts])
    y = np.array([p.profit for p in pts]) / unit
    yerr = np.vstack(
        [y - np.array([p.low for p in pts]) / unit, np.array([p.high for p in pts]) / unit - y]
    )
    xerr = np.vstack(
        [x - np.array([p.realised_low for p in pts]), np.array([p.realised_high for p in pts]) - x]
    )
    bad = [not p.right_side for p in pts]
    ax.errorbar(x, y, yerr=yerr, xerr=xerr, fmt="o", ms=5, capsize=3, color=colour, zorder=4)
    if any(bad):
        ax.scatter(x[bad], y[bad], marker="x", s=90, color=style.BLACK, zorder=5)


def _lines(ax: Axes, a: Analysis, lo: float, hi: float, keys: list[str], unit: float = 1e6) -> None:
    q = np.linspace(lo, hi, 200)
    for p in a.parties:
        if p.key not in keys:
            continue
        colour, ls, label = LINES[p.key]
        profit = (1 - q) * p.at_zero + q * p.at_one
        if p.key == "coast_guard":  # net of the reward budget per voyage: q (F + V - R)
            profit = q * p.at_one
        ax.plot(q, profit / unit, color=colour, ls=ls, lw=1.8, label=label)
        if p.key != "coast_guard" and lo < p.break_even < hi:
            ax.axvline(p.break_even, color=colour, ls=ls, lw=0.8, alpha=0.6)
            left = p.break_even > lo + 0.85 * (hi - lo)  # keep the label inside the axes
            ax.annotate(
                f"q* = {p.break_even:.3f}",
                (p.break_even, 0),
                xytext=(-4 if left else 4, 6),
                textcoords="offset points",
                fontsize=8,
                color=colour,
                ha="right" if left else "left",
            )
        _points(ax, a, p.key, colour, unit)
    ax.axhline(0, color="#333333", lw=0.8)


@style.styled
def figure(a: Analysis) -> Figure:
    """Expected profit per deal against interception probability, one line per party and
    terms, with the simulated points; a zoom on the seller; the reward budget against R."""
    fig = style.new_figure((11.0, 9.0))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.6, 1])
    main = fig.add_subplot(grid[0, :])
    _draw_parties(main, a)
    zoom = fig.add_subplot(grid[1, 0])
    _draw_seller_zoom(zoom, a)
    ax = fig.add_subplot(grid[1, 1])
    _draw_reward_budget(ax, a)
    for axis in (main, zoom, ax):
        axis.yaxis.set_major_formatter(style.Readable())
    style.suptitle(fig, f"Break-even of each party: {a.resolved.scenario.name}")
    style.footnote(
        fig,
        "Lines: expected profit per deal for the scenario's average deal; "
        "dots: simulated mean profit per deal in the check world (the same deal on "
        "one route with a set interception probability), with 95% CIs for profit "
        "and interception. " + describe(a),
    )
    return fig


def _draw_parties(ax: Axes, a: Analysis) -> None:
    """The traders' expected profit per deal over the whole range of q. The Coast Guard's
    budget is in state's money per seizure, not a trader's profit per deal: it has its own
    panel, never this axis."""
    _lines(ax, a, 0.0, 1.0, [k for k in LINES if k != "coast_guard"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("Interception probability per voyage q")
    ax.set_ylabel("Expected profit per deal (million RMB)")
    ax.set_title("Expected profit per deal against the chance a voyage is intercepted")
    ax.legend(loc="lower left", fontsize=8)


def _draw_seller_zoom(ax: Axes, a: Analysis) -> None:
    """The seller paid after delivery near its break-even, which lies close to q = 1."""
    seller = next(p for p in a.parties if p.key == "seller_after_delivery")
    q_star = seller.break_even if math.isfinite(seller.break_even) else 0.975
    lo = max(0.0, 1 - 4 * (1 - q_star))
    _lines(ax, a, lo, 1.0, ["seller_after_delivery"], unit=1e3)
    ax.set_xlim(lo, 1.0)
    ends = [seller.profit(lo) / 1e3, seller.at_one / 1e3, 0.0]
    pad = 0.15 * (max(ends) - min(ends)) or 50.0
    ax.set_ylim(min(ends) - pad, max(ends) + pad)
    ax.set_xlabel("Interception probability per voyage q")
    ax.set_ylabel("Expected profit per deal (thousand RMB)")
    ax.set_title("DPRK seller paid after delivery, near its break-even")


def _draw_reward_budget(ax: Axes, a: Analysis) -> None:
    """The state's net per tip seizure against the reward R, the scenario's R and the
    simulated points."""
    cg = next(p for p in a.parties if p.key == "coast_guard")
    r = np.linspace(0, 2 * cg.break_even, 100)
    ax.plot(r / 1e6, (cg.break_even - r) / 1e6, color=style.GREEN, lw=1.8, label="F + V - R")
    ax.axhline(0, color="#333333", lw=0.8)
    ax.axvline(cg.break_even / 1e6, color=style.GREEN, lw=0.8, alpha=0.6)
    ax.axvline(
        a.deal.reward / 1e6,
        color=style.ORANGE,
        lw=1.2,
        label=f"scenario's reward, RMB {_money(a.deal.reward)}",
    )
    ax.annotate(
        f"R* = {cg.break_even / 1e6:.2f} M",
        (cg.break_even / 1e6, 0),
        xytext=(4, 6),
        textcoords="offset points",
        fontsize=8,
        color=style.GREEN,
    )
    pts = [x for x in a.points if x.key == "coast_guard"]
    if pts:
        x = np.array([p.realised for p in pts]) / 1e6
        y = np.array([p.profit for p in pts]) / 1e6
        yerr = np.vstack(
            [y - np.array([p.low for p in pts]) / 1e6, np.array([p.high for p in pts]) / 1e6 - y]
        )
        ax.errorbar(
            x,
            y,
            yerr=yerr,
            fmt="o",
            ms=5,
            capsize=3,
            color=style.GREEN,
            label="simulated (95% CI)",
            zorder=4,
        )
    ax.set_xlabel("Reward per seizure R (million RMB)")
    ax.set_ylabel("State's net per tip seizure (million RMB)")
    ax.set_title("Coast Guard reward budget")
    ax.legend(loc="upper right", fontsize=8)


def _table(body: list[list[str]]) -> Table:
    return Table(COLUMNS, body, [22, 14, 24, 12, 36, 36], ())


def _where(x: SimPoint) -> str:
    if x.key == "coast_guard":
        return f"R = RMB {_money(x.realised)}"
    return f"{x.realised:.3f} ({x.realised_low:.3f} to {x.realised_high:.3f})"


def _points_table(a: Analysis) -> Table:
    """Each simulated point: where it sits, its profit with CI, the analytic profit there."""
    return Table(
        [
            "party",
            "interception q (95% CI) or reward R",
            "profit per deal (95% CI)",
            "analytic",
            "n",
            "right side",
        ],
        [
            [
                x.key,
                _where(x),
                f"{_money(x.profit)} ({_money(x.low)} to {_money(x.high)})",
                _money(x.analytic),
                f"{x.n:,}",
                "yes" if x.right_side else "NO",
            ]
            for x in a.points
        ],
        [22, 26, 30, 10, 6, 6],
        (4,),
    )


def write(a: Analysis, folder: Path) -> list[Path]:
    """breakeven.csv, breakeven_points.csv, figures/breakeven.png|svg and report.html."""
    folder.mkdir(parents=True, exist_ok=True)
    table, points = frames(a)
    files = [folder / "breakeven.csv", folder / "breakeven_points.csv", folder / "report.html",
             folder / "breakeven_buyer.csv"]  # fmt: skip
    write_csv(files[0], table)
    write_csv(files[1], points)
    write_csv(files[3], buyer_terms(a))
    png, svg = style.save(figure(a), folder / "figures", "breakeven")
    blocks = [
        html.Block(
            "table",
            "Break-even of each party",
            describe(a) + " " + decision_note(a),
            table=_table(rows(a)),
        ),
        html.Block(
            "terms",
            "The buyer's terms",
            TERMS_NOTE,
            table=Table(TERMS_HEADER, terms_rows(a), [14, 12, 12, 12, 12, 10, 12], ()),
        ),
        html.Block(
            "figure",
            "Expected profit against interception",
            png=png.read_bytes(),
            files=["figures/breakeven.png", "figures/breakeven.svg"],
        ),
        html.Block(
            "points",
            "Simulated points",
            "Profit per deal in RMB with 95% CIs; "
            "right side: the interval lies on the side of zero the break-even says.",
            table=_points_table(a),
        ),
    ]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    commit = git_commit()
    meta = f"{a.resolved.source or a.resolved.scenario.name}; made {stamp}" + (
        f" from commit {commit[:12]}" if commit else ""
    )
    footer = "Analytic break-evens from sim/verify/breakeven.py; checks from breakeven_check.py."
    write_atomic(
        files[2], html.page(f"Break-even: {a.resolved.scenario.name}", meta, blocks, footer)
    )
    return [*files, png, svg]


__all__ = ["ADVANCE", "Analysis", "analyse", "buyer_terms", "rows", "terms_rows", "write"]
