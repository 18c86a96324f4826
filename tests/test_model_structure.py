"""The model's modules depend on each other in layers: no cycles, and no mechanism reaching
for the whole ``Model``.

Imports are read from the source with ``ast``, wherever they stand (top level, under
``TYPE_CHECKING``, inside a function), so a cycle hidden from the interpreter by a
type-checking import still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parents[1] / "sim" / "model"
PACKAGE = "sim.model"
MODEL = f"{PACKAGE}.model"
ENTRY_POINT = "simulate"


def model_imports(source: str) -> dict[str, set[str]]:
    """Each ``sim.model`` module a source imports, with the names it takes from it
    (empty for ``import sim.model.x``, or ``from sim.model import x``)."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(f"{PACKAGE}."):
                    found.setdefault(alias.name, set())
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == PACKAGE:
                for alias in node.names:
                    found.setdefault(f"{PACKAGE}.{alias.name}", set())
            elif node.module.startswith(f"{PACKAGE}."):
                found.setdefault(node.module, set()).update(a.name for a in node.names)
    return found


def graph(folder: Path) -> dict[str, dict[str, set[str]]]:
    """Module -> the package modules it imports (and the names it takes from each)."""
    modules = {f"{PACKAGE}.{p.stem}": p for p in folder.glob("*.py") if p.stem != "__init__"}
    return {
        name: {m: names for m, names in model_imports(path.read_text()).items() if m in modules}
        for name, path in modules.items()
    }


def reaching_for_model(deps: dict[str, dict[str, set[str]]]) -> list[str]:
    """Modules besides ``model`` itself that import it for more than ``simulate``."""
    return sorted(
        name
        for name, imports in deps.items()
        if name != MODEL and MODEL in imports and imports[MODEL] != {ENTRY_POINT}
    )


def cycles(deps: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """One cycle through each module that lies on any (depth-first, from sorted names)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for nxt in sorted(deps[name]):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[name] = 2

    for name in sorted(deps):
        if name not in state:
            visit(name)
    return found


def test_the_reader_sees_every_kind_of_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import sim.model.a\n"
        "from sim.model import b\n"
        "from sim.model.c import X, Y\n"
        "if TYPE_CHECKING:\n"
        "    from sim.model.d import Z\n"
        "def f():\n"
        "    from sim.model.e import W\n"
        "from sim.scenario import schema\n"
    )
    assert model_imports(source) == {
        "sim.model.a": set(),
        "sim.model.b": set(),
        "sim.model.c": {"X", "Y"},
        "sim.model.d": {"Z"},
        "sim.model.e": {"W"},
    }


def test_cycles_are_found_through_any_length() -> None:
    deps: dict[str, dict[str, set[str]]] = {
        "a": {"b": set()},
        "b": {"c": set()},
        "c": {"a": set()},
        "d": {"a": set()},
    }
    assert cycles(deps) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b": set()}, "b": {}}) == []
    assert cycles({"a": {"a": set()}}) == [["a", "a"]]


def test_the_model_package_is_read() -> None:
    deps = graph(MODEL_DIR)
    assert {MODEL, f"{PACKAGE}.buyers", f"{PACKAGE}.rng"} <= set(deps)
    assert deps[MODEL]  # model.py wires the others together


def test_no_mechanism_imports_the_model() -> None:
    assert reaching_for_model(graph(MODEL_DIR)) == []


def test_model_modules_import_each_other_without_cycles() -> None:
    assert cycles(graph(MODEL_DIR)) == []
