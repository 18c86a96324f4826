"""Paired effects in the sweep report: the findings in words and the hatched heatmap cells.

The synthetic sweep shares its noise across points replication by replication, as common
random numbers do: the share seized is noise(r) + 0.02 x vessels (+ a small point noise),
and the fine changes nothing. So the effect of vessels is known exactly (2 pp a vessel)
and the fine's differences are exactly zero.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from sim.experiment.effects import paired_effects
from sim.report import make_report, sweep_figures
from sim.report.data import load_sweep, mean_ci
from sim.report.effects import findings

VESSELS = "patrols.jiangsu_patrol.vessels"
FINE = "enforcement.fine_rmb"
OUTPUTS = ["seizure_share", "tonnes_delivered"]
REPS = 6


def _sweep(folder: Path, reference: int | None = None, effects_file: bool = True) -> Path:
    rng = np.random.default_rng(3)
    noise = rng.normal(0, 0.01, REPS)  # shared by every point: common random numbers
    points = list(itertools.product([0, 2, 4], [6e5, 1.2e6, 2.4e6]))
    design = pd.DataFrame(points, columns=[VESSELS, FINE])
    design.insert(0, "point", range(len(design)))
    rows = []
    for p, (v, _) in enumerate(points):
        own = rng.normal(0, 0.0005, REPS) if v else np.zeros(REPS)
        for r in range(REPS):
            share = 0.05 + noise[r] + 0.02 * v + own[r]
            rows.append((p, r, 2019, share, 4e6 * (1 - share)))
    runs = pd.DataFrame(rows, columns=["point", "replication", "seed", *OUTPUTS])
    summary = []
    for p, g in runs.groupby("point"):
        for m in OUTPUTS:
            mean, lo, hi, n = mean_ci(g[m])
            summary.append((p, m, mean, g[m].std(), lo, hi, n))
    folder.mkdir(parents=True)
    design.to_csv(folder / "design.csv", index=False)
    runs.to_csv(folder / "runs.csv", index=False)
    cols = ["point", "metric", "mean", "std", "ci95_low", "ci95_high", "n"]
    pd.DataFrame(summary, columns=cols).to_csv(folder / "summary.csv", index=False)
    if effects_file:
        paired_effects(runs, OUTPUTS, reference or 0).to_csv(folder / "effects.csv", index=False)
    manifest = {"kind": "sweep", "status": "complete", "name": "crn", "design": "grid",
                "parameters": [VESSELS, FINE], "outputs": OUTPUTS}  # fmt: skip
    if reference is not None:
        manifest["reference"] = reference
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_findings_state_the_known_effects(tmp_path: Path) -> None:
    lines = findings(load_sweep(_sweep(tmp_path / "s")))
    text = "\n".join(lines)
    assert "against point 0" in lines[0]
    # 0.02 a vessel, 4 vessels: +8 pp; per vessel 2 pp
    found = re.search(
        rf"Raising {re.escape(VESSELS)} from 0 to 4 raises share of voyages seized by "
        r"([\d.]+) pp \(95% CI ([\d.]+) to ([\d.]+)\), ([\d.]+) pp per vessel",
        text,
    )
    assert found is not None, text
    d, lo, hi, per = map(float, found.groups())
    assert d == pytest.approx(8.0, abs=0.1) and lo < 8.0 < hi and per == pytest.approx(2.0, 0.02)
    assert f"Share of voyages seized: {FINE} at 1.2, 2.4 million RMB changes nothing at all" in text
    coal = re.search(r"from 0 to 4 lowers coal delivered by (\d+) kt", text)
    assert coal is not None and float(coal.group(1)) == pytest.approx(320, abs=3)  # 4 Mt x 8 pp


def test_findings_from_runs_when_effects_csv_is_missing(tmp_path: Path) -> None:
    with_file = findings(load_sweep(_sweep(tmp_path / "a", reference=4)))
    without = findings(load_sweep(_sweep(tmp_path / "b", reference=4, effects_file=False)))
    assert with_file == without and "against point 4" in with_file[0]
    # from 2 vessels, both ways: up to 4 and down to 0, each 2 pp a vessel
    assert any("from 2 to 4 raises share" in x and "lowering it to 0 lowers share" in x
               for x in with_file)  # fmt: skip


def test_heatmap_hatches_the_cells_without_a_detectable_difference(tmp_path: Path) -> None:
    sweep = load_sweep(_sweep(tmp_path / "s"))
    fig = sweep_figures.heatmap(sweep, "seizure_share")
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    hatched = {(p.get_x() + 0.5, p.get_y() + 0.5) for p in boxes if p.get_hatch()}
    outlined = [(p.get_x() + 0.5, p.get_y() + 0.5) for p in boxes if not p.get_hatch()]
    # columns: vessels 0, 2, 4; rows: fines. With 0 vessels only the fine differs from the
    # reference (0 vessels, 0.6 M RMB): exactly zero, so hatched; every other cell differs.
    assert hatched == {(0.0, 1.0), (0.0, 2.0)}
    assert outlined == [(0.0, 0.0)]


def test_sweep_report_has_findings_first_and_the_effects_table(tmp_path: Path) -> None:
    folder = _sweep(tmp_path / "s")
    written = make_report(folder)
    html = written.html.read_text()
    assert html.index('id="findings"') < html.index('id="overview"')
    assert 'id="effects"' in html and "Differences from the reference point" in written.pages
    assert "coalsim discover" in html  # the discovery section says how to make one
