"""Shared fixtures: a CLI runner and a helper that writes scenario files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

WriteFile = Callable[..., Path]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """``write(content, name="scenario.toml")``: str is written as UTF-8, bytes as they are."""

    def _write(content: str | bytes, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
