"""Run reports: every figure draws from a small saved run, the HTML and PDF are whole.

One short run of the baseline is made per session and copied for tests that
write into it. Figures whose data the run lacks (today: the trading network)
are drawn from small tables the test adds, so every figure function is
exercised now, not only once the model saves that data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from sim.cli import app
from sim.report import displacement, make_report, money, network, observed, run_figures, style
from sim.report.data import load_run
from sim.report.map import region_map
from sim.report.style import Missing

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
FIGURES: dict[str, Callable[..., Figure]] = {
    "tonnes": run_figures.cumulative_tonnes,
    "outcomes": run_figures.outcomes,
    "money": money.money,
    "buyers": run_figures.buyers_and_beliefs,
    "terms": run_figures.payment_terms,
    "volume": displacement.volume_by_destination,
    "map": region_map,
    "network": network.trading_network,
    "revenue": run_figures.revenue_histogram,
    "observed": observed.truth_and_seen,
}
SECTIONS = ["headline", *FIGURES, "zones", "parameters", "metrics"]


@pytest.fixture(scope="session")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 days of the baseline, 3 replications, saved without a report."""
    out = tmp_path_factory.mktemp("report") / "run"
    args = ["run", str(BASELINE), "--replications", "3", "--set", "horizon_days=60"]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists()
    return out


def add_network(folder: Path) -> None:
    """A small trading network in the agreed format, if the run did not save one."""
    if (folder / "network_nodes.csv").exists():
        return
    nodes = [("s0", "seller"), ("s1", "seller")] + [(f"k{i}", "broker") for i in range(4)]
    nodes += [(f"b{i}", "buyer") for i in range(12)]
    named = {"k1": 900.0, "b2": 950.0, "b3": 960.0, "b7": 1200.0}
    edges = [("s0", "k0"), ("s0", "k1"), ("s1", "k2"), ("s1", "k3"), ("s0", "k3")]
    edges += [(f"k{i % 4}", f"b{i}") for i in range(12)] + [("k1", "b5"), ("k2", "b9")]
    pd.DataFrame(
        [{"replication": 0, "node": n, "kind": k, "named_at_hours": named.get(n)} for n, k in nodes]
    ).to_csv(folder / "network_nodes.csv", index=False)
    pd.DataFrame([{"replication": 0, "source": a, "target": b} for a, b in edges]).to_csv(
        folder / "network_edges.csv", index=False
    )


@pytest.fixture(scope="session")
def full_run(saved_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("full") / "run"
    shutil.copytree(saved_run, folder)
    add_network(folder)
    return folder


@pytest.fixture(scope="session")
def report(full_run: Path) -> Path:
    """The full run's report, made as a user would: ``coalsim report RESULTS_DIR``."""
    result = CliRunner().invoke(app, ["report", str(full_run)])
    assert result.exit_code == 0, result.output
    assert f"report written to {full_run / 'report.html'}" in result.stdout
    return full_run


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts a reader sees: tick labels only for ticks inside the axis's view."""
    ticks: set[int] = set()
    shown: list[Text] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                labels = [tick.label1, tick.label2]
                ticks.update(id(t) for t in labels)
                if ax.get_visible() and lo - 1e-9 * abs(
                    hi - lo
                ) <= tick.get_loc() <= hi + 1e-9 * abs(hi - lo):
                    shown += [t for t in labels if t.get_visible()]
    others = [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible()]
    return [t for t in shown + others if t.get_text().strip() and t.get_figure() is not None]


def overlapping_labels(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap, and texts cut off at the figure's edge."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [
        (t.get_text(), t.get_window_extent(renderer).shrunk(0.98, 0.9)) for t in drawn_texts(fig)
    ]
    page = fig.bbox.padded(1)
    outside = [
        (a, "(outside the figure)")
        for a, b in boxes
        if not (page.contains(b.x0, b.y0) and page.contains(b.x1, b.y1))
    ]
    return outside + [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_draws_and_saves(full_run: Path, tmp_path: Path, name: str) -> None:
    fig = FIGURES[name](load_run(full_run))
    png, svg = style.save(fig, tmp_path, name)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()[:2000] and svg.stat().st_size > 5_000
    assert fig.axes and all(ax.get_title() or fig.get_suptitle() for ax in fig.axes if ax.axison)
    assert overlapping_labels(fig) == [], name


def test_map_keeps_port_names_apart(full_run: Path) -> None:
    """Nampo and Songnim lie 16 km apart: their names must not run into one another
    (the overlap check above allows boxes that touch, which reads as one name)."""
    data = load_run(full_run)
    fig = region_map(data)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ports = {p["name"] for p in data.scenario["ports"]}
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in drawn_texts(fig)
        if t.get_text() in ports
    ]
    assert {"Nampo", "Songnim"} <= {name for name, _ in boxes}
    close = [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.padded(2).overlaps(bb)]
    assert close == []


def test_figures_without_their_data_say_what_is_missing(saved_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bare"
    shutil.copytree(saved_run, folder)
    for name in ("network_nodes.csv", "network_edges.csv", "volume.csv", "zones.csv"):
        (folder / name).unlink(missing_ok=True)  # results saved before these tables existed
    ts = pd.read_csv(folder / "timeseries.csv")
    ts.drop(columns=[c for c in ("buyers_active", "mean_belief") if c in ts]).to_csv(
        folder / "timeseries.csv", index=False
    )
    data = load_run(folder)
    for fn in (network.trading_network, run_figures.buyers_and_beliefs):
        with pytest.raises(Missing, match=r"network_nodes\.csv|buyers_active"):
            fn(data)
    written = make_report(folder)
    # the baseline names public figures, so its record table is drawn from summary.csv
    assert set(written.notes) == {"network", "buyers", "volume", "zones"}
    assert "volume.csv" in written.notes["volume"] and "zones.csv" in written.notes["zones"]
    assert not (folder / "figures" / "volume.png").exists()
    page = written.html.read_text(encoding="utf-8")
    for key in written.notes:
        section = page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
        assert '<p class="note">Not drawn:' in section and "<img" not in section


def test_one_replication_gets_its_revenue_not_a_histogram(saved_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    shutil.copytree(saved_run, folder)
    runs = pd.read_csv(folder / "runs.csv")
    runs[runs["replication"] == 0].to_csv(folder / "runs.csv", index=False)
    paid = runs.loc[runs["replication"] == 0, "dprk_revenue_rmb"].iloc[0] / 1e6
    with pytest.raises(Missing, match="one replication") as why:
        run_figures.revenue_histogram(load_run(folder))
    assert f"{paid:,.0f} million RMB" in str(why.value)


def test_results_from_before_the_observer_get_a_note(saved_run: Path, tmp_path: Path) -> None:
    folder = tmp_path / "old"
    shutil.copytree(saved_run, folder)
    runs = pd.read_csv(folder / "runs.csv")
    runs.drop(columns=["observed_tonnes", "dark_figure"]).to_csv(folder / "runs.csv", index=False)
    with pytest.raises(Missing, match="no observation metrics"):
        observed.truth_and_seen(load_run(folder))


def test_report_writes_figures_html_and_pdf(report: Path) -> None:
    for key in FIGURES:
        for ext in ("png", "svg"):
            assert (report / "figures" / f"{key}.{ext}").stat().st_size > 0, (key, ext)
    assert (report / "report.html").is_file() and (report / "report.pdf").is_file()


def test_html_has_every_section_and_inlines_its_images(report: Path) -> None:
    page = (report / "report.html").read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in page, key
    images = re.findall(r'<img src="([^"]*)"', page)
    assert len(images) == len(FIGURES)
    assert all(src.startswith("data:image/png;base64,") for src in images)
    # Nothing is fetched from anywhere: no URL scheme but data:, no external resource tags.
    assert not re.search(r"(?i)\b(https?|ftp|file)://", page)
    assert not re.search(r"(?i)<(script|link|iframe|object|embed)\b", page)
    assert not re.search(r'(?i)\s(src|href)="(?!data:|#)', page)
    assert "Content-Security-Policy" in page


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", path.read_bytes()))


PAGES = [  # (title in the contents, words on the page itself)
    ("Coal delivered and seized over time", "cumulative coal delivered and seized"),
    ("Lots by outcome and cause", "lots of coal by outcome and cause"),
    ("Money by party", "money by party"),
    ("Buyers and risk beliefs over time", "buyers and their risk beliefs"),
    ("Payment terms over time", "payment terms of contracts"),
    ("Coal delivered by destination over time", "coal delivered by destination over time"),
    ("Seizures per patrol hour by zone", "Seizures per patrol hour by zone"),
    ("What an outside observer sees", "what happened and what was seen"),
    ("Against the public record", "Against the public record"),
    ("Map of the region", "routes, enforcement zones and seizures"),
    ("Trading network before and after investigations", "trading network before and after"),
    ("DPRK-side revenue across replications", "DPRK-side revenue across"),
    # long tables go on as many A4 pages as they need
    ("Scenario parameters (1 of 3)", "Scenario parameters (1 of 3)"),
    ("Scenario parameters (2 of 3)", "Scenario parameters (2 of 3)"),
    ("Scenario parameters (3 of 3)", "Scenario parameters (3 of 3)"),
    ("Every metric (1 of 2)", "Every metric (1 of 2)"),
    ("Every metric (2 of 2)", "Every metric (2 of 2)"),
]


def test_no_pdf_page_is_taller_than_a4(report: Path) -> None:
    from test_report_sweep import page_sizes

    sizes = page_sizes(report / "report.pdf")
    assert len(sizes) == 1 + len(PAGES)
    assert max(h for _, h in sizes) <= 842.0, sizes  # A4 is 595 x 842 pt
    # every page one size, to print: A4, upright or sideways (figures were of mixed sizes)
    for w, h in sizes:
        assert sorted((round(w), round(h))) == [595, 842], (w, h)
    # the title page and every table page are whole A4 pages, to print
    tables = [k + 1 for k, (title, _) in enumerate(PAGES) if title.startswith("Scenario param")]
    for k in [0, *tables]:  # the title page and the parameters stand upright
        assert sizes[k] == pytest.approx((595.4, 841.7), abs=0.5), (k, sizes[k])
    every = [k + 1 for k, (title, _) in enumerate(PAGES) if title.startswith("Every metric")]
    for k in every:  # the every-metric table lies sideways, room for its meanings
        assert sizes[k] == pytest.approx((841.7, 595.4), abs=0.5), (k, sizes[k])


def test_pdf_has_title_page_then_one_page_per_figure_and_table(report: Path) -> None:
    assert pdf_pages(report / "report.pdf") == 1 + len(PAGES)
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is not installed; .ci/run installs it")
        return
    text = subprocess.run(
        ["pdftotext", "-layout", str(report / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == 1 + len(PAGES)
    front = " ".join(pages[0].split())
    assert "coalsim report: baseline" in front and "Coal delivered" in front
    for i, (title, _) in enumerate(PAGES, start=2):
        assert f"p. {i}: {title}" in front, title  # the contents line on the title page
    for page, (title, words) in zip(pages[1:], PAGES, strict=True):
        assert words in " ".join(page.split()), title


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def test_html_renders_in_headless_chromium_with_its_images(report: Path, tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # A copy with a probe that records, once the page has loaded, whether every image decoded.
    page = (report / "report.html").read_text(encoding="utf-8")
    probe = (
        "<script>window.addEventListener('load', () => {"
        " const imgs = [...document.images];"
        " const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;"
        " document.body.setAttribute('data-probe', ok + '/' + imgs.length); });</script>"
    )
    probed = page.replace("script-src 'none'", "").replace(
        "default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';"
    )
    probed = probed.replace("</body>", probe + "</body>")
    target = tmp_path / "probe.html"
    target.write_text(probed, encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", target.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'data-probe="(\d+)/(\d+)"', dom.stdout)
    assert found, "the page did not finish loading"
    assert found.group(1) == found.group(2) == str(len(FIGURES))
    # And the report itself, as it is, renders to a non-blank screenshot.
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            *flags,
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            (report / "report.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 50_000


def test_report_command_refuses_what_is_not_a_finished_result(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not a coalsim results folder" in result.stderr
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "manifest.json").write_text(json.dumps({"kind": "run", "status": "running"}))
    result = runner.invoke(app, ["report", str(unfinished)])
    assert result.exit_code == 2 and "not complete (status: running)" in result.stderr


def test_run_writes_its_report_unless_told_not_to(tmp_path: Path) -> None:
    out = tmp_path / "r"
    args = ["run", str(BASELINE), "--replications", "2", "--set", "horizon_days=20"]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"report written to {out / 'report.html'}" in result.stdout
    assert (out / "report.pdf").stat().st_size > 0 and (out / "figures" / "map.png").exists()


NO_LOTS = [
    f"sellers.{k}.{key}" for k in range(4) for key in ("lot_interval=fixed", "lot_interval_days=60")
]
"""Every seller's first lot is due after the 30 days the run lasts: no lot, no voyage."""
NO_DATA = {"tonnes", "outcomes", "money", "terms", "volume", "revenue", "observed"}
"""The parts of a run without lots that have nothing to draw."""


def section(page: str, key: str) -> str:
    return page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]


@pytest.fixture(scope="session")
def run_without_lots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run in which no seller had a lot ready, reported as ``coalsim run`` does."""
    out = tmp_path_factory.mktemp("nolots") / "run"
    sets = [x for s in ["horizon_days=30", *NO_LOTS] for x in ("--set", s)]
    args = ["run", str(BASELINE), "--replications", "2", "--workers", "1", *sets]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"report written to {out / 'report.html'}" in result.stdout
    assert len(pd.read_csv(out / "shipments.csv")) == 0  # the case under test
    return out


def test_a_run_without_lots_gets_a_complete_report(run_without_lots: Path) -> None:
    out = run_without_lots
    assert (out / "report.pdf").stat().st_size > 0
    page = (out / "report.html").read_text(encoding="utf-8")
    for key in SECTIONS:
        assert f'<section id="{key}">' in page, key
    for key in NO_DATA:
        text = section(page, key)
        assert '<p class="note">Not drawn:' in text and "<img" not in text, key
        assert not (out / "figures" / f"{key}.png").exists(), key
    assert "no lot of coal was ready to ship" in section(page, "outcomes")
    assert "no coal was delivered or seized" in section(page, "tonnes")
    assert "nothing to see" in section(page, "observed")
    for key in set(FIGURES) - NO_DATA:  # the map, the buyers and their network are there
        assert "<img" in section(page, key), key
    # The title page, one page per figure drawn, the zones and public-record tables, then the
    # parameters and every metric over as many A4 pages as each needs (the title page's
    # contents say how many)
    pages = make_report(out).pages  # written again, to list the pages' titles
    assert pdf_pages(out / "report.pdf") == len(pages)
    long_tables = [t for t in pages if t.startswith(("Scenario parameters (", "Every metric ("))]
    assert len(long_tables) >= 4
    assert len(pages) == 1 + len(FIGURES) - len(NO_DATA) + 2 + len(long_tables)


@pytest.mark.parametrize("kind", ["header only", "empty file"])
def test_a_run_whose_tables_have_no_rows_gets_a_note_for_each(
    run_without_lots: Path, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_without_lots, folder)
    tables = ["timeseries", "shipments", "volume", "zones", "network_nodes", "network_edges"]
    for name in tables:
        path = folder / f"{name}.csv"
        header = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
        path.write_text(header if kind == "header only" else "", encoding="utf-8")
    written = make_report(folder)
    assert set(written.notes) == set(FIGURES) - {"map"} | {"zones"}  # record: summary.csv
    page = written.html.read_text(encoding="utf-8")
    for key in written.notes:
        assert '<p class="note">Not drawn:' in section(page, key), key
    assert "<img" in section(page, "map") and written.pdf.stat().st_size > 0


def cut_mid_file(text: str) -> str:
    """Three characters short of the end of a row past the middle: a file cut mid-row."""
    end_of_row = text.index("\n", len(text) // 2)
    return text[: end_of_row - 3]


def cut_header(text: str) -> str:
    return text.split("\n", 1)[0][:60] + "\n"


def cut_row_then_newline(text: str) -> str:
    """Five whole rows and half of the sixth, ended as if it were whole."""
    lines = text.split("\n")
    return "\n".join([*lines[:6], lines[6][: len(lines[6]) // 2]]) + "\n"


@pytest.mark.parametrize(
    ("table", "cut", "says"),
    [
        ("shipments.csv", cut_mid_file, "ends in the middle of a row"),
        ("shipments.csv", cut_header, "header lacks the column"),
        ("shipments.csv", cut_row_then_newline, "the row on line 7 lacks values in"),
        ("zones.csv", cut_mid_file, "ends in the middle of a row"),
    ],
)
def test_a_damaged_table_is_refused_with_one_message_naming_it(
    saved_run: Path, tmp_path: Path, table: str, cut: Callable[[str], str], says: str
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(saved_run, folder)
    path = folder / table
    path.write_text(cut(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith(f"error: {path}: damaged") and says in message, message
    assert len(message.splitlines()) == 1 and "retry" not in message
    assert not (folder / "report.html").exists()


def test_colours_are_one_per_party_and_cause_and_colour_blind_safe() -> None:
    okabe_ito = {
        style.BLACK,
        style.ORANGE,
        style.SKY_BLUE,
        style.GREEN,
        style.YELLOW,
        style.BLUE,
        style.VERMILLION,
        style.PURPLE,
    }
    assert len(set(style.PARTY_COLOURS.values())) == len(style.PARTY_COLOURS)
    assert len(set(style.CAUSE_COLOURS.values())) == len(style.CAUSE_COLOURS)
    assert set(style.PARTY_COLOURS.values()) <= okabe_ito
    assert set(style.CAUSE_COLOURS.values()) <= okabe_ito
    assert style.NODE_COLOURS["seller"] == style.PARTY_COLOURS["DPRK sellers"]
    assert style.shown("tonnes_delivered", 3_982_000.0) == "3,982 kt"
    assert style.shown("dprk_revenue_rmb", 1.689e9) == "1,689 million RMB"
    assert style.shown("seizure_share", 0.117) == "11.7 %"


def test_the_parameters_page_says_what_is_unset_in_words() -> None:
    """An unset key read 'None' and an empty list '0 entries' on the parameters page."""
    from sim.report.tables import parameter_table
    from sim.scenario import Scenario

    s = Scenario().model_dump(mode="json")  # no policy, no change day, max_events unset
    rows = dict(parameter_table(s, {"replications": 1}).rows)
    assert rows["policy"] == "none" and rows["displacement.change_day"] == "not set"
    assert not any(v in ("None", "0 entries") or v.startswith("None") for v in rows.values())


def test_every_figure_over_time_marks_the_day_of_a_policy_change(saved_run: Path) -> None:
    import copy

    data = load_run(saved_run)
    data = type(data)(**{**data.__dict__, "manifest": copy.deepcopy(data.manifest)})
    data.manifest["scenario"]["policy"] = [{"day": 35.0, "set": {"tips.reward_share": 0.3}}]
    for fn in (run_figures.cumulative_tonnes, run_figures.buyers_and_beliefs,
               run_figures.payment_terms):  # fmt: skip
        fig = fn(data)
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
        for ax in panels:
            xs = [line.get_xdata() for line in ax.lines]
            assert any(len(x) == 2 and x[0] == x[1] == 5.0 for x in xs), fn.__name__


def test_report_on_a_verify_folder_says_how_to_redraw_it(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "verify.csv").write_text("check\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 2
    assert "the results of coalsim verify; its report.html is already in it" in result.stderr


def test_zone_table_names_each_zone_as_the_map_does_and_rates_per_thousand_hours() -> None:
    """Two replications by hand: 1 seizure in 1,000 h and 3 in 3,000 h are 1 per 1,000 h."""
    from types import SimpleNamespace

    zones = pd.DataFrame(
        {
            "replication": [0, 1],
            "zone": ["bohai_strait", "bohai_strait"],
            "patrol_hours_on_station": [1000.0, 3000.0],
            "seizures": [1, 3],
            "tips": [0, 2],
        }
    )
    data = SimpleNamespace(table=lambda name, *columns: zones)
    (row,) = displacement.zone_table(data).rows  # type: ignore[arg-type]
    assert row[:5] == ["bohai strait", "2.00", "2.00", "1.00", "1.00"]


def test_the_footer_says_which_parts_ran_compiled() -> None:
    """A reader comparing run times needs to know what ``make fast`` compiled."""
    from sim.report.build import _meta_line

    base = {"package_version": "0.1.0", "finished_at": "2026-12-05T10:00:00"}
    assert _meta_line(base) == "finished 2026-12-05T10:00:00, coalsim 0.1.0"
    both = {**base, "model_compiled": True, "kernel_compiled": True}
    assert _meta_line(both).endswith("coalsim 0.1.0 (compiled model and SimPy kernel)")
    assert _meta_line({**base, "model_compiled": True}).endswith("(compiled model)")
