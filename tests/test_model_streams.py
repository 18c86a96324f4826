"""Each mechanism's stream keeps its index: retiring one stream moves no other."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.rng import mechanism_streams

pytestmark = pytest.mark.model

# The indices the streams were first given (3, the never-drawn ``patrols``, is retired).
INDEX = {
    "sellers": 0,
    "market": 1,
    "fleet": 2,
    "detection": 4,
    "network": 5,
    "tips": 6,
    "enforcement": 7,
    "entry": 8,
    "routing": 9,
    "allocation": 10,
}


def test_each_stream_is_the_seed_spawned_at_its_own_index() -> None:
    root = np.random.SeedSequence(2024, spawn_key=(3,))
    streams = mechanism_streams(root)
    assert set(streams) == set(INDEX)
    for name, idx in INDEX.items():
        own = np.random.default_rng(np.random.SeedSequence(2024, spawn_key=(3, idx)))
        assert [streams[name].random() for _ in range(3)] == own.random(3).tolist(), name
