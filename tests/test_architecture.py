"""The folder tree is the architecture: each package of sim/ imports only packages
below it (docs/architecture.md). Imports inside functions and under TYPE_CHECKING count
too: a lazy import upwards is still a dependency upwards."""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parents[1] / "sim"

LAYERS = [
    "world",
    "scenario",
    "model",
    "observe",
    "metrics",
    "experiment",
    "report",
    "calibrate",
    "study",
    "verify",
    "api",
    "cli",
]
"""Bottom first; a package may import its own modules and any package before it."""


def imported_packages(path: Path) -> set[str]:
    """The sim packages a module imports (``sim.model.x`` -> ``model``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sim" and len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
    return found


def violations(root: Path) -> list[str]:
    out = []
    for package in LAYERS:
        allowed = set(LAYERS[: LAYERS.index(package) + 1])
        for path in sorted((root / package).rglob("*.py")):
            for used in sorted(imported_packages(path) - allowed):
                out.append(f"{path.relative_to(root.parent)} imports sim.{used}")
    return out


def test_every_module_of_sim_lives_in_a_layer() -> None:
    loose = {p.stem for p in SIM.glob("*.py")} - {"__init__", "__main__"}
    assert not loose, f"modules outside any package: {sorted(loose)}"
    packages = {p.name for p in SIM.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


def test_no_package_imports_one_above_it() -> None:
    assert violations(SIM) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The model reaching for the report, even lazily inside a function, is caught."""
    for package in LAYERS:
        (tmp_path / "sim" / package).mkdir(parents=True)
    (tmp_path / "sim" / "model" / "bad.py").write_text(
        "def f():\n    from sim.report import style\n    return style\n"
    )
    (tmp_path / "sim" / "report" / "fine.py").write_text("from sim.model import bad\n")
    assert violations(tmp_path / "sim") == ["sim/model/bad.py imports sim.report"]
