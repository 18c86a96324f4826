"""Optional compiled build: ``COALSIM_COMPILE=1`` compiles the model with mypyc.

Everything about the package is in ``pyproject.toml``; this file only adds the
extension modules, and only when asked (``make fast``), so that an ordinary or
editable install needs no compiler and the source stays what runs. The model is
compiled from the same typed source (mypy strict), and its results are byte for
byte those of the pure-Python model: ``benchmarks/bench_compiled.py`` checks that
on every shipped scenario and measures the speed-up (benchmarks/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

# The code every replication executes: the model, the world it runs in, the metrics and
# tables read off its records, the outside observer, and the writer of a run's tables.
# The layers above (scenario loading, studies, reports) run once per study and stay Python.
COMPILED = ("sim/model", "sim/world", "sim/metrics", "sim/observe", "sim/experiment/stream.py")
# sim.metrics' package module defines a module ``__getattr__`` (lazy imports), which
# mypyc's module set-up calls before the module's globals exist: a segfault on import.
# sim.metrics.docs is run with ``python -m``, which needs Python source. What crosses
# between processes stays Python: a compiled frozen dataclass cannot be unpickled
# (mypyc restores it by assigning its fields), so a replication's ``Outputs`` coming
# back from a worker would break the pool; ``evaluate`` is what workers are sent.
INTERPRETED = {
    "sim/metrics/__init__.py",
    "sim/metrics/docs.py",
    "sim/metrics/evaluate.py",
    "sim/metrics/outputs.py",
}


def ext_modules() -> list[object]:
    if os.environ.get("COALSIM_COMPILE") != "1":
        return []
    from mypyc.build import mypycify

    found = (Path(d).glob("*.py") if Path(d).is_dir() else [Path(d)] for d in COMPILED)
    paths = sorted(str(p) for ps in found for p in ps if str(p) not in INTERPRETED)
    return list(mypycify(paths, opt_level="3"))


setup(ext_modules=ext_modules())
