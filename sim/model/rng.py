"""Independent random streams, one per mechanism.

Each mechanism draws from its own generator, keyed by a fixed index, so
changing how often one mechanism draws (more patrols, another route mix)
leaves every other mechanism's stream untouched. That is what makes common
random numbers work across sweep points. New mechanisms take new indices at
the end; existing indices never move.
"""

from __future__ import annotations

import numpy as np

STREAMS: dict[str, int] = {
    "sellers": 0,
    "market": 1,
    "fleet": 2,
    "patrols": 3,
    "detection": 4,
}


def mechanism_streams(root: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per mechanism, derived from the replication's seed sequence."""
    return {
        name: np.random.default_rng(
            np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, idx))
        )
        for name, idx in STREAMS.items()
    }
