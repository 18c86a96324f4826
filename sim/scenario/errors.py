"""The one error type that user mistakes surface as.

Everything a user can get wrong (a file, a key, a value, an override) is
reported as a ``ScenarioError`` so the CLI can print one clear message and
exit with code 2 instead of a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScenarioError(Exception):
    """A user-facing input error; ``str()`` is the complete message."""


def did_you_mean(word: str, choices: Iterable[str], *, lead: str = "; ", tail: str = "") -> str:
    """``"; did you mean 'x'?"`` for the choice a typo most likely meant, else ``""``.

    A choice equal but for case comes first: difflib's ratio finds nothing for
    ``HORIZON_DAYS``, every letter of which differs from ``horizon_days``.
    """
    names = [str(c) for c in choices]
    folded = {n.casefold(): n for n in names}
    close = folded.get(word.casefold())
    if close is None:
        found = difflib.get_close_matches(word, names, n=1)
        close = found[0] if found else None
    return f"{lead}did you mean {close!r}?{tail}" if close is not None else ""
