"""A self-contained HTML page: images inlined as data URIs, CSS inline, nothing fetched.

The page carries a Content-Security-Policy that allows images only from
data URIs and no scripts, fonts or connections at all, so a browser
opening it from disk loads nothing from anywhere else.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html import escape

from sim.report.tables import Table

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
       max-width: 1120px; margin: 0 auto; padding: 24px 32px 64px; line-height: 1.45; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; margin-top: 2.2em; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
p.meta { color: #555; margin-top: 0; }
nav ol { columns: 2; font-size: 0.95em; }
nav a, nav a:visited { color: #0072B2; text-decoration: none; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption, p.caption { color: #333; font-size: 0.95em; }
p.files { color: #666; font-size: 0.85em; }
p.note { background: #FFF6D6; border-left: 4px solid #E69F00; padding: 10px 14px; }
table { border-collapse: collapse; font-size: 0.92em; margin: 0.8em 0; }
th, td { padding: 4px 10px; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #333; }
tr:nth-child(even) td { background: #f4f4f4; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
footer { margin-top: 3em; color: #666; font-size: 0.85em; border-top: 1px solid #ddd; }
"""


@dataclass
class Block:
    """One section of the page."""

    key: str
    title: str
    caption: str = ""
    png: bytes | None = None
    alt: str = ""
    files: list[str] = field(default_factory=list)
    table: Table | None = None
    note: str | None = None
    links: list[str] = field(default_factory=list)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _breakable(text: str) -> str:
    """Escaped text a browser may break after the dots and underscores of a key path."""
    return escape(text).replace(".", ".<wbr>").replace("_", "_<wbr>")


def _table(t: Table) -> str:
    numeric = set(t.right)
    head = "".join(
        f'<th class="num">{_breakable(h)}</th>' if i in numeric else f"<th>{_breakable(h)}</th>"
        for i, h in enumerate(t.header)
    )
    body = []
    for r in t.rows:
        cells = "".join(
            f'<td class="num">{escape(c)}</td>' if i in numeric else f"<td>{escape(c)}</td>"
            for i, c in enumerate(r)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _block(b: Block) -> str:
    parts = [f'<section id="{escape(b.key)}">', f"<h2>{escape(b.title)}</h2>"]
    if b.note:
        parts.append(f'<p class="note">Not drawn: {escape(b.note)}.</p>')
    if b.png is not None:
        parts.append(
            f'<figure><img src="{data_uri(b.png)}" alt="{escape(b.alt or b.title)}">'
            + (f"<figcaption>{escape(b.caption)}</figcaption>" if b.caption else "")
            + "</figure>"
        )
    elif b.caption:
        parts.append(f'<p class="caption">{escape(b.caption)}</p>')
    if b.table is not None:
        parts.append(_table(b.table))
    if b.files:
        parts.append(f'<p class="files">Files: {escape(", ".join(b.files))}</p>')
    if b.links:
        shown = ", ".join(f'<a href="{escape(x)}">{escape(x)}</a>' for x in b.links)
        parts.append(f'<p class="files">See: {shown}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def page(title: str, meta: str, blocks: list[Block], footer: str) -> str:
    toc = "".join(f'<li><a href="#{escape(b.key)}">{escape(b.title)}</a></li>' for b in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p></header>\n'
        f"<nav><h2>Contents</h2><ol>{toc}</ol></nav>\n"
        + "\n".join(_block(b) for b in blocks)
        + f"\n<footer><p>{escape(footer)}</p></footer>\n</body>\n</html>\n"
    )
