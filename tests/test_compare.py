"""``coalsim compare``: paired differences of every metric with 95% CIs."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics.ranges import metric_range
from sim.report import compare as cmp
from sim.report import style
from sim.report.compare_figure import compare_figure

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def run(
    scenario: Path, out: Path, *extra: str, replications: int = 8, horizon_days: int = 90
) -> Path:
    short = ["--replications", str(replications), "--set", f"horizon_days={horizon_days}"]
    args = ["run", str(scenario), *short, "--workers", "1", "--no-report", *extra]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("compare")
    base = SCENARIOS / "baseline.toml"
    surge = SCENARIOS / "patrol_surge.toml"
    out = {"a": run(base, root / "a"), "a_again": run(base, root / "a_again")}
    if surge.exists():
        out["surge"] = run(surge, root / "surge")
    else:  # the shipped surge scenario is not there yet: double every patrol group by hand
        groups = [
            "bohai_strait_patrol",
            "north_shandong_patrol",
            "jiangsu_patrol",
            "zhoushan_patrol",
        ]
        sets = [a for g in groups for a in ("--set", f"patrols.{g}.vessels=4")]
        out["surge"] = run(base, root / "surge", *sets)
    return out


def test_same_scenario_same_seeds_differs_by_exactly_zero(runs: dict[str, Path]) -> None:
    c = cmp.compare_runs(runs["a"], runs["a_again"])
    assert c.paired
    t = c.table
    assert len(t) >= 20 and (t["n"] == 8).all()
    assert (t["diff"] == 0).all()
    assert (t["ci95_low"] == 0).all() and (t["ci95_high"] == 0).all()


def test_patrol_surge_raises_the_seized_share(runs: dict[str, Path]) -> None:
    """Twice the patrols: +4.4 pp (+2.4 to +6.5) over 8 pairs of 90 days. README's example
    shows 4 pairs, too few to rule out no change (+3.4, -0.1 to +6.9)."""
    c = cmp.compare_runs(runs["a"], runs["surge"])
    assert c.paired  # same root seed: replication k of each run shares its streams
    row = c.table.set_index("metric").loc["seizure_share"]
    assert row["diff"] > 0 and row["ci95_low"] > 0, row
    assert row["mean_b"] > row["mean_a"]


def test_unpaired_runs_use_welch(runs: dict[str, Path], tmp_path: Path) -> None:
    other = run(SCENARIOS / "baseline.toml", tmp_path / "seed", "--seed", "7")
    c = cmp.compare_runs(runs["a"], other)
    assert not c.paired and "Welch" in cmp.describe(c)
    row = c.table.set_index("metric").loc["tonnes_delivered"]
    assert row["ci95_low"] < row["diff"] < row["ci95_high"]


def test_compare_command_prints_the_table_and_draws_the_figure(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app, ["compare", str(runs["a"]), str(runs["surge"]), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "seizure_share (%)" in result.stdout and "paired by replication" in result.stdout
    table = pd.read_csv(out / "compare.csv")
    assert {"metric", "mean_a", "mean_b", "diff", "ci95_low", "ci95_high", "n"} <= set(table)
    png = out / "figures" / "compare.png"
    assert png.stat().st_size > 10_000 and (out / "figures" / "compare.svg").stat().st_size > 0
    # about a screen and a half tall, not three (it was 1650 x 3015 px): the PNG header's
    # IHDR chunk holds width and height as big-endian 32-bit integers at bytes 16 to 24
    # (2,100 px: each metric added, such as enforcement_spend_rmb, adds a packed row)
    head = png.read_bytes()[:24]
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert head[12:16] == b"IHDR" and width <= 1650 and height <= 2100, (width, height)
    # `coalsim report` on it says it is a comparison and how to draw it again.
    again = CliRunner().invoke(app, ["report", str(out)])
    assert again.exit_code == 2 and "a comparison (coalsim compare)" in again.output
    assert "not a coalsim results folder" not in again.output


def test_compare_figure_labels_do_not_overlap(runs: dict[str, Path]) -> None:
    from test_report import overlapping_labels

    fig = compare_figure(cmp.compare_runs(runs["a"], runs["surge"]))
    assert overlapping_labels(fig) == []
    # every interval is drawn in one of the three colours that carry its meaning
    from matplotlib.colors import to_hex

    meaning = {to_hex(c) for c in (style.BLUE, style.VERMILLION, style.GREY)}
    drawn = {to_hex(c) for ax in fig.axes for coll in ax.collections for c in coll.get_facecolor()}
    assert drawn and drawn <= meaning, drawn


def test_compare_refuses_a_folder_that_is_not_a_run(runs: dict[str, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["compare", str(runs["a"]), str(tmp_path)])
    assert result.exit_code == 2 and "not a coalsim results folder" in result.stderr


def test_displaced_share_is_the_ratio_of_paired_mean_differences() -> None:
    """B loses 10 t/day on average at the pressured ports against A and gains 5 elsewhere."""
    joined = pd.DataFrame(
        {
            "pressured_tonnes_per_day_after_a": [100.0, 110.0, 90.0, 105.0],
            "pressured_tonnes_per_day_after_b": [90.0, 98.0, 82.0, 95.0],
            "other_tonnes_per_day_after_a": [500.0, 520.0, 480.0, 510.0],
            "other_tonnes_per_day_after_b": [505.0, 527.0, 483.0, 515.0],
        }
    )
    row = cmp.displaced_share(joined)
    assert row is not None
    assert row["diff"] == pytest.approx(20 / 40)
    assert row["ci95_low"] <= 0.5 <= row["ci95_high"]  # type: ignore[operator]
    gained = joined.assign(
        pressured_tonnes_per_day_after_b=joined["pressured_tonnes_per_day_after_a"] + 1
    )
    assert cmp.displaced_share(gained) is None  # B lost nothing at the pressured ports


SWEEP = """
base = "{base}"
replications = 2
[design]
kind = "grid"
[design.parameters]
"enforcement.fine_rmb" = [0.0, 2.4e6]
"""


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-point sweep of the baseline: its runs.csv has a row per point and
    replication, with the same metrics and replication indices as a run's."""
    root = tmp_path_factory.mktemp("compare_sweep")
    (root / "sweep.toml").write_text(SWEEP.format(base=SCENARIOS / "baseline.toml"))
    args = ["sweep", str(root / "sweep.toml"), "--set", "horizon_days=30", "--workers", "1"]
    result = CliRunner().invoke(app, [*args, "--no-report", "--out", str(root / "sweep")])
    assert result.exit_code == 0, result.output
    return root / "sweep"


@pytest.mark.parametrize("position", ["a", "b"])
def test_compare_refuses_a_sweep_folder(
    runs: dict[str, Path], sweep_folder: Path, tmp_path: Path, position: str
) -> None:
    pair = [runs["a"], sweep_folder] if position == "b" else [sweep_folder, runs["a"]]
    result = CliRunner().invoke(app, ["compare", *map(str, pair), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2, result.output
    assert f"{sweep_folder}: holds a sweep's results, not a run" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "cmp").exists()


def test_runs_with_different_replications_are_compared_on_the_shared_ones(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    """A has replications 0-7, B only 0-1: every column is over replications 0 and 1."""
    b = run(SCENARIOS / "baseline.toml", tmp_path / "two", replications=2)
    c = cmp.compare_runs(runs["a"], b)
    assert c.paired
    t = c.table.set_index("metric")
    row = t.loc["tonnes_delivered"]
    a_runs = pd.read_csv(runs["a"] / "runs.csv")
    shared = a_runs[a_runs["replication"] < 2]["tonnes_delivered"].to_numpy(float)
    assert row["mean_a"] == pytest.approx(shared.mean(), rel=1e-12)
    assert row["mean_a"] != pytest.approx(a_runs["tonnes_delivered"].mean(), rel=1e-9)
    assert row["n"] == 2
    plain = t.drop(index=cmp.DISPLACED, errors="ignore")
    finite = np.isfinite(plain["mean_a"]) & np.isfinite(plain["mean_b"])
    assert (plain["diff"][finite] == (plain["mean_b"] - plain["mean_a"])[finite]).all()
    assert (c.shared, c.left_out_a, c.left_out_b) == (2, 6, 0)
    # the same run against itself: B - A is exactly zero although A has six more replications
    assert (cmp.compare_runs(runs["a_again"], b).table["diff"] == 0).all()

    result = CliRunner().invoke(
        app, ["compare", str(b), str(runs["a"]), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    note = (
        "over the 2 replications both runs have; left out: 0 of A's 2 replications and 6 of B's 8"
    )
    assert note in result.stdout
    assert note in (tmp_path / "c" / "compare.txt").read_text()
    assert "left out" not in cmp.describe(cmp.compare_runs(runs["a"], runs["surge"]))


def test_different_horizons_are_compared_with_a_warning(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    short = run(SCENARIOS / "baseline.toml", tmp_path / "short", replications=2, horizon_days=30)
    result = CliRunner().invoke(
        app, ["compare", str(runs["a"]), str(short), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert "warning: the horizons differ (A: 90 days, B: 30 days)" in result.stdout
    assert "horizons differ" not in cmp.describe(cmp.compare_runs(runs["a"], runs["surge"]))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_compare_refuses_to_write_into_a_run_folder(runs: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    target = shutil.copytree(runs["a_again"], tmp_path / "run")
    before = snapshot(target)
    result = CliRunner().invoke(
        app, ["compare", str(runs["a"]), str(runs["surge"]), "--out", str(target)]
    )
    assert result.exit_code == 2, result.output
    assert f"--out {target}: already holds a run's or a sweep's" in result.stderr
    assert snapshot(target) == before


def test_compare_may_rewrite_an_earlier_comparison(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    for b in (runs["surge"], runs["a_again"]):
        result = CliRunner().invoke(app, ["compare", str(runs["a"]), str(b), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert (pd.read_csv(out / "compare.csv")["diff"] == 0).all()  # the second comparison's


# ------------------------------------------------------------------ the figure


@pytest.fixture(scope="module")
def surge_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """README's surge pair, short: the displacement metrics (signed changes) and the
    displaced share exist only for a run that reaches past the change day (120)."""
    root = tmp_path_factory.mktemp("surge_pair")
    kw = {"replications": 6, "horizon_days": 200}
    return (
        run(SCENARIOS / "lianyungang_no_surge.toml", root / "no_surge", **kw),  # type: ignore[arg-type]
        run(SCENARIOS / "lianyungang_surge.toml", root / "surge", **kw),  # type: ignore[arg-type]
    )


def panel_with(fig: Figure, metric: str) -> Axes | None:
    """The axes that has ``metric``'s label among its row labels (a long one is wrapped)."""
    for ax in fig.axes:
        if style.label(metric) in [" ".join(t.get_text().split()) for t in ax.get_yticklabels()]:
            return ax
    return None


def test_compare_figure_draws_relative_change_only_where_it_means_something(
    surge_pair: tuple[Path, Path],
) -> None:
    """A signed metric (a change, a net position) has no '% of A': its A mean can be near
    zero (-39 t/day gave -1,386%). It is drawn with the displaced share, in units, apart
    from the counts, amounts and shares drawn as % of A."""
    from test_report import overlapping_labels

    c = cmp.compare_runs(*surge_pair)
    assert cmp.DISPLACED in set(c.table["metric"])
    fig = compare_figure(c)
    relative = panel_with(fig, "tonnes_delivered")
    assert relative is not None
    table = c.table.set_index("metric")
    signed = [m for m in table.index if metric_range(m)[0] < 0]
    assert signed
    assert table.loc[signed, "relative"].isna().all()  # table: "n/a"
    drawn = [m for m in signed if np.isfinite(table.loc[m, "diff"])]  # a pair to draw
    assert drawn
    texts = [x.get_text() for x in fig.findobj(Text)]
    for m in [*drawn, cmp.DISPLACED]:
        panel = panel_with(fig, m)
        assert panel is not None and panel is not relative, m
        # no scale of its own to guess at: its value and CI are written out, with the unit
        assert not panel.get_xticks().size, m
        d, lo, hi = table.loc[m, ["diff", "ci95_low", "ci95_high"]]
        if m == "pressured_tonnes_per_day_change":
            by_hand = f"{d:+,.0f} t/day ({lo:+,.0f} to {hi:+,.0f})".replace("+0 ", "0 ")
            assert by_hand in texts, (by_hand, texts)
    assert overlapping_labels(fig) == []


def test_compare_figure_keeps_its_axis_readable_and_marks_what_runs_off_it(
    runs: dict[str, Path],
) -> None:
    """One count that goes from 1 to 10 (+900%) must not squash every other row to a dot
    at 0: it runs off a readable axis, with an arrow and its value in text."""
    from test_report import overlapping_labels

    c = cmp.compare_runs(runs["a"], runs["surge"])
    t = c.table.set_index("metric")
    t.loc["shipments_seized_tip", ["mean_a", "mean_b", "diff", "ci95_low", "ci95_high"]] = (
        1.0, 10.0, 9.0, 8.0, 10.0,
    )  # fmt: skip
    t.loc["shipments_seized_tip", "relative"] = 9.0
    fig = compare_figure(replace(c, table=t.reset_index()))
    ax = panel_with(fig, "shipments_seized_tip")
    assert ax is not None
    others = t.drop(index="shipments_seized_tip")
    others = others[np.isfinite(others["relative"])]
    ends = others[["ci95_low", "ci95_high"]].to_numpy().T / others["mean_a"].to_numpy()
    reach = 100 * float(np.nanmax(np.abs(ends)))
    low, high = ax.get_xlim()
    assert reach < 450 and max(-low, high) < 1.2 * reach  # the others set the axis, not +900%
    texts = [x.get_text() for x in fig.findobj(Text)]
    assert any("+900%" in x for x in texts), texts
    assert overlapping_labels(fig) == []


def test_compare_figure_cuts_the_percent_of_a_interval_at_minus_100(
    runs: dict[str, Path],
) -> None:
    """A count cannot fall by more than all of it: a CI of B - A from -3.6 to +1.0 on an A
    mean of 2 is -180% to +50% of A by Student's t, and is drawn from -100% (marked '*')."""
    c = cmp.compare_runs(runs["a"], runs["surge"])
    t = c.table.set_index("metric")
    m = "shipments_seized_tip"
    t.loc[m, ["mean_a", "mean_b", "diff", "ci95_low", "ci95_high"]] = (2.0, 0.6, -1.4, -3.6, 1.0)
    t.loc[m, "relative"] = -0.7
    fig = compare_figure(replace(c, table=t.reset_index()))
    ax = panel_with(fig, m)
    assert ax is not None
    row = [lab.get_text() for lab in ax.get_yticklabels()].index(
        next(
            x.get_text()
            for x in ax.get_yticklabels()
            if " ".join(x.get_text().split()) == style.label(m)
        )
    )
    y = ax.get_yticks()[row]
    lines = [
        seg for coll in ax.collections if hasattr(coll, "get_segments")
        for seg in coll.get_segments() if np.isclose(seg[0][1], y)
    ]  # fmt: skip
    assert len(lines) == 1
    assert min(lines[0][:, 0]) == pytest.approx(-100.0)
    stars = [x for x in ax.texts if x.get_text() == "*"]
    assert len(stars) == 1 and stars[0].xy == pytest.approx((-100.0, y))
    note = " ".join(x.get_text() for x in fig.texts)
    assert "cut at -100%" in note
    # the other rows, none below -100% here, carry no mark
    others = c.table[np.isfinite(c.table["relative"]) & (c.table["metric"] != m)]
    assert (others["ci95_low"] / others["mean_a"] >= -1).all()


@pytest.mark.parametrize("keep", ["relative", "own scale"])
def test_compare_figure_footnote_speaks_of_the_panels_drawn(
    runs: dict[str, Path], keep: str
) -> None:
    """With one panel only, the note must not explain a "lower panel" that is not there."""
    c = cmp.compare_runs(runs["a"], runs["surge"])
    rel = np.isfinite(c.table["relative"].to_numpy(float))
    t = c.table[rel if keep == "relative" else ~rel].reset_index(drop=True)
    fig = compare_figure(replace(c, table=t))
    note = " ".join(x.get_text() for x in fig.texts)
    assert "Lower panel" not in note
    assert ("An arrow at an edge" in note) == (keep == "relative")
    assert ("take either sign" in note) == (keep == "own scale")


# ------------------------------------------------------------------ the printed table


def test_compare_txt_holds_the_full_table(runs: dict[str, Path], tmp_path: Path) -> None:
    """compare.txt is the printed table as aligned plain text, row for row, and the notes."""
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app, ["compare", str(runs["a"]), str(runs["surge"]), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    c = cmp.compare_runs(runs["a"], runs["surge"])
    text = (out / "compare.txt").read_text()
    lines = text.splitlines()
    body = cmp.rows(c)
    starts = [next(i for i, x in enumerate(lines) if x.startswith(row[0] + " ")) for row in body]
    assert starts == sorted(starts)  # the printed table's order
    for i, row in zip(starts, body, strict=True):
        assert re.split(r"\s{2,}", lines[i].strip()) == row
    header = next(i for i, x in enumerate(lines) if x.startswith("metric (unit)"))
    table = lines[header : starts[-1] + 1]
    assert len({len(x) for x in table}) == 1, "columns not aligned"
    assert cmp.describe(c) in text


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "80-column terminal"])
def test_compare_never_breaks_a_metric_name(
    runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """Piped (`coalsim compare A B > out.txt`) or in an 80-column terminal, each metric's
    name (and unit) is printed whole on one line; piped, the whole row is."""
    from rich.console import Console

    import sim.cli.commands

    if terminal:
        narrow = Console(force_terminal=True, width=80, color_system=None)
        monkeypatch.setattr(sim.cli.commands, "out", narrow)
    result = CliRunner().invoke(
        app,
        ["compare", str(runs["a"]), str(runs["surge"]), "--out", str(tmp_path / "c")],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    cells = [[x.strip() for x in line.split("│")] for line in result.stdout.splitlines()]
    for row in cmp.rows(cmp.compare_runs(runs["a"], runs["surge"])):
        line = next((x for x in cells if row[0] in x), None)
        assert line is not None, row[0]
        if not terminal:  # the whole row on one line
            assert [x for x in line if x] == row


def test_compare_names_the_figures_with_their_folder(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app, ["compare", str(runs["a"]), str(runs["surge"]), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    said = re.search(rf"comparison written to {re.escape(str(out))} \((.*)\)", result.stdout)
    assert said is not None, result.stdout
    names = said.group(1).split(", ")
    assert "figures/compare.png" in names and "figures/compare.svg" in names
    assert all((out / name).is_file() for name in names)
