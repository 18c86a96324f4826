"""``make fast``'s SimPy kernel (fast/simpy_kernel.py): its edits, checked without a compiler.

The compiled build itself is checked where it is made (SimPy's own tests) and by
``make bench-fast`` (identical results on every shipped scenario). Here the edits
are applied to the SimPy this environment has installed and run as plain Python:
they must leave a replication's results exactly as the published SimPy gives them.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

REPLICATION = """
import hashlib, inspect, sys
import simpy
from sim.experiment.seeds import replication_seed
from sim.metrics.replication import replication_metrics
from sim.model.model import simulate
from sim.scenario import load

print(simpy.core.__file__)
print(inspect.isfunction(simpy.Environment.timeout))
resolved = load(sys.argv[1], ["horizon_days=90"])
metrics = replication_metrics(simulate(resolved, replication_seed(resolved.scenario.seed, 3)))
print(hashlib.sha256(repr(sorted(metrics.items())).encode()).hexdigest())
"""


def _kernel_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("simpy_kernel", ROOT / "fast" / "simpy_kernel.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replicate(pythonpath: Path | None) -> list[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-c", REPLICATION, str(ROOT / "scenarios" / "baseline.toml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    return done.stdout.split()


def test_the_kernel_edits_keep_simpys_results(tmp_path: Path) -> None:
    import simpy

    kernel = _kernel_script()
    published = Path(inspect.getfile(simpy)).parent
    shutil.copytree(published, tmp_path / "simpy", ignore=shutil.ignore_patterns("*.pyc"))
    kernel.edit(tmp_path / "simpy")

    core = (tmp_path / "simpy" / "core.py").read_text()
    assert "BoundClass(" not in core.split("class Environment")[1]  # plain methods only
    assert "bind_early(self)" not in core
    # the per-event names are read from module constants, not looked up at each event
    assert "_heappush(self._queue" in core and "_heappop(self._queue)" in core
    assert " heappush(" not in core.split("_next: Final = next")[1]
    events = (tmp_path / "simpy" / "events.py").read_text()
    assert "\nNORMAL: Final = EventPriority(1)\n" in events

    edited_file, edited_plain, edited_hash = _replicate(tmp_path)
    published_file, published_plain, published_hash = _replicate(None)
    assert edited_file == str(tmp_path / "simpy" / "core.py")
    assert published_file == str(published / "core.py")
    # the published timeout is a class bound through a descriptor; the edited one a method
    assert (edited_plain, published_plain) == ("True", "False")
    assert edited_hash == published_hash


def test_an_edit_that_finds_nothing_stops_the_build_and_says_where() -> None:
    kernel = _kernel_script()
    with pytest.raises(kernel.BuildError) as err:
        kernel.replace_once("class Other:\n", "\nclass Event:\n", "", "simpy/events.py")
    message = str(err.value)
    assert "simpy/events.py" in message and "'class Event:'" in message
    assert "found 0" in message and "published SimPy" in message


def test_an_attribute_visited_twice_for_the_collector_is_found() -> None:
    """mypyc once listed a re-annotated attribute twice in a class's traversal, and the
    collector then kept every dropped environment alive: the build looks for that."""
    kernel = _kernel_script()
    generated = """
static int
events___Timeout_traverse(simpy___events___TimeoutObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->__value);
    Py_VISIT(self->_callbacks);
    Py_VISIT(self->_callbacks);
    return 0;
}
static int
events___Event_traverse(simpy___events___EventObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->__value);
    Py_VISIT(self->_callbacks);
    return 0;
}
"""
    assert kernel.traversed_twice(generated) == [
        "events___Timeout_traverse: Py_VISIT(self->_callbacks);"
    ]


def test_only_events_own_declaration_of_callbacks_keeps_its_annotation() -> None:
    import simpy

    kernel = _kernel_script()
    events = (Path(inspect.getfile(simpy)).parent / "events.py").read_text()
    edited = kernel.unannotate_redeclared(events)
    assert edited.count("self.callbacks: EventCallbacks = ") == 1
    assert edited.count("self.callbacks = ") == 4
    assert "self._value: Any = None" not in edited
