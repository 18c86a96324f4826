"""``coalsim calibrate``: recovery of known parameters, the error models, bad targets files,
and a killed fit resumed to the same posterior."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.calibrate.emulator import ErrorModel
from sim.calibrate.report import calibration_report, headline
from sim.calibrate.run import calibrate
from sim.calibrate.targets import load_targets
from sim.cli import app
from sim.experiment.executors import ProcessExecutor, SerialExecutor
from sim.metrics.evaluate import evaluate_metrics
from sim.scenario import load

PEAK = Path(__file__).resolve().parents[1] / "scenarios" / "peak_2019.toml"
TRUTH = {"contract.ship_to_ship_share": 0.85, "sellers.nampo_state_corp.lot_interval_days": 1.2}
PARAMETERS = """
[[parameters]]
path = "contract.ship_to_ship_share"
low = 0.6
high = 1.0

[[parameters]]
path = "sellers.nampo_state_corp.lot_interval_days"
low = 0.5
high = 2.0
prior = "log-uniform"
"""


def head(budget: int, waves: int, horizon: int, seed: int = 11) -> str:
    return (
        f'name = "fit"\nbase = "{PEAK}"\nbudget = {budget}\nwaves = {waves}\nseed = {seed}\n'
        f"\n[set]\nhorizon_days = {horizon}\n"
    )


def target(metric: str, value: float, rel: float = 0.05) -> str:
    return (
        f'\n[[targets]]\nmetric = "{metric}"\nvalue = {value!r}\nrelative_error = {rel}\n'
        'source = "synthetic: the model at known parameters"\n'
    )


def truth_means(horizon: int, metrics: list[str], reps: int = 10) -> dict[str, float]:
    """The model's own means at the true parameters (seeds the fit never uses)."""
    sets = [f"horizon_days={horizon}", *(f"{k}={v}" for k, v in TRUTH.items())]
    js = load(PEAK, sets).scenario.model_dump_json()
    rows = [evaluate_metrics(js, np.random.SeedSequence(777, spawn_key=(r,))) for r in range(reps)]
    return {m: float(np.mean([r.metrics[m] for r in rows])) for m in metrics}


def test_recovers_known_parameters_with_a_narrower_interval(tmp_path: Path) -> None:
    metrics = ["tonnes_delivered", "transfer_tonnes_share"]
    z = truth_means(90, metrics)
    text = head(150, 2, 90) + "".join(target(m, z[m]) for m in metrics) + PARAMETERS
    (tmp_path / "t.toml").write_text(text)
    targets = load_targets(tmp_path / "t.toml")
    result = calibrate(targets, tmp_path / "out", SerialExecutor())
    params = pd.read_csv(tmp_path / "out" / "parameters.csv").set_index("parameter")
    for path, true in TRUTH.items():
        row = params.loc[path]
        assert row["q05"] <= true <= row["q95"], (path, true, row.to_dict())
        # narrower than the prior's own 90% interval
        assert row["q95"] - row["q05"] < 0.8 * (row["prior_q95"] - row["prior_q05"])
    post = pd.read_csv(tmp_path / "out" / "posterior.csv")
    assert math.isclose(post["weight"].sum(), 1.0, rel_tol=1e-9)
    assert set(post["world"]) == {"peak_2019"}
    check = pd.read_csv(tmp_path / "out" / "check.csv")
    assert list(check["inside"]) == ["yes", "yes"]
    assert result.unconstrained == []
    # the report's first page: the fitted worlds, then what they imply a year
    written = calibration_report(tmp_path / "out")
    assert written.pages[1] == "Targets against the calibrated model"
    assert {f.name for f in written.figures} >= {"pairs.png", "identifiability.png"}
    runs = pd.read_csv(tmp_path / "out" / "predictive" / "runs.csv")
    rows = {r[0]: r for r in headline(params.reset_index(), runs, {"horizon_days": 90}).rows}
    kt_a_year = np.median(runs["tonnes_delivered"]) * 365 / 90 / 1000
    assert rows["Coal delivered (kt/yr)"][1] == f"{kt_a_year:,.0f}"
    # the calibrated scenario runs: it loads as a scenario at the posterior median
    calibrated = load(tmp_path / "out" / "calibrated.toml").scenario
    assert calibrated.contract.ship_to_ship_share == pytest.approx(
        params.loc["contract.ship_to_ship_share", "median"], rel=1e-5
    )


def test_at_least_is_a_lower_bound_only() -> None:
    """At or above the bound, every value is as good as any other; below it, the
    penalty is a normal's: 0.2 L short with sd 0.1 L costs (0.2 / 0.1)^2 / 2 = 2."""
    errors = ErrorModel(np.array([100.0]), np.array([10.0]), np.array([True]))
    y = np.array([[100.0], [150.0], [1e6], [80.0]])
    ll = errors.log_likelihood(y)
    assert ll[0] == ll[1] == ll[2]
    assert ll[0] - ll[3] == pytest.approx(2.0)
    two_sided = ErrorModel(np.array([100.0]), np.array([10.0]), np.array([False]))
    assert two_sided.log_likelihood(np.array([[150.0]]))[0] < ll[1]


def test_at_least_target_reads_from_the_file(tmp_path: Path) -> None:
    text = (
        head(100, 1, 60)
        + (
            '\n[[targets]]\nmetric = "tonnes_seized"\nat_least = 6.0e4\nwindow_days = [0, 30]\n'
            'source = "a count of known seizures"\n'
        )
        + PARAMETERS
    )
    (tmp_path / "t.toml").write_text(text)
    targets = load_targets(tmp_path / "t.toml")
    t = targets.targets[0]
    assert t.accepted == (6.0e4, math.inf)
    assert t.sd == pytest.approx(6.0e3)  # the default 10% fall-off
    assert targets.scale(0) == pytest.approx(0.5)  # a total over half the run


BAD = [
    (
        'metric = "tonnes_delivred"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n',
        "",
        "targets[0].metric: unknown metric 'tonnes_delivred' (did you mean 'tonnes_delivered'?)",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n'
        "window_days = [0, 400]\n",
        "",
        "targets[0].window_days: [0, 400] is not a window of the world's run",
    ),
    (
        'metric = "tonnes_delivered"\nlow = 1.0\nhigh = 2.0\nvalue = 1.5\nsource = "x"\n',
        "",
        "targets[0]: give exactly one of",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\n',
        "",
        "targets[0].source: required key is missing",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n',
        '[[parameters]]\npath = "detection.recognition_probabilty"\nlow = 0.1\nhigh = 0.5\n',
        "parameters[0].path: 'detection.recognition_probabilty' does not exist",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n',
        '[[parameters]]\npath = "detection.recognition_probability"\nlow = 0.5\nhigh = 0.5\n',
        "parameters[0]: empty prior range: low (0.5) must be below high (0.5)",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n',
        '[[parameters]]\npath = "detection.recognition_probability"\nlow = 0.1\nhigh = 1.5\n',
        "parameters[0].high: 1.5 is not a valid detection.recognition_probability",
    ),
    (
        'metric = "tonnes_delivered"\nvalue = 1.0\nrelative_error = 0.1\nsource = "x"\n',
        '[[parameters]]\npath = "detection.recognition_probability"\nlow = 0.1\nhigh = 0.5\n'
        "prior = 'normal'\n",
        "parameters[0].prior:",
    ),
]


@pytest.mark.parametrize(("target_text", "params", "expected"), BAD)
def test_bad_targets_file_names_the_key(
    tmp_path: Path, target_text: str, params: str, expected: str
) -> None:
    body = f'name = "fit"\nbase = "{PEAK}"\n\n[[targets]]\n{target_text}\n'
    body += (
        params or '[[parameters]]\npath = "contract.ship_to_ship_share"\nlow = 0.6\nhigh = 1.0\n'
    )
    path = tmp_path / "bad.toml"
    path.write_text(body)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"error: {path}: {expected}" in result.stderr.replace("\n", " ")
    assert not (tmp_path / "out").exists()  # nothing written for a bad file


def test_validate_checks_a_targets_file(tmp_path: Path) -> None:
    shipped = PEAK.parent / "targets" / "peak_2019.toml"
    result = CliRunner().invoke(app, ["validate", str(shipped)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {shipped} (targets: 5 figures, 3 parameters)\n"
    bad = tmp_path / "bad.toml"
    bad.write_text(shipped.read_text().replace('"tonnes_seized"', '"tonnes_siezed"'))
    bad.write_text(bad.read_text().replace('base = "../peak_2019.toml"', f'base = "{PEAK}"'))
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}: targets[4].metric: unknown metric 'tonnes_siezed'" in result.stderr


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(head(100, 1, 60) + target("tonnes_delivered", 1.0) + PARAMETERS
                    + "\n[[targets]]\nmetrc = 'x'\nsource = 'x'\nvalue = 1.0\n")  # fmt: skip
    result = CliRunner().invoke(app, ["calibrate", str(path)])
    assert result.exit_code == 2
    assert "targets[1].metrc: unknown key; did you mean 'metric'?" in result.stderr


def test_too_small_a_budget_says_the_least_that_would_do(tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text(head(60, 3, 30) + target("tonnes_delivered", 1.0) + PARAMETERS)
    result = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    # 2 trajectories x 3 points, 20 predictive runs, 3 waves x 10 x 2 parameters
    assert (
        f"{path}: budget: 60 simulations are too few for 2 parameters in 3 waves; "
        "give at least 86" in result.stderr
    )
    assert not (tmp_path / "out").exists()


@contextmanager
def killed_after(calls: int) -> Iterator[Callable[[str], object]]:
    """A progress factory whose callbacks raise Ctrl-C on the ``calls``-th update."""
    seen = [0]

    def tick(done: int, total: int) -> None:
        seen[0] += 1
        if seen[0] == calls:
            raise KeyboardInterrupt

    @contextmanager
    def factory(label: str) -> Iterator[Callable[[int, int], None]]:
        yield tick

    yield factory


def test_killed_and_resumed_gives_the_same_posterior(tmp_path: Path) -> None:
    metrics = ["tonnes_delivered", "transfer_tonnes_share"]
    values = zip(metrics, [3.0e5, 0.7], strict=True)
    text = head(80, 2, 30, seed=5) + "".join(target(m, v) for m, v in values) + PARAMETERS
    (tmp_path / "t.toml").write_text(text)
    targets = load_targets(tmp_path / "t.toml")
    whole = tmp_path / "whole"
    pool = ProcessExecutor(2)
    try:
        calibrate(targets, whole, pool)
    finally:
        pool.close()
    cut = tmp_path / "cut"
    for calls in (20, 45):  # killed inside wave 1, then again in a later stage
        with killed_after(calls) as factory, pytest.raises(KeyboardInterrupt):
            calibrate(targets, cut, SerialExecutor(), resume=cut.exists(), progress=factory)
    calibrate(targets, cut, SerialExecutor(), resume=True)
    for name in ("posterior.csv", "parameters.csv", "check.csv", "calibrated.toml",
                 "identifiability.csv", "predictive/runs.csv"):  # fmt: skip
        assert (cut / name).read_bytes() == (whole / name).read_bytes(), name


def test_resume_refuses_a_changed_targets_file(tmp_path: Path) -> None:
    text = head(80, 2, 30) + target("tonnes_delivered", 3.0e5) + PARAMETERS
    path = tmp_path / "t.toml"
    path.write_text(text)
    with killed_after(5) as factory, pytest.raises(KeyboardInterrupt):
        calibrate(load_targets(path), tmp_path / "cut", SerialExecutor(), progress=factory)
    path.write_text(text.replace("relative_error = 0.05", "relative_error = 0.1"))
    result = CliRunner().invoke(app, ["calibrate", str(path), "--resume", str(tmp_path / "cut")])
    assert result.exit_code == 2
    assert "has changed since the calibration started" in result.stderr


# --- posterior-predictive runs ------------------------------------------------------


def posterior_csv(path: Path, scenario: dict[str, object], rows: list[tuple[float, float]],
                  weights: list[float]) -> Path:  # fmt: skip
    from sim.calibrate.posterior import world_id

    frame = pd.DataFrame(rows, columns=list(TRUTH))
    frame.insert(0, "seed", range(len(rows)))
    frame.insert(0, "point", range(len(rows)))
    frame.insert(0, "wave", 1)
    frame.insert(0, "world_id", world_id(scenario))
    frame.insert(0, "world", scenario["name"])
    frame["weight"] = weights
    frame.to_csv(path, index=False)
    return path


def test_posterior_run_keeps_the_seeds_of_a_plain_run(tmp_path: Path) -> None:
    """A posterior of one world, the scenario's own values: every replication is the one
    the plain run made, byte for byte (the draws take no model stream)."""
    sets = ["horizon_days=60", *(f"{k}={v}" for k, v in TRUTH.items())]
    scenario = load(PEAK, sets).scenario.model_dump(mode="json")
    post = posterior_csv(tmp_path / "posterior.csv", scenario, [tuple(TRUTH.values())], [1.0])
    args = ["run", str(PEAK), "--replications", "3", "--no-report", "--workers", "1"]
    args += [a for s in sets for a in ("--set", s)]
    runner = CliRunner()
    plain = runner.invoke(app, [*args, "--out", str(tmp_path / "plain")])
    fitted = runner.invoke(app, [*args, "--out", str(tmp_path / "post"), "--posterior", str(post)])
    assert plain.exit_code == 0 and fitted.exit_code == 0, fitted.output
    plain_runs = (tmp_path / "plain" / "runs.csv").read_bytes()
    assert (tmp_path / "post" / "runs.csv").read_bytes() == plain_runs
    draws = pd.read_csv(tmp_path / "post" / "posterior_draws.csv")
    assert list(draws["posterior_row"]) == [0, 0, 0]
    manifest = json.loads((tmp_path / "post" / "manifest.json").read_text())
    assert manifest["posterior"]["uncertainty"].startswith("parameter (posterior) and stochastic")


def test_posterior_draws_follow_the_weights() -> None:
    """4,000 replications' draws from weights 1/4, 3/4: the share of the second within a
    99% binomial interval, 0.75 +- 2.576 sqrt(0.75 x 0.25 / 4000) = +- 0.018."""
    from sim.calibrate.posterior import Posterior
    from sim.calibrate.predictive import draw

    post = Posterior(Path("p.csv"), "w", "id", ["x"], np.array([[1.0], [2.0]]),
                     np.array([0.25, 0.75]), "sha")  # fmt: skip
    share = np.mean([draw(post, 2019, r) for r in range(4000)])
    assert abs(share - 0.75) < 2.576 * math.sqrt(0.75 * 0.25 / 4000)


def test_posterior_from_another_world_is_refused(tmp_path: Path) -> None:
    scenario = load(PEAK).scenario.model_dump(mode="json")
    post = posterior_csv(tmp_path / "posterior.csv", scenario, [tuple(TRUTH.values())], [1.0])
    crackdown = PEAK.parent / "crackdown_2025.toml"
    result = CliRunner().invoke(
        app, ["run", str(crackdown), "--posterior", str(post), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "fitted to the world 'peak_2019'" in result.stderr
    assert "is another world" in result.stderr
    assert not (tmp_path / "o").exists()


def sweep_file(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(
        f'name = "s"\nbase = "{PEAK}"\nreplications = 2\noutputs = ["tonnes_delivered"]\n'
        '\n[set]\nhorizon_days = 30\n"contract.ship_to_ship_share" = 0.85\n'
        '"sellers.nampo_state_corp.lot_interval_days" = 1.2\n'
        '\n[design]\nkind = "grid"\n\n[design.parameters]\n"tips.reward_share" = [0.1, 0.2]\n'
    )
    return path


def test_sweep_with_a_posterior_keeps_the_seeds_and_refuses_a_swept_key(tmp_path: Path) -> None:
    sets = ["horizon_days=30", *(f"{k}={v}" for k, v in TRUTH.items())]
    scenario = load(PEAK, sets).scenario.model_dump(mode="json")
    post = posterior_csv(tmp_path / "posterior.csv", scenario, [tuple(TRUTH.values())], [1.0])
    sweep = sweep_file(tmp_path)
    runner = CliRunner()
    args = ["sweep", str(sweep), "--workers", "1", "--no-report"]
    plain = runner.invoke(app, [*args, "--out", str(tmp_path / "plain")])
    fitted = runner.invoke(app, [*args, "--out", str(tmp_path / "post"), "--posterior", str(post)])
    assert plain.exit_code == 0 and fitted.exit_code == 0, fitted.output
    assert (tmp_path / "post" / "runs.csv").read_bytes() == (
        tmp_path / "plain" / "runs.csv"
    ).read_bytes()
    manifest = json.loads((tmp_path / "post" / "manifest.json").read_text())
    assert manifest["options"]["posterior"] == str(post)
    swept = tmp_path / "swept.csv"
    frame = pd.read_csv(post)
    frame.insert(5, "tips.reward_share", 0.1)
    frame.to_csv(swept, index=False)
    refused = runner.invoke(app, [*args, "--posterior", str(swept)])
    assert refused.exit_code == 2
    assert "'tips.reward_share' is both swept and drawn from the posterior" in refused.stderr


def test_the_terminal_check_table_reads_in_the_metrics_units() -> None:
    """Targets are written in tonnes and yuan; the terminal shows them as the run table does
    (kt, million RMB), the observed and the simulated alike; a relative error stays a %."""
    import pandas as pd
    from rich.console import Console

    from sim.calibrate.schema import Target
    from sim.cli.calibrate import _check_table

    source = "a report"
    targets = [
        Target(metric="tonnes_delivered", low=4e6, high=5.5e6, source=source),
        Target(metric="tonnes_per_voyage", value=7650.0, relative_error=0.1, source=source),
        Target(metric="dprk_revenue_rmb", at_least=3.24e9, source=source),
    ]
    check = pd.DataFrame(
        {
            "target": ["coal", "cargo", "revenue"],
            "metric": ["tonnes_delivered", "tonnes_per_voyage", "dprk_revenue_rmb"],
            "observed": ["4,000,000 to 5,500,000", "7,650 +- 10%", ">= 3,240,000,000"],
            "median": [4_886_082.0, 7714.3, 3.7458e9],
            "q05": [4_054_197.0, 7524.0, 3.119e9],
            "q95": [5_734_840.0, 7845.4, 4.437e9],
            "inside": ["yes", "yes", "yes"],
        }
    )
    console = Console(width=200, record=True)
    console.print(_check_table(check, targets))
    text = console.export_text()
    assert "4,000 to 5,500" in text and "4,886 (4,054 to 5,735)" in text
    assert "7,650 +- 10%" in text
    assert ">= 3,240" in text and "3,746 (3,119 to 4,437)" in text
