"""The cheap paths of issue 18: ``--help`` without the heavy libraries, and the
column-wise CSV writer giving the same cells as the value-by-value one."""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.experiment.stream import Table, row_lines

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


def test_plain_rows_match_the_csv_module() -> None:
    """The joined fast path gives the csv module's bytes, and text that needs quoting
    (commas, quotes, line breaks, a lone empty cell) goes through the module."""
    rng = np.random.default_rng(5)
    alphabet = ["a", "b", "1", "-", ".", " ", "", ",", '"', "\n", "\r"]
    for trial in range(300):
        ncols = int(rng.integers(1, 4))
        nrows = int(rng.integers(0, 4))
        plain = trial % 2 == 0  # half the tables without any character that needs quoting
        pool = alphabet[:7] if plain else alphabet
        columns = [
            ["".join(rng.choice(pool, size=int(rng.integers(0, 3)))) for _ in range(nrows)]
            for _ in range(ncols)
        ]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(zip(*columns, strict=True))
        assert row_lines(columns) == buf.getvalue(), columns


def test_lead_columns_come_first(tmp_path: Path) -> None:
    t = Table(tmp_path, "t.csv", None)
    t.create()
    t.frame(pd.DataFrame({"x": [1.5, math.nan]}), {"replication": 3, "seed": 11})
    t.frame(pd.DataFrame({"x": [2.0]}), {"replication": 4, "seed": 11})
    t.frame(pd.DataFrame({"y": ["b"], "x": [0.25]}), {"replication": 5, "seed": 11})
    t.frame(pd.DataFrame({"y": ["c"]}), {"replication": 6, "seed": 11})
    t.finish()
    # a frame with other columns is fitted to the header: missing cells empty, extra dropped
    assert (tmp_path / "t.csv").read_text() == (
        "replication,seed,x\n3,11,1.5\n3,11,\n4,11,2\n5,11,0.25\n6,11,\n"
    )
