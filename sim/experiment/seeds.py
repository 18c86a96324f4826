"""Seeds: one ``SeedSequence`` per (scenario seed, replication index).

Replication ``r`` of any scenario with the same seed sees the same random
streams, whatever else differs between the scenarios: common random
numbers for paired comparisons and sweeps.
"""

from __future__ import annotations

import numpy as np


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(replication,))
