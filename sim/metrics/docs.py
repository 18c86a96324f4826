"""``docs/metrics.md``, written from the metric definitions so the page cannot go stale.

Run ``python -m sim.metrics.docs > docs/metrics.md`` (``make docs``) after
changing a definition; a test fails while the page differs from this text.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.metrics.registry import DERIVED, METRICS, RANGE_NAMES, READING_ORDER, SERIES, Metric

INTRO = """\
# Metrics

Every figure coalsim reports, as defined in `sim/metrics/registry.py`; this page
is generated from it (`make docs`). The terminal table, the report's tables and
figures, and the interval cutting all read the same definitions.

- **unit**: what the terminal and the report show (the files keep raw values:
  tonnes, RMB, fractions, hours).
- **range**: the values the metric can take; a 95% confidence interval is cut
  to it (`sim/metrics/ranges.py`).
- **headline**: in the report's first table, "Headline results".
- **target**: watched by `--target-ci` unless `--target-metric` is given, and a
  sweep's `outputs` unless its file names them.
"""


def _rows(metrics: Iterable[Metric], flags: bool) -> list[str]:
    head = "| name | label | unit | range |" + (" headline | target |" if flags else "")
    rule = "|---|---|---|---|" + ("---|---|" if flags else "")
    lines = [head + " meaning |", rule + "---|"]
    for m in metrics:
        cells = [f"`{m.name}`", m.label, m.unit.label or "count", RANGE_NAMES[m.range]]
        if flags:
            cells += ["yes" if m.headline else "", "yes" if m.target else ""]
        lines.append("| " + " | ".join([*cells, m.meaning.replace("|", "/")]) + " |")
    return lines


def markdown() -> str:
    out = [INTRO]
    for group in READING_ORDER:
        members = [m for m in METRICS.values() if m.group == group]
        out += [f"## Per replication: {group}", "", *_rows(members, True), ""]
    out += [
        "## Weekly series (`timeseries.csv`)",
        "",
        "One row per week and replication; the report draws their means with 95% bands.",
        "",
        *_rows(SERIES.values(), False),
        "",
        "## Comparisons (`coalsim compare`)",
        "",
        *_rows(DERIVED.values(), False),
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown(), end="")
