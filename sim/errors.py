"""The one error type that user mistakes surface as.

Everything a user can get wrong (a file, a key, a value, an override) is
reported as a ``ScenarioError`` so the CLI can print one clear message and
exit with code 2 instead of a traceback.
"""


class ScenarioError(Exception):
    """A user-facing input error; ``str()`` is the complete message."""
