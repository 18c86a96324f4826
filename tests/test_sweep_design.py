"""Sweep files and designs: expansion, sampling, and every mistake caught before anything runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.design import Parameter, build, latin_hypercube
from sim.experiment.sweepfile import load_sweep
from sim.metrics import METRICS
from sim.metrics.registry import names
from sim.scenario import Scenario
from sim.scenario.errors import ScenarioError

WriteFile = Callable[..., Path]

BASE = "horizon_days = 20\nreplications = 2\n"


def sweep_text(design: str, extra: str = "") -> str:
    return f'base = "base.toml"\nreplications = 2\n{extra}\n[design]\n{design}\n'


def load(write: WriteFile, design: str, extra: str = "") -> object:
    write(BASE, "base.toml")
    path = write(sweep_text(design, extra), "sweep.toml")
    return load_sweep(path, list(METRICS), names(target=True))


def test_grid_is_the_cartesian_product_in_order(write: WriteFile) -> None:
    sw = load(
        write,
        'kind = "grid"\n[design.parameters]\n'
        '"patrols.bohai_strait_patrol.vessels" = [0, 2, 4]\n'
        '"enforcement.fine_rmb" = [1e6, 2e6]\n'
        '"contract.payment_terms" = ["advance", "after_delivery"]\n',
    )
    expected = list(itertools.product([0, 2, 4], [1e6, 2e6], ["advance", "after_delivery"]))
    assert sw.design.rows == expected  # type: ignore[attr-defined]
    assert sw.points == 12  # type: ignore[attr-defined]
    # each point's scenario carries its values, the sweep's seed and replications
    import json

    last = json.loads(sw.point_json[-1])  # type: ignore[attr-defined]
    assert last["enforcement"]["fine_rmb"] == 2e6
    assert last["contract"]["payment_terms"] == "after_delivery"
    assert [p["vessels"] for p in last["patrols"] if p["name"] == "bohai_strait_patrol"] == [4]
    assert last["replications"] == 2


def test_grid_range_with_steps(write: WriteFile) -> None:
    sw = load(
        write,
        'kind = "grid"\n[design.parameters]\n'
        '"contract.resale_multiplier" = { low = 2, high = 3, steps = 5 }\n',
    )
    assert sw.design.rows == [(2.0,), (2.25,), (2.5,), (2.75,), (3.0,)]  # type: ignore[attr-defined]


def test_oat_moves_one_parameter_at_a_time(write: WriteFile) -> None:
    sw = load(
        write,
        'kind = "oat"\n[design.parameters]\n'
        '"enforcement.fine_rmb" = [0.0, 5e6]\n'
        '"detection.recognition_probability" = [0.1, 0.9, 1.0]\n',
    )
    s = Scenario()
    base = (s.enforcement.fine_rmb, s.detection.recognition_probability)
    rows = sw.design.rows  # type: ignore[attr-defined]
    assert rows[0] == base
    assert rows[1:] == [
        (0.0, base[1]),
        (5e6, base[1]),
        (base[0], 0.1),
        (base[0], 0.9),
        (base[0], 1.0),
    ]


def test_latin_hypercube_has_one_sample_in_every_stratum() -> None:
    n, bounds = 37, [[0.0, 1.0], [-5.0, 5.0], [100.0, 2000.0]]
    x = latin_hypercube(n, bounds, seed=4)
    assert x.shape == (n, 3)
    for d, (low, high) in enumerate(bounds):
        strata = np.floor((x[:, d] - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n)), f"dimension {d}"
    assert np.array_equal(x, latin_hypercube(n, bounds, seed=4))  # reproducible


def test_lhs_sweep_strata_and_integer_keys(write: WriteFile) -> None:
    sw = load(
        write,
        'kind = "lhs"\nsamples = 20\n[design.parameters]\n'
        '"enforcement.fine_rmb" = { low = 0, high = 4e6 }\n'
        '"patrols.bohai_strait_patrol.vessels" = { low = 0, high = 9 }\n',
    )
    rows = np.array(sw.design.rows, dtype=float)  # type: ignore[attr-defined]
    strata = np.floor(rows[:, 0] / 4e6 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    assert all(float(v).is_integer() for v in rows[:, 1])  # vessels is a whole number
    assert isinstance(sw.design.rows[0][1], int)  # type: ignore[attr-defined]


def test_sobol_and_morris_sizes(write: WriteFile) -> None:
    params = (
        '"enforcement.fine_rmb" = { low = 0, high = 4e6 }\n"tips.knowers" = { low = 1, high = 9 }\n'
    )
    sobol = load(write, f'kind = "sobol"\nsamples = 8\n[design.parameters]\n{params}')
    assert sobol.points == 8 * (2 + 2)  # type: ignore[attr-defined]
    morris = load(write, f'kind = "morris"\nsamples = 5\n[design.parameters]\n{params}')
    assert morris.points == 5 * (2 + 1)  # type: ignore[attr-defined]


def test_parameter_fix_rounds_to_ten_digits() -> None:
    p = Parameter("a", low=0.0, high=1.0)
    assert p.fix(1 / 3) == 0.3333333333
    d = build("lhs", (p,), (0.5,), samples=4, seed=1)
    assert all(f"{v:.10g}" == repr(v) or float(f"{v:.10g}") == v for (v,) in d.rows)


# --- mistakes: each one a clear message, exit code 2, and nothing run -------------

BAD = [
    (
        'kind = "grid"\n[design.parameters]\n"patrols.bohai_strait_patol.vessels" = [1, 2]\n',
        'design.parameters."patrols.bohai_strait_patol.vessels": no entry named '
        "'bohai_strait_patol' in patrols; did you mean 'bohai_strait_patrol'?",
    ),
    (
        'kind = "grid"\n[design.parameters]\n"enforcement.fine_rmbs" = [1, 2]\n',
        "enforcement.fine_rmbs: unknown key; did you mean 'fine_rmb'?",
    ),
    (
        'kind = "grid"\n[design.parameters]\n"enforcement.fine_rmb" = []\n',
        'design.parameters."enforcement.fine_rmb": empty list; give at least one value',
    ),
    (
        'kind = "lhs"\nsamples = 4\n[design.parameters]\n'
        '"enforcement.fine_rmb" = { low = 5, high = 1 }\n',
        'design.parameters."enforcement.fine_rmb": low (5) must be less than high (1)',
    ),
    (
        'kind = "factorial"\n[design.parameters]\n"enforcement.fine_rmb" = [1]\n',
        "design.kind: unknown design 'factorial'; choose one of grid, oat, lhs, sobol, morris",
    ),
    (
        'kind = "grid"\n[design.parameters]\n"patrols.bohai_strait_patrol.vessels" = [2, 500]\n',
        'design.parameters."patrols.bohai_strait_patrol.vessels": '
        "patrols.bohai_strait_patrol.vessels: Input should be less than or equal to 200 "
        "(got 500) at value 500",
    ),
    (  # each value is fine alone; one combination fails the cross-checks
        'kind = "grid"\n[design.parameters]\n"enforcement.accomplices_min" = [5, 8]\n'
        '"enforcement.accomplices_max" = [6, 9]\n',
        "design point 2 (enforcement.accomplices_min=8, enforcement.accomplices_max=6): "
        "enforcement.accomplices_min: is above enforcement.accomplices_max",
    ),
    (
        'kind = "sobol"\nsamples = 10\n[design.parameters]\n'
        '"enforcement.fine_rmb" = { low = 0, high = 1 }\n',
        "design.samples: must be a power of two for sobol (got 10)",
    ),
    (
        'kind = "sobol"\nsamples = 8\n[design.parameters]\n"enforcement.fine_rmb" = [1, 2]\n',
        "a sobol design needs a range",
    ),
    (
        'kind = "grid"\n[design.parameters]\n"seed" = [1, 2]\n',
        "cannot be swept; it is set by the sweep's `seed`",
    ),
    (
        'kind = "grid"\n[design.parameters]\n"patrols" = [1]\n',
        "names a table or list, not a single value",
    ),
    ('kind = "grid"\n[design.parameters]\n', "design.parameters: required"),
    (  # SALib only warns that an odd grid biases the trajectories; refuse it instead
        'kind = "morris"\nsamples = 4\nlevels = 3\n[design.parameters]\n'
        '"enforcement.fine_rmb" = { low = 0, high = 1 }\n',
        "design.levels: must be even for morris (got 3)",
    ),
]


@pytest.mark.parametrize(("design", "message"), BAD, ids=range(len(BAD)))
def test_bad_sweep_fails_before_running(
    design: str, message: str, write: WriteFile, tmp_path: Path, runner: CliRunner
) -> None:
    write(BASE, "base.toml")
    path = write(sweep_text(design), "sweep.toml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(path), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {path}: "), result.stderr
    assert message in result.stderr, result.stderr
    assert not out.exists()
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'outputs = ["tonnes_delivred"]\n',
            "outputs: unknown metric 'tonnes_delivred'; did you mean",
        ),
        ("replicatons = 3\n", "replicatons: unknown key; did you mean 'replications'?"),
        ("replications = 0\n", "replications: must be from 1"),
        # the name becomes the results folder's: never a way out of results/
        ('name = "../../../tmp/escape"\n', "name: expected 1 to 80 letters"),
        ('name = ".."\n', "got '..')"),
        ('name = ""\n', "name: expected"),
        ("description = 3\n", "description: expected text (got 3)"),
        # the [set] table is the sweep file's, not the command line's --set
        ("[set]\nnope = 1\n", "with its [set] table: nope: unknown key"),
        ('[set]\n"horizon_days" = -3\n', "with its [set] table: horizon_days: Input should be"),
    ],
)
def test_bad_top_level_keys(extra: str, message: str, write: WriteFile) -> None:
    write(BASE, "base.toml")
    text = sweep_text('kind = "grid"\n[design.parameters]\n"enforcement.fine_rmb" = [1.0]\n', extra)
    path = write(text.replace("replications = 2\n", "", 1) if "replications" in extra else text)
    with pytest.raises(ScenarioError, match="^" + str(path).replace(".", r"\.")) as e:
        load_sweep(path, list(METRICS), names(target=True))
    assert message in str(e.value)


def test_a_scenario_file_is_not_taken_for_a_sweep(write: WriteFile) -> None:
    path = write(BASE, "base.toml")
    with pytest.raises(ScenarioError, match="looks like a scenario file"):
        load_sweep(path, list(METRICS), names(target=True))


def test_missing_base(write: WriteFile) -> None:
    path = write(sweep_text('kind = "grid"\n[design.parameters]\n"horizon_days" = [1.0]\n'))
    with pytest.raises(ScenarioError, match=r"base: .*base\.toml: file not found"):
        load_sweep(path, list(METRICS), names(target=True))


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "scenarios" / "sweeps").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_sweeps_validate(path: Path) -> None:
    # Key paths at every value and both ends of each range; every point's full
    # cross-checks only for the small designs (the sobol one has 512 points).
    small = "sobol" not in path.stem
    sw = load_sweep(path, list(METRICS), names(target=True), check_points=small)
    assert sw.points >= 4
    assert sw.base_path.exists()


def test_set_table_changes_every_point(write: WriteFile) -> None:
    extra = '[set]\nhorizon_days = 10\n"tips.reward_rule" = "fixed"\n'
    write(BASE, "base.toml")
    text = 'base = "base.toml"\n' + extra + '[design]\nkind = "grid"\n[design.parameters]\n'
    path = write(text + '"tips.reward_fixed_rmb" = [0.0, 1e5]\n', "sweep.toml")
    sw = load_sweep(path, list(METRICS), names(target=True))
    import json

    for point in sw.point_json:
        data = json.loads(point)
        assert data["horizon_days"] == 10 and data["tips"]["reward_rule"] == "fixed"
    assert sw.fixed == ("horizon_days=10", 'tips.reward_rule="fixed"')
    bad = write(text.replace("horizon_days = 10", "horizon_dayz = 10") + '"horizon_days" = [1.0]\n')
    with pytest.raises(ScenarioError, match="horizon_dayz"):
        load_sweep(bad, list(METRICS), names(target=True))


@pytest.mark.parametrize(
    ("fixed", "overrides", "said"),
    [
        ('[set]\n"patrols.0.vessels" = 3\n', [], "[set] patrols.0.vessels"),
        ("", ["patrols.bohai_strait_patrol.vessels=3"], "--set patrols.bohai_strait_patrol"),
        # unquoted, TOML reads it as a nested table: the same single key
        ("[set]\npatrols.0.vessels = 3\n", [], "[set] patrols.0.vessels"),
    ],
)
def test_a_key_both_fixed_and_swept_is_an_error(
    fixed: str, overrides: list[str], said: str, write: WriteFile
) -> None:
    """The design's values would win and the fixed one be dropped without a word."""
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    text = f'base = "{base}"\n{fixed}[design]\nkind = "grid"\n[design.parameters]\n'
    path = write(text + '"patrols.bohai_strait_patrol.vessels" = [1, 2]\n', "sweep.toml")
    with pytest.raises(ScenarioError) as e:
        load_sweep(path, list(METRICS), names(target=True), overrides=overrides)
    message = str(e.value)
    assert 'design.parameters."patrols.bohai_strait_patrol.vessels"' in message
    assert said in message and "fixes a key this sweep varies" in message


def test_a_set_key_that_renames_the_swept_entry_is_not_taken_for_the_same_key(
    write: WriteFile,
) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    text = (
        f'base = "{base}"\n[set]\n"patrols.0.name" = "renamed"\n'
        '[design]\nkind = "grid"\n[design.parameters]\n"patrols.renamed.vessels" = [1, 2]\n'
    )
    sw = load_sweep(write(text, "sweep.toml"), list(METRICS), names(target=True))
    assert sw.points == 2
