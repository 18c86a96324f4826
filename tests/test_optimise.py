"""coalsim optimise: finds an allocation known by construction, refuses budgets no plan
meets and problem files with mistakes (exit 2, the key named), and resumes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import WriteFile
from typer.testing import CliRunner

from sim.cli import app

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"

ONE_ZONE = """
name = "one_zone"
base = "BASE"

[set]
horizon_days = 90
"patrols.north_shandong_patrol.vessels" = 0
"patrols.jiangsu_patrol.vessels" = 0
# One seller, one route: Nampo to Dalian, which crosses the Bohai Strait zone and no other.
[[set.sellers]]
name = "nampo_state_corp"
port = "Nampo"
routes = ["nampo-dalian"]
kind = "state"
lot_interval_days = 1.0
vessels = 6

[variables]
"patrols.bohai_strait_patrol.vessels" = { low = 0, high = 4 }
"patrols.zhoushan_patrol.vessels" = { low = 0, high = 4 }

[budget]
vessels = 4

[[objectives]]
metric = "tonnes_delivered"
""".replace("BASE", BASELINE.as_posix())


def _exit2(result: object, *words: str) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    text = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in text
    for w in words:
        assert w in text, text


def test_all_vessels_go_to_the_only_zone_with_traffic(
    write: WriteFile, runner: CliRunner, tmp_path: Path
) -> None:
    """Every cargo crosses the Bohai Strait zone and none the Zhoushan approaches, so of
    the plans with at most 4 vessels the best puts all 4 in the Bohai Strait: more search
    there seizes more, a vessel off Zhoushan sees nothing. Found with the default search."""
    problem = write(ONE_ZONE, "one_zone.toml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(problem), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    plans = pd.read_csv(out / "plans.csv")
    best = plans[plans.chosen].iloc[0]
    assert best["patrols.bohai_strait_patrol.vessels"] == 4
    assert best["patrols.zhoushan_patrol.vessels"] == 0
    # The reference (2 in the strait, 2 off Zhoushan) delivers detectably more: the
    # paired interval of the gain lies below zero.
    assert best["tonnes_delivered_vs_reference_high"] < 0
    trials = pd.read_csv(out / "trials.csv")
    assert not trials[trials.simulated].vessels.gt(4).any()  # over budget: never run
    assert (out / "figures" / "optimise.png").stat().st_size > 0
    assert (out / "study.db").is_file()


def test_a_vessel_budget_below_the_cheapest_plan_exits_2(
    write: WriteFile, runner: CliRunner
) -> None:
    text = ONE_ZONE.replace('"patrols.zhoushan_patrol.vessels" = { low = 0, high = 4 }', "")
    text = text.replace("{ low = 0, high = 4 }", "{ low = 3, high = 6 }").replace(
        "vessels = 4\n", "vessels = 2\n"
    )
    problem = write(text, "tight.toml")
    _exit2(runner.invoke(app, ["optimise", str(problem)]), "budget.vessels", "cheapest plan")


def test_a_spend_budget_below_the_patrols_alone_exits_2(
    write: WriteFile, runner: CliRunner
) -> None:
    """Two Zhoushan vessels stay whatever the plan; 90 days at 40,000 RMB a day in base
    (the cheaper rate) already cost 7.2 million, more than the 1 million given."""
    text = ONE_ZONE.replace("vessels = 4\n", "spend_rmb = 1.0e6\n")
    text = text.replace('"patrols.zhoushan_patrol.vessels" = { low = 0, high = 4 }\n', "")
    problem = write(text, "poor.toml")
    _exit2(runner.invoke(app, ["optimise", str(problem)]), "budget.spend_rmb", "7,200,000")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("[budget]\nvessels = 4", "[budget]\nvesels = 4"), ["budget.vesels", "vessels"]),
        (('metric = "tonnes_delivered"', 'metric = "tonnes_delivred"'),
         ["objectives.0.metric", "did you mean 'tonnes_delivered'"]),
        (("{ low = 0, high = 4 }", "{ low = 4, high = 0 }"),
         ['variables."patrols.bohai_strait_patrol.vessels"', "less than"]),
        (("patrols.zhoushan_patrol.vessels", "patrols.zhoushan_patrl.vessels"),
         ['variables."patrols.zhoushan_patrl.vessels"', "zhoushan_patrol"]),
        (("{ low = 0, high = 4 }", "{ low = 0, high = 400 }"),
         ['variables."patrols.bohai_strait_patrol.vessels"', "400"]),
        (("[budget]\nvessels = 4", ""), ["budget", "required"]),
    ],
)  # fmt: skip
def test_a_bad_problem_file_names_the_key(
    write: WriteFile, runner: CliRunner, change: tuple[str, str], words: list[str]
) -> None:
    text = ONE_ZONE
    assert change[0] in text
    problem = write(text.replace(change[0], change[1], 1), "bad.toml")
    _exit2(runner.invoke(app, ["optimise", str(problem)]), str(problem), *words)


def test_resume_goes_on_from_the_stored_study(
    write: WriteFile, runner: CliRunner, tmp_path: Path
) -> None:
    """A study stopped after 6 plans goes on to 12 with --resume: the 6 are kept, not run
    again, and a problem file that changed is refused."""
    problem = write(ONE_ZONE + "\n[search]\nfinalists = 2\n", "short.toml")
    out = tmp_path / "out"
    args = ["optimise", str(problem), "--workers", "1"]
    assert runner.invoke(app, [*args, "--out", str(out), "--trials", "6"]).exit_code == 0
    first = pd.read_csv(out / "trials.csv")
    result = runner.invoke(app, [*args, "--resume", str(out), "--trials", "12"])
    assert result.exit_code == 0, result.output
    again = pd.read_csv(out / "trials.csv")
    assert again.simulated.sum() >= 12
    pd.testing.assert_frame_equal(again.head(len(first)), first)
    problem.write_text(problem.read_text().replace("vessels = 4\n", "vessels = 3\n"))
    _exit2(runner.invoke(app, [*args, "--resume", str(out)]), "not the problem file")


def test_the_same_files_on_one_worker_or_two(
    write: WriteFile, runner: CliRunner, tmp_path: Path
) -> None:
    """Plans are asked in batches of a fixed size and every plan's replications are its
    own streams, so the plans tried and the figures reported do not depend on the
    executor."""
    short = "\n[search]\nfinalists = 2\nselection_replications = 3\nfinal_replications = 3\n"
    problem = write(ONE_ZONE + short, "tiny.toml")
    for workers in ("1", "2"):
        args = ["optimise", str(problem), "--trials", "5", "--workers", workers]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / workers)])
        assert result.exit_code == 0, result.output
    for name in ("trials.csv", "plans.csv", "final_runs.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()
