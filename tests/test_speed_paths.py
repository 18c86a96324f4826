"""The cheap paths of issue 18: ``--help`` without the heavy libraries, and the
column-wise CSV writer giving the same cells as the value-by-value one."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.stream import Table

HEAVY = ("pandas", "scipy", "matplotlib", "SALib", "dask", "distributed")


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from sim.cli import app\n"
        "for args in (['--help'], ['run', '--help'], ['sweep', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_frame_cells_by_dtype(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "i": np.array([3, -2], dtype=np.int64),
            "f": [0.1 + 0.2, math.nan],
            "z": [-0.0, 1e20],
            "b": [True, False],
            "s": ["a,b", ""],
            "o": [None, 2.5],
            "n": pd.array([1, None], dtype="Int64"),
        }
    )
    t = Table(tmp_path, "t.csv", None)
    t.create()
    t.frame(frame)
    t.finish()
    # %.10g floats, NaN/None/NA as empty cells, quoting by the csv module
    expected = 'i,f,z,b,s,o,n\n3,0.3,-0,True,"a,b",,1\n-2,,1e+20,False,,2.5,\n'
    assert (tmp_path / "t.csv").read_text() == expected
