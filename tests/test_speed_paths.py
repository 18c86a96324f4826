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
import pytest

from sim.experiment.seeds import replication_seed
from sim.experiment.stream import Table, cell, row_lines
from sim.metrics.evaluate import evaluate
from sim.metrics.outputs import Columns
from sim.scenario import load

ROOT = Path(__file__).resolve().parents[1]

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


def test_cells_by_kind(tmp_path: Path) -> None:
    table = Columns(
        {
            "i": np.array([3, -2], dtype=np.int64),
            "f": [0.1 + 0.2, math.nan],
            "z": [-0.0, 1e20],
            "b": [True, False],
            "s": ["a,b", ""],
            "o": [None, 2.5],
            "n": [1, None],
        },
        {"i": "int", "f": "float", "z": "float", "b": "bool", "s": "str", "o": "float", "n": "int"},
    )
    t = Table(tmp_path, "t.csv", None)
    t.create()
    t.append(table)
    t.finish()
    # %.10g floats, NaN and None as empty cells, quoting by the csv module
    expected = 'i,f,z,b,s,o,n\n3,0.3,-0,True,"a,b",,1\n-2,,1e+20,False,,2.5,\n'
    assert (tmp_path / "t.csv").read_text() == expected


def test_a_replications_tables_are_written_as_pandas_sees_their_values(tmp_path: Path) -> None:
    """Each column is formatted by the kind its table declares; the oracle formats value by
    value (``cell``) the rows of the pandas frame, whose types pandas infers itself."""
    s = load(ROOT / "scenarios" / "baseline.toml", ["horizon_days=60"]).scenario
    outputs = evaluate(s.model_dump_json(), replication_seed(s.seed, 2))
    assert set(outputs.tables) == {
        "timeseries",
        "shipments",
        "network_nodes",
        "network_edges",
        "volume",
        "zones",
    }
    for name, table in outputs.tables.items():
        t = Table(tmp_path, f"{name}.csv", None)
        t.create()
        t.append(table, {"replication": 2, "seed": 7})
        t.finish()
        frame = table.frame()
        assert table.rows == len(frame) > 0, name
        buf = io.StringIO()
        rows = [[2, 7, *row] for row in frame.itertuples(index=False)]
        csv.writer(buf, lineterminator="\n").writerows(
            [["replication", "seed", *frame.columns], *[[cell(v) for v in r] for r in rows]]
        )
        assert (tmp_path / f"{name}.csv").read_text() == buf.getvalue(), name


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
    t.append(Columns({"x": [1.5, math.nan]}, {"x": "float"}), {"replication": 3, "seed": 11})
    t.append(Columns({"x": [2.0]}, {"x": "float"}), {"replication": 4, "seed": 11})
    both = Columns({"y": ["b"], "x": [0.25]}, {"y": "str", "x": "float"})
    t.append(both, {"replication": 5, "seed": 11})
    t.append(Columns({"y": ["c"]}, {"y": "str"}), {"replication": 6, "seed": 11})
    t.finish()
    # a table with other columns is fitted to the header: missing cells empty, extra dropped
    assert (tmp_path / "t.csv").read_text() == (
        "replication,seed,x\n3,11,1.5\n3,11,\n4,11,2\n5,11,0.25\n6,11,\n"
    )


def test_columns_refuse_a_table_that_is_not_one() -> None:
    with pytest.raises(ValueError, match="unequal lengths"):
        Columns({"x": [1.0, 2.0], "y": ["a"]}, {"x": "float", "y": "str"})
    with pytest.raises(ValueError, match="do not match"):
        Columns({"x": [1.0]}, {"y": "float"})


def test_a_table_of_no_rows_is_a_frame_of_object_columns() -> None:
    """As a frame built from no records: pandas has nothing to infer the types from."""
    empty = Columns.from_rows([], {"a": "int", "b": "str"})
    assert empty.rows == 0
    assert list(empty.frame().columns) == ["a", "b"]
    assert list(empty.frame().dtypes) == [object, object]
