"""coalsim: a maritime interdiction risk simulator for sanctioned coal shipments.

The Python API (``sim.load_scenario``, ``sim.run``, ``sim.sweep``, ``sim.compare``,
``sim.discover``, ``sim.load_results``; docs/api.md) loads on first use, so ``import sim`` and the
``coalsim`` command's start-up stay light.
"""

from typing import Any

__version__ = "0.1.0"

_API = (
    "Results", "ScenarioError", "compare", "discover", "load_results", "load_scenario", "run",
    "sweep",
)  # fmt: skip

__all__ = ["__version__", *_API]


def __dir__() -> list[str]:
    """What a notebook's completion offers: the API as well as what is loaded."""
    return sorted({*globals(), *_API})


def __getattr__(name: str) -> Any:
    if name in _API:
        import sim.api

        return getattr(sim.api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
