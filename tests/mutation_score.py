"""Print the mutation score of the last `mutmut run` (what `make mutation` ends with).

mutmut keeps each file's results in ``mutants/<file>.meta``; this reads them, takes
out the mutants docs/testing.md lists as equivalent (a mutant no test can kill is
not a gap in the tests), and prints the counts and the share killed. A timed-out
mutant counts as killed: the tests noticed it, by hanging. Run from the project root.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mutmut.stats import status_by_exit_code

# A listed equivalent mutant is a markdown bullet that starts with its name in backticks.
EQUIVALENT_LINE = re.compile(r"^- `(sim\.[\w.]+__mutmut_\d+)`", re.MULTILINE)
KILLED = ("killed", "timeout")


@dataclass(frozen=True)
class Score:
    counts: Counter[str]
    equivalent: int
    stale: list[str]

    @property
    def non_equivalent(self) -> int:
        """Mutants a test could kill: everything tested (``counts`` holds no equivalent one)."""
        return sum(self.counts.values()) - self.counts["skipped"] - self.counts["not checked"]

    @property
    def percent(self) -> float:
        killed = sum(self.counts[s] for s in KILLED)
        return 100.0 * killed / self.non_equivalent if self.non_equivalent else 0.0


def equivalent_names(doc: Path) -> set[str]:
    return set(EQUIVALENT_LINE.findall(doc.read_text(encoding="utf-8"))) if doc.exists() else set()


def score(mutants: Path, equivalent: set[str]) -> Score:
    """Count statuses; an equivalent mutant leaves the count, unless a test killed it after all."""
    return _score_files(sorted(mutants.rglob("*.py.meta")), equivalent, check_gone=True)


def by_file(mutants: Path, equivalent: set[str]) -> list[tuple[str, Score]]:
    """Each mutated file's own score, to show where the tests are thin."""
    out = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        result = _score_files([meta], equivalent, check_gone=False)
        if sum(result.counts.values()) + result.equivalent:
            out.append((str(meta.relative_to(mutants)).removesuffix(".meta"), result))
    return out


def _score_files(metas: list[Path], equivalent: set[str], *, check_gone: bool) -> Score:
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    stale: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            status = status_by_exit_code[code]
            if name in equivalent and status not in KILLED:
                seen.add(name)
                continue
            if name in equivalent:
                stale.append(name)
            counts[status] += 1
    if check_gone:
        stale += sorted(equivalent - seen - set(stale))
    return Score(counts=counts, equivalent=len(seen), stale=stale)


def main() -> int:
    root = Path.cwd()
    mutants = root / "mutants"
    if not mutants.is_dir():
        print("no mutants/ folder: run `make mutation` (mutmut run) first", file=sys.stderr)
        return 2
    equivalent = equivalent_names(root / "docs" / "testing.md")
    for name, one in by_file(mutants, equivalent):
        k = one.counts
        print(
            f"  {name:28} killed {k['killed'] + k['timeout']:4}  survived {k['survived']:3}  "
            f"no tests {k['no tests']:3}  equivalent {one.equivalent:3}  "
            f"not checked {k['not checked']:4}  {one.percent:5.1f}%"
        )
    result = score(mutants, equivalent)
    c = result.counts
    print(
        f"mutants: {sum(c.values()) + result.equivalent}  killed: {c['killed']}  "
        f"survived: {c['survived']}  no tests: {c['no tests']}  timed out: {c['timeout']}  "
        f"suspicious: {c['suspicious']}  skipped: {c['skipped']}  "
        f"not checked: {c['not checked']}  equivalent: {result.equivalent}"
    )
    print(f"score: {result.percent:.1f}% of {result.non_equivalent} non-equivalent mutants killed")
    if c["not checked"]:
        print(f"incomplete: {c['not checked']} mutants not tested yet (run `make mutation` again)")
    for name in result.stale:
        print(f"listed as equivalent but killed or gone: {name} (update docs/testing.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
