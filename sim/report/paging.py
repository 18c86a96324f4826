"""A long table over as many A4 pages as it needs, so a PDF report prints.

The HTML keeps each table whole; a PDF page has a height. A table whose
``more`` note is set keeps its own rule (the first page's rows and a note
saying where the rest are), so only tables without one are split here.
"""

from __future__ import annotations

import dataclasses
import textwrap

from sim.report.tables import A4, LINE_INCHES, Table, rows_fitting, wrapped_cells

TOP_INCHES, BOTTOM_INCHES = 1.0, 0.5
"""Room a table page keeps above its header (the title) and below its last line."""


def split(table: Table) -> list[Table]:
    """The table as consecutive pieces that each fit one A4 page; notes go on the last."""
    if table.more or not table.rows:
        return [table]
    width, height = (A4[1], A4[0]) if table.landscape else A4
    head, cells = wrapped_cells(table)
    heights = [max(len(c) for c in row) for row in cells]
    notes = [ln for n in table.notes for ln in textwrap.wrap(n, int(width * 13))]
    room = (height - TOP_INCHES - BOTTOM_INCHES) / LINE_INCHES
    room -= max((len(c) for c in head), default=1) + (len(notes) + 1 if notes else 0)
    pieces: list[Table] = []
    start = 0
    while start < len(heights):
        end = start + max(rows_fitting(heights[start:], room), 1)  # a row taller than a page alone
        last = end >= len(heights)
        rows = table.rows[start:end]
        pieces.append(dataclasses.replace(table, rows=rows, notes=table.notes if last else ()))
        start = end
    return pieces
