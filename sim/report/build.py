"""Assembling a report: figures/ (PNG and SVG), report.html and report.pdf in the results folder.

A report is a list of parts. A part with a figure function becomes a PNG
and an SVG in figures/, an image inlined in the HTML and a page of the
PDF; a part whose data is absent becomes a short note in its section (and
on the PDF's title page) instead. Table parts are HTML tables and PDF
table pages. Everything is read from the saved folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.experiment.store import write_atomic
from sim.report import html, paging, style
from sim.report.style import Missing
from sim.report.tables import A4, Table, table_figure

FIGURES = "figures"
HTML = "report.html"
PDF = "report.pdf"


@dataclass
class Part:
    key: str
    title: str
    caption: str = ""
    make: Callable[[], Figure] | None = None
    table: Table | None = None
    table_page: bool = False
    """Draw the table as a PDF page of its own too."""
    note: str = ""
    """Why the part has nothing to show (its data was not saved); shown instead."""
    links: list[str] = field(default_factory=list)
    """Files or folders beside the report that the section points to (HTML links)."""


@dataclass
class Written:
    html: Path
    pdf: Path
    pages: list[str]
    """Title of each PDF page, in order."""
    figures: list[Path] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    """Section key -> why it was not drawn."""


COMPILED = (("model", "model_compiled"), ("SimPy kernel", "kernel_compiled"))
"""What ``make fast`` compiles, as the footer names it, and its manifest key."""


def _meta_line(m: dict[str, Any]) -> str:
    bits = []
    if m.get("finished_at"):
        bits.append(f"finished {m['finished_at']}")
    parts = [name for name, key in COMPILED if m.get(key)]
    compiled = f" (compiled {' and '.join(parts)})" if parts else ""
    bits.append(f"coalsim {m.get('package_version', '?')}{compiled}")
    if m.get("git_commit"):
        bits.append(f"commit {str(m['git_commit'])[:10]}")
    return ", ".join(bits)


def render(
    folder: Path,
    title: str,
    meta: str,
    manifest: dict[str, Any],
    headline: Table,
    parts: list[Part],
    front: list[str] | None = None,
) -> Written:
    """Make every part, then write figures/, report.html and report.pdf into ``folder``;
    ``front``: lines the PDF's first page says above its contents (a sweep's findings)."""
    blocks: list[html.Block] = []
    pages: list[tuple[str, Figure]] = []
    written = Written(folder / HTML, folder / PDF, [])
    for part in parts:
        block = html.Block(part.key, part.title, part.caption, table=part.table, links=part.links)
        if part.note:
            block.note = written.notes[part.key] = part.note
        if part.make is not None:
            fig = _draw(part, part.make, block, folder / FIGURES, written)
            if fig is not None:
                pages.append((part.title, fig))
        if part.table is not None and part.table_page:
            pages += _table_pages(part.title, part.table)
        blocks.append(block)

    footer = f"Made by coalsim from the saved results in {folder} ({_meta_line(manifest)})."
    write_atomic(written.html, html.page(title, meta, blocks, footer))
    _write_pdf(written, title, meta, headline, parts, pages, front or [])
    return written


def _draw(
    part: Part, make: Callable[[], Figure], block: html.Block, fig_dir: Path, written: Written
) -> Figure | None:
    """Make a part's figure and save it; a figure that cannot be drawn leaves a note (and
    no stale file from an earlier report) in its place."""
    try:
        fig = make()
    except Missing as m:
        block.note = str(m)
        written.notes[part.key] = str(m)
        for stale in (fig_dir / f"{part.key}.png", fig_dir / f"{part.key}.svg"):
            stale.unlink(missing_ok=True)
        return None
    png, svg = style.save(fig, fig_dir, part.key)
    block.png = png.read_bytes()
    block.alt = f"{part.title}. {part.caption}"
    block.files = [f"{FIGURES}/{png.name}", f"{FIGURES}/{svg.name}"]
    written.figures += [png, svg]
    return fig


def _table_pages(title: str, table: Table) -> list[tuple[str, Figure]]:
    """A table as whole PDF pages, numbered when it takes more than one."""
    pieces = paging.split(table)
    pages = []
    for k, piece in enumerate(pieces):
        name = title if len(pieces) == 1 else f"{title} ({k + 1} of {len(pieces)})"
        a4_height = A4[0] if piece.landscape else A4[1]  # a whole page, to print
        pages.append((name, table_figure(name, piece, min_height=a4_height)))
    return pages


def _write_pdf(
    written: Written,
    title: str,
    meta: str,
    headline: Table,
    parts: list[Part],
    pages: list[tuple[str, Figure]],
    findings: list[str],
) -> None:
    """The PDF: a front page (headline table, findings, contents, what was not drawn), then
    the pages."""
    contents = [f"p. {i + 2}: {t}" for i, (t, _) in enumerate(pages)]
    notes = [
        f"Not drawn: {p.title} ({written.notes[p.key]})" for p in parts if p.key in written.notes
    ]
    front = table_figure(
        title,
        headline,
        subtitle=meta,
        notes=[*findings, "Contents: " + "; ".join(contents), *notes],
        min_height=11.69,
    )
    tmp = written.pdf.with_name(f".{PDF}.tmp")
    info = {"Title": title, "Creator": "coalsim", "CreationDate": None}
    with style.context(), PdfPages(tmp, metadata=info) as pdf:  # fonts are written on close
        for fig in [front, *(f for _, f in pages)]:
            _on_a4(fig)
            pdf.savefig(fig)
    os.replace(tmp, written.pdf)
    written.pages = ["Title and headline results", *(t for t, _ in pages)]


def _on_a4(fig: Figure) -> None:
    """A figure page laid out again on a whole A4 sheet, sideways when it is wider than
    tall, so the printed report is one size throughout (its PNG and SVG keep their own
    size; table pages already are A4)."""
    w, h = fig.get_size_inches()
    target = (A4[1], A4[0]) if w > h else A4
    if abs(w - target[0]) > 0.01 or abs(h - target[1]) > 0.01:
        scale = min(target[0] / w, target[1] / h)
        fig.set_size_inches(*target)
        if scale < 1.0:  # shrink what does not fit; a smaller figure keeps its type size
            for text in fig.findobj(Text):
                if isinstance(text, Text):
                    text.set_fontsize(float(text.get_fontsize()) * max(scale, 0.75))


def make_report(folder: Path) -> Written:
    """Write the report of a run or sweep folder, chosen by its manifest's ``kind``."""
    from sim.report.data import ReportError, read_manifest

    kind = read_manifest(folder).get("kind", "run")
    if kind == "run":
        from sim.report.run_report import run_report

        return run_report(folder)
    if kind == "sweep":
        from sim.report.sweep_report import sweep_report

        return sweep_report(folder)
    raise ReportError(f"{folder}: cannot report on results of kind {kind!r}")


def write_report(folder: Path) -> Path:
    """Write figures/, report.html and report.pdf for a results folder; returns report.html."""
    return make_report(Path(folder)).html
