"""The key reference in docs/ is generated from the schema and documents every key."""

from __future__ import annotations

from pathlib import Path

from sim.scenario.reference import markdown, rows

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"


def test_every_key_documents_its_meaning() -> None:
    undocumented = [key for key, *_, doc in rows() if not doc.strip()]
    assert undocumented == []


def test_committed_reference_is_current() -> None:
    assert DOC.read_text() == markdown(), "run: python -m sim.scenario.reference > docs/scenario.md"
