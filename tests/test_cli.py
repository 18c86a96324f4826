"""The ``coalsim`` command line as a user drives it: exit codes, output, files written."""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario import Scenario, load

WriteFile = Callable[..., Path]

TINY = "horizon_days = 20\nreplications = 2\n"


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


# --- validate ---------------------------------------------------------------------


def test_validate_ok(write: WriteFile, runner: CliRunner) -> None:
    path = write("horizon_days = 30\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {path}\n"
    assert result.stderr == ""


def test_validate_several_files_one_bad(write: WriteFile, runner: CliRunner) -> None:
    good1 = write("horizon_days = 30\n", "good1.toml")
    bad = write("horizon_dayz = 30\n", "bad.toml")
    good2 = write("replications = 3\n", "good2.toml")
    result = runner.invoke(app, ["validate", str(good1), str(bad), str(good2)])
    assert result.exit_code == 2
    no_traceback(result)
    # every file is checked, not just up to the first bad one
    assert f"ok: {good1}" in result.stdout
    assert f"ok: {good2}" in result.stdout
    assert f"error: {bad}: horizon_dayz: unknown key" in result.stderr
    assert str(bad) not in result.stdout


def test_validate_needs_a_file(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    no_traceback(result)


def test_messages_are_not_wrapped_or_marked_up(tmp_path: Path, runner: CliRunner) -> None:
    # A long path with rich-markup look-alikes must come out verbatim on one line.
    folder = tmp_path / ("[bold]" + "d" * 120)
    folder.mkdir()
    path = folder / "scenario.toml"
    path.write_text("horizon_dayz = 30\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {path}: horizon_dayz: unknown key; did you mean")
    assert "allowed keys here: adaptation, allocation, beliefs, buyers, contract" in first


# --- show ---------------------------------------------------------------------------


def test_show_prints_the_resolved_scenario(write: WriteFile, runner: CliRunner) -> None:
    path = write("horizon_days = 30\n")
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 0, result.output
    shown = Scenario.model_validate(tomllib.loads(result.stdout))
    assert shown == load(path).scenario
    assert shown.horizon_days == 30


def test_show_with_set(write: WriteFile, runner: CliRunner) -> None:
    path = write("horizon_days = 30\n")
    result = runner.invoke(
        app, ["show", str(path), "--set", "horizon_days=12", "--set", "sellers.0.vessels=5"]
    )
    assert result.exit_code == 0, result.output
    shown = Scenario.model_validate(tomllib.loads(result.stdout))
    assert shown.horizon_days == 12
    assert shown.sellers[0].vessels == 5
    assert shown == load(path, ["horizon_days=12", "sellers.0.vessels=5"]).scenario


def test_show_missing_file(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "missing.toml"
    result = runner.invoke(app, ["show", str(path)])
    assert result.exit_code == 2
    no_traceback(result)
    assert f"{path}: file not found" in result.stderr
    assert result.stdout == ""


# --- run ----------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["run", *args])


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """One serial run of the tiny scenario, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("tiny")
    scenario = root / "tiny.toml"
    scenario.write_text(TINY, encoding="utf-8")
    out = root / "run1"
    result = CliRunner().invoke(app, ["run", str(scenario), "--workers", "1", "--out", str(out)])
    return scenario, out, result


def test_run_writes_a_complete_results_folder(tiny_run: tuple[Path, Path, Result]) -> None:
    _, out, result = tiny_run
    assert result.exit_code == 0, result.output
    no_traceback(result)
    assert f"results written to {out}" in result.stdout

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["replications"] == 2
    assert set(manifest["files"]) >= {"runs.csv", "timeseries.csv", "shipments.csv", "summary.csv"}

    runs = read_rows(out / "runs.csv")
    assert len(runs) == 2
    assert "seed" in runs[0]
    assert sorted(int(r["replication"]) for r in runs) == [0, 1]
    for name in ("timeseries.csv", "shipments.csv", "summary.csv"):
        assert (out / name).is_file()
        assert read_rows(out / name), f"{name} has no rows"


def test_run_table_leaves_out_metrics_no_replication_has(
    tiny_run: tuple[Path, Path, Result],
) -> None:
    """Without a policy change the displacement metrics have no value: they are named once,
    not printed as rows of n/a."""
    _, _, result = tiny_run
    assert "not applicable in this run" in result.stdout
    line = next(x for x in result.stdout.splitlines() if "not applicable" in x)
    assert "displacement_index" in line and "recovery_days" in line
    table = result.stdout.split("not applicable")[0]
    assert "displacement_index" not in table and "tonnes_delivered" in table


def test_replications_and_seed_are_run_options_not_overrides(
    tiny_run: tuple[Path, Path, Result], tmp_path: Path, runner: CliRunner
) -> None:
    scenario, _, _ = tiny_run
    out = tmp_path / "r"
    args = [str(scenario), "--workers", "1", "--no-report", "--out", str(out)]
    result = run(runner, *args, "--replications", "1", "--seed", "5", "--set", "horizon_days=5")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["overrides"] == ["horizon_days=5"]  # only what --set said
    assert (manifest["replications"], manifest["seed"]) == (1, 5)
    bad = run(runner, *args[:-1], str(tmp_path / "b"), "--seed", str(2**64))
    assert bad.exit_code == 2 and "with --seed" in bad.stderr and "--set" not in bad.stderr


def test_run_refuses_to_overwrite(tiny_run: tuple[Path, Path, Result], runner: CliRunner) -> None:
    scenario, out, _ = tiny_run
    before = (out / "runs.csv").read_bytes()
    result = run(runner, str(scenario), "--workers", "1", "--out", str(out))
    assert result.exit_code == 2
    no_traceback(result)
    assert f"--out {out}: already holds a run's or a sweep's results" in result.stderr
    assert (out / "runs.csv").read_bytes() == before


def test_parallel_run_is_identical_to_serial(
    tiny_run: tuple[Path, Path, Result], tmp_path: Path, runner: CliRunner
) -> None:
    scenario, serial, _ = tiny_run
    parallel = tmp_path / "run2"
    result = run(runner, str(scenario), "--workers", "2", "--out", str(parallel))
    assert result.exit_code == 0, result.output
    for name in ("runs.csv", "shipments.csv"):
        assert (parallel / name).read_bytes() == (serial / name).read_bytes(), name


def test_run_replications_zero(write: WriteFile, tmp_path: Path, runner: CliRunner) -> None:
    path = write(TINY)
    result = run(
        runner, str(path), "--replications", "0", "--workers", "1", "--out", str(tmp_path / "r")
    )
    assert result.exit_code == 2
    no_traceback(result)
    assert "--replications" in result.stderr
    assert not (tmp_path / "r").exists()


def test_run_missing_file(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "missing.toml"
    result = run(runner, str(path), "--workers", "1", "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    no_traceback(result)
    assert result.stderr == f"error: {path}: file not found\n"
    assert not (tmp_path / "r").exists()


def test_run_bad_override(write: WriteFile, tmp_path: Path, runner: CliRunner) -> None:
    path = write(TINY)
    out = tmp_path / "r"
    result = run(runner, str(path), "--set", "horizon_days=-1", "--workers", "1", "--out", str(out))
    assert result.exit_code == 2
    no_traceback(result)
    assert "horizon_days" in result.stderr
    assert not out.exists()


def test_run_out_under_a_file(write: WriteFile, tmp_path: Path, runner: CliRunner) -> None:
    path = write(TINY)
    blocker = write("not a folder", "blocker")
    result = run(runner, str(path), "--workers", "1", "--out", str(blocker / "sub"))
    assert result.exit_code == 2
    no_traceback(result)
    assert f"--out {blocker / 'sub'}: cannot create the results folder" in result.stderr
    result = run(runner, str(path), "--workers", "1", "--out", str(blocker))
    assert result.exit_code == 2
    assert f"--out {blocker}: exists and is not a folder" in result.stderr


BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


@pytest.mark.skipif(not BASELINE.exists(), reason="no shipped baseline scenario")
def test_shipped_baseline_validates_and_shows(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(BASELINE)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["show", str(BASELINE)])
    assert result.exit_code == 0, result.output
    assert Scenario.model_validate(tomllib.loads(result.stdout)) == load(BASELINE).scenario


# --- help ---------------------------------------------------------------------------


def _commands() -> list[str]:
    import typer.core
    import typer.main

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_help_lists_every_command(runner: CliRunner) -> None:
    """The list below is what a user reads in ``coalsim --help``; a new command joins it."""
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout and "{" not in result.stdout, result.stdout
    for command in _commands():
        assert f" {command} " in result.stdout, command


@pytest.mark.parametrize("command", _commands())
def test_help_shows_only_what_a_user_types(command: str, runner: CliRunner) -> None:
    """No mark a user cannot type: a flag (``--no-report``, ``--help``) shows no value
    (``<bool>`` reads as if ``--no-report true`` were allowed, and that fails), no option or
    argument shows a Python type such as ``list[str]`` or ``<path>``, and the usage line
    writes a required argument bare, not as typer's ``{SCENARIO}``."""
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "<bool>" not in text and "list[" not in text and "<path>" not in text, text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    for line in text.splitlines():
        if line.lstrip("│ ").startswith("--help"):
            shown = line.split("--help", 1)[1].rstrip("│ ")
            assert " ".join(shown.split()) == "Show this message and exit.", line


def test_usage_names_the_arguments_as_typed(runner: CliRunner) -> None:
    """Written out by hand from each command's signature: what a user types, in order."""
    expected = {
        "run": "[OPTIONS] SCENARIO",
        "show": "[OPTIONS] SCENARIO",
        "compare": "[OPTIONS] RUN_A RUN_B",
        "validate": "[OPTIONS] FILE...",
        "report": "[OPTIONS] RESULTS_DIR",
        "sweep": "[OPTIONS] SWEEP_FILE",
        "verify": "[OPTIONS]",
    }
    for command, args in expected.items():
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "120"})
        usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
        assert usage.strip().endswith(f"{command} {args}"), usage


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"coalsim {version('coalsim')}"
