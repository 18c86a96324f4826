"""The condition of ``coalsim discover --where``: metric comparisons joined by and / or.

    condition  := clause ("or" clause)*
    clause     := comparison ("and" comparison)*
    comparison := METRIC ("<" | "<=" | ">" | ">=") NUMBER | "(" condition ")"

A metric is a name from the registry, compared in the unit runs.csv holds it in (tonnes,
RMB, shares from 0 to 1: docs/metrics.md). ``and`` binds tighter than ``or``, as in
Python. A small hand parser rather than ``eval``: the expression comes from the command
line, and a mistake must name the token it stopped at, not raise a SyntaxError.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.errors import ScenarioError, did_you_mean

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z_]))"
    r"|(?P<op><=|>=|<|>)|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<paren>[()]))"
)
_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Token:
    kind: str  # number, op, word, paren, end
    text: str
    at: int  # position in the expression, from 0


@dataclass(frozen=True)
class Condition:
    """A parsed condition: ``holds(frame)`` is True where a row (a point's means) meets it;
    a comparison with a missing value is False."""

    text: str
    tree: tuple[object, ...]

    @property
    def metrics(self) -> list[str]:
        found: list[str] = []

        def walk(node: tuple[object, ...]) -> None:
            if node[0] == "cmp":
                found.append(str(node[1]))
            else:
                for child in node[1:]:
                    walk(child)  # type: ignore[arg-type]

        walk(self.tree)
        return list(dict.fromkeys(found))

    def holds(self, frame: pd.DataFrame) -> np.ndarray:
        def value(node: tuple[object, ...]) -> np.ndarray:
            if node[0] == "cmp":
                x = frame[str(node[1])].to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    return np.asarray(_OPS[str(node[2])](x, float(node[3])) & np.isfinite(x))  # type: ignore[arg-type]
            parts = [value(child) for child in node[1:]]  # type: ignore[arg-type]
            join = np.logical_and if node[0] == "and" else np.logical_or
            out = parts[0]
            for p in parts[1:]:
                out = join(out, p)
            return np.asarray(out, dtype=bool)

        return value(self.tree)


def tokens(text: str) -> list[Token]:
    found, at = [], 0
    while at < len(text):
        if not text[at:].strip():
            break
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            start = at + len(text[at:]) - len(text[at:].lstrip())
            bad = Token("char", text[start:].split()[0], start)
            raise _error(text, bad, "not a metric name, an operator (< <= > >=), a number or '('")
        kind = str(m.lastgroup)
        found.append(Token(kind, m.group(kind), m.start(kind)))
        at = m.end()
    return [*found, Token("end", "", len(text))]


def _error(text: str, t: Token, expected: str) -> ScenarioError:
    if t.kind == "char":
        return ScenarioError(
            f"--where {text!r}: token {t.text!r} at position {t.at + 1} is {expected}"
        )
    what = f"token {t.text!r} at position {t.at + 1}" if t.kind != "end" else "end of the condition"
    return ScenarioError(f"--where {text!r}: unexpected {what}; expected {expected}")


def parse(text: str, metrics: Sequence[str]) -> Condition:
    """Parse ``text``; a bad token or an unknown metric is a ``ScenarioError`` naming it."""
    toks = tokens(text)
    pos = 0

    def peek() -> Token:
        return toks[pos]

    def take() -> Token:
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def condition() -> tuple[object, ...]:
        parts = [clause()]
        while peek().kind == "word" and peek().text.lower() == "or":
            take()
            parts.append(clause())
        return parts[0] if len(parts) == 1 else ("or", *parts)

    def clause() -> tuple[object, ...]:
        parts = [comparison()]
        while peek().kind == "word" and peek().text.lower() == "and":
            take()
            parts.append(comparison())
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def comparison() -> tuple[object, ...]:
        t = take()
        if t.kind == "paren" and t.text == "(":
            inner = condition()
            if peek().text != ")":
                raise _error(text, peek(), "')' or 'and' or 'or'")
            take()
            return inner
        if t.kind != "word" or t.text.lower() in ("and", "or"):
            raise _error(text, t, "a metric name (docs/metrics.md) or '('")
        if t.text not in metrics:
            hint = did_you_mean(t.text, metrics, lead="", tail="")
            raise ScenarioError(
                f"--where {text!r}: unknown metric {t.text!r} at position {t.at + 1}"
                + (f"; {hint}" if hint else "; the metrics are listed in docs/metrics.md")
            )
        op = take()
        if op.kind != "op":
            raise _error(text, op, "an operator: <, <=, > or >=")
        number = take()
        if number.kind != "number" or not math.isfinite(float(number.text)):
            raise _error(text, number, "a number (in the metric's unit in runs.csv)")
        return ("cmp", t.text, op.text, float(number.text))

    tree = condition()
    if peek().kind != "end":
        raise _error(text, peek(), "'and', 'or' or the end of the condition")
    return Condition(text, tree)
