"""A world's outputs set beside the public figures it names in [[public_figures]]."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.metrics.evidence import against_record

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def summary(rows: dict[str, tuple[float, float, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"metric": m, "mean": a, "std": 0.0, "ci95_low": lo, "ci95_high": hi, "n": n}
            for m, (a, lo, hi, n) in rows.items()
        ]
    )


def test_a_yearly_total_is_scaled_from_the_horizon_and_each_verdict_is_right() -> None:
    """By hand: 2.0 Mt in 180 days is 2.0 x 365 / 180 = 4.056 Mt a year, inside 4.0-5.5;
    a seized share of 6.4% (CI 4.1-8.7%) is outside 1-5% but its CI reaches it; 9% with
    CI 8-10% is outside; a metric the run has no value for says so."""
    s = summary(
        {
            "tonnes_delivered": (2.0e6, 1.9e6, 2.1e6, 10),
            "seizure_share": (0.064, 0.041, 0.087, 10),
            "share_advance": (0.09, 0.08, 0.10, 10),
        }
    )
    figures = [
        {"metric": "tonnes_delivered", "low": 4.0e6, "high": 5.5e6, "per": "year", "source": "a"},
        {"metric": "seizure_share", "low": 0.01, "high": 0.05, "source": "b"},
        {"metric": "share_advance", "low": 0.5, "high": 0.9, "source": "c"},
        {"metric": "recovery_days", "low": 0.0, "high": 30.0, "source": "d"},
    ]
    got = against_record(s, figures, horizon_days=180.0)
    assert got[0].mean == pytest.approx(4.0556e6, rel=1e-4)
    assert got[0].ci_low == pytest.approx(1.9e6 * 365 / 180)
    assert [a.verdict for a in got] == ["yes", "CI only", "no", "n/a"]
    assert got[0].unit == "kt/yr" and got[1].unit == "%"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "world.toml"
    path.write_text(f'base = "{BASELINE}"\nhorizon_days = 30\n{body}')
    return path


def test_an_unknown_metric_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[public_figures]]\nmetric = "tonnes_deliverd"\nlow = 1.0\nhigh = 2.0\nsource = "x"\n',
    )
    out = tmp_path / "out"
    for args in (["validate", str(path)], ["run", str(path), "--out", str(out)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "public_figures[0].metric" in result.output and str(path) in result.output
        assert "did you mean 'tonnes_delivered'?" in result.output
        assert "Traceback" not in result.output
    assert not out.exists()


def test_an_interval_upside_down_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[public_figures]]\nmetric = "tonnes_delivered"\nlow = 5.0\nhigh = 2.0\nsource = "x"\n',
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "public_figures" in result.output and "low 5 is above high 2" in result.output


def test_run_prints_the_comparison_and_the_report_has_its_page(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[public_figures]]\nmetric = "tonnes_delivered"\nlow = 1.0\nhigh = 1.0e9\n'
        'per = "year"\nperiod = "any"\nsource = "a generous interval"\n',
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "against the public record" in result.output
    row = next(
        line
        for line in result.output.splitlines()
        if "tonnes_delivered" in line and "kt/yr" in line
    )
    assert "yes" in row
    page = (out / "report.html").read_text(encoding="utf-8")
    record = page.split('<section id="record">', 1)[1].split("</section>", 1)[0]
    assert "a generous interval" in record and "Coal delivered" in record


def test_the_record_table_marks_a_cut_interval_end_as_the_run_table_does() -> None:
    """A seized share of 4.3% whose t-interval would run below 0 is saved cut at 0 (as
    summary.csv holds it); the record table marks that end '*' as the run table does."""
    import pandas as pd
    from rich.console import Console

    from sim import scenario as scn
    from sim.cli.run_table import record_table

    s = scn.load(Path("scenarios/peak_2019.toml")).scenario
    summary = pd.DataFrame(
        [{"metric": "seizure_share", "mean": 0.043, "std": 0.05, "ci95_low": 0.0,
          "ci95_high": 0.1226, "n": 4}]
    )  # fmt: skip
    console = Console(width=200, record=True)
    console.print(record_table(s, summary))
    text = console.export_text()
    assert "4.30 (0* .. 12.3)" in text
