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

# The model and the world it runs in: the code every replication executes. The
# layers above (scenario loading, metrics, studies, reports) run once per
# replication or once per study and stay Python.
COMPILED = ("sim/model", "sim/world")


def ext_modules() -> list[object]:
    if os.environ.get("COALSIM_COMPILE") != "1":
        return []
    from mypyc.build import mypycify

    paths = sorted(str(p) for d in COMPILED for p in Path(d).glob("*.py"))
    return list(mypycify(paths, opt_level="3"))


setup(ext_modules=ext_modules())
