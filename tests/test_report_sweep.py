"""Sweep reports, on small synthetic sweep folders in the agreed format.

design.csv (point + one column per key path), runs.csv (point, replication,
seed, metrics), summary.csv in long form, sensitivity.csv for sobol and
morris designs, and a manifest with kind "sweep".
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from test_report import overlapping_labels, pdf_pages
from typer.testing import CliRunner

from sim.cli import app
from sim.report import make_report, style, sweep_figures, sweep_report, sweep_sensitivity
from sim.report.data import load_sweep, mean_ci
from sim.report.style import Missing
from sim.report.tables import table_figure

VESSELS = "patrols.jiangsu_patrol.vessels"
FINE = "enforcement.fine_rmb"
RESALE = "contract.resale_multiplier"
METRICS = ["seizure_share", "tonnes_delivered", "dprk_revenue_rmb"]
OUTPUTS = METRICS[:2]
"""What the sweeps are about; the report draws these (and the tables hold every metric)."""


def make_sweep(folder: Path, design: str, levels: dict[str, list[Any]], reps: int = 3) -> Path:
    """A sweep folder whose outputs move with the first (numeric) parameter only."""
    rng = np.random.default_rng(7)
    keys = list(levels)
    if design == "grid":
        points = list(itertools.product(*levels.values()))
    elif design == "oat":
        base = {k: v[len(v) // 2] for k, v in levels.items()}
        points = [tuple(base.values())]
        for k, vs in levels.items():
            points += [tuple({**base, k: v}.values()) for v in vs if v != base[k]]
    else:
        points = [tuple(rng.uniform(min(v), max(v)) for v in levels.values()) for _ in range(30)]
    dz = pd.DataFrame(points, columns=keys)
    dz.insert(0, "point", range(len(dz)))
    runs = []
    for _, r in dz.iterrows():
        for rep in range(reps):
            share = 0.04 + 0.02 * float(r[keys[0]]) + rng.normal(0, 0.004)
            runs.append(
                {
                    "point": int(r["point"]),
                    "replication": rep,
                    "seed": 2019,
                    "seizure_share": share,
                    "tonnes_delivered": 4e6 * (1 - share),
                    "dprk_revenue_rmb": 1.7e9 * (1 - share) + rng.normal(0, 1e7),
                }
            )
    rf = pd.DataFrame(runs)
    summary = []
    for p, g in rf.groupby("point"):
        for m in METRICS:
            mean, lo, hi, n = mean_ci(g[m])
            summary.append(
                {
                    "point": p,
                    "metric": m,
                    "mean": mean,
                    "std": g[m].std(),
                    "ci95_low": lo,
                    "ci95_high": hi,
                    "n": n,
                }
            )
    folder.mkdir(parents=True)
    dz.to_csv(folder / "design.csv", index=False)
    rf.to_csv(folder / "runs.csv", index=False)
    pd.DataFrame(summary).to_csv(folder / "summary.csv", index=False)
    indices = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}.get(design)
    if indices:
        sens = [
            {
                "metric": m,
                "parameter": k,
                "index": idx,
                "value": v,
                "ci95_low": 0.8 * v,
                "ci95_high": 1.2 * v,
            }
            for m in METRICS
            for i, k in enumerate(keys)
            for idx in indices
            for v in [(0.6, 0.25, 0.1)[i % 3] * (1.3 if idx in ("ST", "sigma") else 1)]
        ]
        pd.DataFrame(sens).to_csv(folder / "sensitivity.csv", index=False)
    manifest = {
        "kind": "sweep",
        "status": "complete",
        "name": f"test_{design}",
        "design": design,
        "parameters": keys,
        "outputs": OUTPUTS,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


DESIGNS = {
    "grid": {VESSELS: [1, 2, 4, 6], FINE: [6e5, 1.2e6, 2.4e6]},
    "oat": {VESSELS: [1, 2, 4], RESALE: [2.0, 2.5, 3.0], FINE: [6e5, 1.2e6, 2.4e6]},
    "sobol": {VESSELS: [1, 6], RESALE: [2.0, 3.0], FINE: [6e5, 2.4e6]},
    "morris": {VESSELS: [1, 6], RESALE: [2.0, 3.0]},
}


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sweeps")
    return {d: make_sweep(root / d, d, levels) for d, levels in DESIGNS.items()}


@pytest.mark.parametrize("design", list(DESIGNS))
def test_response_figures_draw_for_every_design(
    sweeps: dict[str, Path], design: str, tmp_path: Path
) -> None:
    sweep = load_sweep(sweeps[design])
    fig = sweep_figures.response(sweep, "seizure_share")
    png, svg = style.save(fig, tmp_path, "response")
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 5_000
    assert len([ax for ax in fig.axes if ax.get_visible()]) == len(DESIGNS[design])
    assert overlapping_labels(fig) == []


def test_heatmap_only_for_grids(sweeps: dict[str, Path], tmp_path: Path) -> None:
    fig = sweep_figures.heatmap(load_sweep(sweeps["grid"]), "tonnes_delivered")
    png, _ = style.save(fig, tmp_path, "heatmap")
    assert png.stat().st_size > 10_000
    assert overlapping_labels(fig) == []
    with pytest.raises(Missing, match="grid designs"):
        sweep_figures.heatmap(load_sweep(sweeps["oat"]), "tonnes_delivered")


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_sensitivity_bars_with_cis(sweeps: dict[str, Path], design: str, tmp_path: Path) -> None:
    fig = sweep_sensitivity.sensitivity(load_sweep(sweeps[design]))
    png, _ = style.save(fig, tmp_path, "sensitivity")
    assert png.stat().st_size > 10_000
    assert overlapping_labels(fig) == []
    shown = [ax for ax in fig.axes if ax.get_visible()]
    labels = {t.get_text() for ax in shown for t in ax.get_legend().get_texts()}
    assert labels == (
        {"first-order S1", "total ST"}
        if design == "sobol"
        else {"μ* (mean |effect|)", "σ (spread of effects)"}  # noqa: RUF001
    )
    if design == "morris":  # what input change an effect is per: the parameter's full range
        xlabels = {ax.get_xlabel() for ax in shown}
        assert all("over the parameter's full range" in x for x in xlabels), xlabels


def test_grid_sweep_report(sweeps: dict[str, Path]) -> None:
    folder = sweeps["grid"]
    written = make_report(folder)
    page = written.html.read_text(encoding="utf-8")
    keys = [
        "findings",
        "overview",
        *(f"response_{m}" for m in OUTPUTS),
        *(f"heatmap_{m}" for m in OUTPUTS),
        "effects",
        "sensitivity",
        "design",
        "discovery",
    ]
    for key in keys:
        assert f'<section id="{key}">' in page, key
    assert written.notes.keys() == {"sensitivity"}  # a grid has no indices: a note, no failure
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 2 * len(OUTPUTS)
    # title, figures, the differences from the reference point, design table
    assert pdf_pages(written.pdf) == 1 + 2 * len(OUTPUTS) + 1 + 1
    # The design points as a table: every point with its parameter values.
    design = page.split('<section id="design">', 1)[1].split("</section>", 1)[0]
    assert design.count("<tr>") == 1 + len(pd.read_csv(folder / "design.csv"))
    assert "2.4" in design and "2,400,000" not in design  # the fine in million RMB


def test_sobol_sweep_report_through_the_cli(sweeps: dict[str, Path]) -> None:
    result = CliRunner().invoke(app, ["report", str(sweeps["sobol"])])
    assert result.exit_code == 0, result.output
    page = (sweeps["sobol"] / "report.html").read_text(encoding="utf-8")
    assert (
        '<section id="sensitivity">' in page
        and "Not drawn"
        not in page.split('<section id="sensitivity">', 1)[1].split("</section>", 1)[0]
    )
    assert (sweeps["sobol"] / "figures" / "sensitivity.svg").stat().st_size > 0


def test_report_of_a_real_sweep_folder(tmp_path: Path) -> None:
    """The sweep command's own folder (not a synthetic one) reports cleanly."""
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    sweep_file = tmp_path / "tiny_sweep.toml"
    sweep_file.write_text(
        f'name = "tiny_grid"\nbase = "{base}"\nreplications = 2\n'
        'outputs = ["seizure_share", "tonnes_delivered"]\n'
        "[set]\nhorizon_days = 20\n"
        '[design]\nkind = "grid"\n'
        '[design.parameters]\n"patrols.jiangsu_patrol.vessels" = [1, 4]\n'
        '"enforcement.fine_rmb" = [600000.0, 2400000.0]\n',
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    result = CliRunner().invoke(
        app,
        ["sweep", str(sweep_file), "--workers", "1", "--set", "seed=7", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    written = make_report(out)
    assert set(written.notes) == {"sensitivity"}
    # Every point's shared settings are on the report: a 20-day sweep says so.
    page = " ".join(re.sub(r"<[^>]+>", " ", written.html.read_text()).split())
    assert "horizon 20 days" in page and "root seed 7" in page
    assert "changes to the base horizon_days=20; seed=7" in page
    assert f"base scenario {base}" in page
    assert (out / "figures" / "heatmap_seizure_share.png").stat().st_size > 10_000
    assert pdf_pages(written.pdf) == 1 + 2 * 2 + 1 + 1  # and the differences from the reference


A4_POINTS = (595.5, 842.0)
"""An A4 page in PDF points (595.28 x 841.89), with a little room for rounding."""
LONG_KEYS = {
    FINE: [0.0, 6e5, 1.2e6, 2.4e6, 4.8e6, 1.2e7],
    "enforcement.vessel_confiscation_probability": [0.25, 0.5, 1.0],
    "enforcement.vessel_detention_days": [0.0, 90.0, 180.0],
    "enforcement.accomplice_fine_rmb": [0.0, 1e6, 5e6],
    "enforcement.accomplices_max": [5, 8, 12],
}


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) of each page, in points, from the pages' media boxes."""
    boxes = re.findall(
        rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf.read_bytes()
    )
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_design_of_many_points_fits_a4_pages_and_is_whole_in_the_html(tmp_path: Path) -> None:
    """600 points: the PDF lists those that fit on an A4 page and says so; the HTML all."""
    levels = {VESSELS: list(range(25)), FINE: [1e5 * k for k in range(24)]}
    folder = make_sweep(tmp_path / "big", "grid", levels, reps=2)
    written = make_report(folder)
    sizes = page_sizes(written.pdf)
    assert len(sizes) == pdf_pages(written.pdf)
    tables = sizes[:1] + sizes[-1:]  # the title page and the design table
    assert all(min(w, h) <= A4_POINTS[0] and max(w, h) <= A4_POINTS[1] for w, h in tables)
    assert all(h <= A4_POINTS[1] for _, h in sizes), sizes
    page = written.html.read_text(encoding="utf-8")
    design = page.split('<section id="design">', 1)[1].split("</section>", 1)[0]
    assert design.count("<tr>") == 1 + 600
    fig = table_figure("Design points", sweep_report.design_table(load_sweep(folder)))
    shown = [t.get_text() for t in fig.texts]
    assert any(
        re.search(r"The first \d+ of 600 design points; all of them are in design\.csv", t)
        for t in shown
    )


def test_design_table_headers_of_long_key_paths_do_not_overprint(tmp_path: Path) -> None:
    folder = make_sweep(tmp_path / "fines", "oat", LONG_KEYS, reps=2)
    sweep = load_sweep(folder)
    table = sweep_report.design_table(sweep)
    assert table.header[1 : 1 + len(LONG_KEYS)] == [
        f"{FINE} (million RMB)",
        "enforcement.vessel_confiscation_probability",
        "enforcement.vessel_detention_days (days)",
        "enforcement.accomplice_fine_rmb (million RMB)",
        "enforcement.accomplices_max",
    ]
    fig = table_figure("Design points", table)
    assert overlapping_labels(fig) == []
    assert fig.get_figheight() <= 11.69 and fig.get_figwidth() <= 11.69
    # The title page's table of what was varied: "parameter <key path>" rows.
    assert overlapping_labels(table_figure("Sweep", sweep_report.overview_table(sweep))) == []


def test_title_page_breaks_key_paths_only_between_their_parts(tmp_path: Path) -> None:
    """'parameter enforcement.vessel_confiscation_probability' is far longer than the
    title page's first column: a line may end only at a space or after a '.', '_' or '-'
    of the key path, never inside one of its words ('vessel_confis' / 'cation')."""
    from sim.report.tables import wrapped_cells

    folder = make_sweep(tmp_path / "fines", "oat", LONG_KEYS, reps=2)
    table = sweep_report.overview_table(load_sweep(folder))
    _, cells = wrapped_cells(table)
    broken = 0
    for row, wrapped in zip(table.rows, cells, strict=True):
        lines = wrapped[0]
        if not row[0].startswith("parameter "):
            continue
        text, at = row[0], 0
        for line in lines[:-1]:
            at = text.index(line, at) + len(line)
            before, after = text[at - 1], text[at] if at < len(text) else " "
            assert after == " " or before in "._-", (row[0], lines)
            broken += 1
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), lines  # nothing cut
    assert broken >= len(LONG_KEYS)  # the names were long enough to need breaking


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_sensitivity_table_with_cis_in_the_report(sweeps: dict[str, Path], design: str) -> None:
    written = make_report(sweeps[design])
    page = written.html.read_text(encoding="utf-8")
    section = page.split('<section id="sensitivity_table">', 1)[1].split("</section>", 1)[0]
    params = len(DESIGNS[design])
    assert section.count("<tr>") == 1 + len(OUTPUTS) * params  # a row per output and parameter
    heads = re.findall(r'<th(?: class="num")?>(.*?)</th>', section)
    heads = [h.replace("<wbr>", "") for h in heads]
    if design == "sobol":
        assert heads == ["output", "parameter", "S1", "S1 95% CI", "ST", "ST 95% CI"]
        # Seizure share, the first parameter: S1 0.6 and ST 0.78, intervals -20% / +20%.
        assert "<td>Share of voyages seized</td>" in section
        assert "0.600" in section and "0.480 to 0.720" in section
        assert "0.780" in section and "0.624 to 0.936" in section
    else:
        assert heads == ["output", "parameter", "μ*", "μ* 95% CI", "σ", "σ 95% CI"]  # noqa: RUF001
        # Effects in the output's unit: a seizure share's mu* of 0.6 is 60 percentage points.
        assert "<td>Share of voyages seized (%)</td>" in section
        assert "60.0" in section and "48.0 to 72.0" in section
        assert "full range" in section
    table = sweep_report.sensitivity_table(load_sweep(sweeps[design]))
    assert table is not None
    assert overlapping_labels(table_figure("Sensitivity indices", table)) == []
    assert "Sensitivity indices with 95% confidence intervals" in written.pages


def test_a_swept_horizon_is_not_shown_as_shared(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    sweep_file = tmp_path / "h.toml"
    sweep_file.write_text(
        f'name = "h"\nbase = "{base}"\nreplications = 1\n'
        '[design]\nkind = "grid"\n[design.parameters]\n"horizon_days" = [10, 20]\n',
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    args = ["sweep", str(sweep_file), "--workers", "1", "--no-report", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = dict((r[0], r[1]) for r in sweep_report.overview_table(load_sweep(out)).rows)
    assert rows["horizon"] == "swept (see parameter horizon_days)"
