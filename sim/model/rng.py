"""Independent random streams, one per mechanism.

Each mechanism draws from its own generator, keyed by a fixed index, so
changing how often one mechanism draws (more patrols, another route mix)
leaves every other mechanism's stream untouched. That is what makes common
random numbers work across sweep points. New mechanisms take new indices at
the end; existing indices never move, and a retired one is never given again:
3 was the ``patrols`` stream, never drawn from (patrol duty cycles are staggered
evenly, not drawn).
"""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

STREAMS: dict[str, int] = {
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


class Draws:
    """Uniform and exponential variates from one generator, drawn in blocks.

    A scalar numpy draw costs about a microsecond of call overhead, which at
    several draws per shipment dominates the model's own work; a block of
    variates costs a few nanoseconds each. Each kind has its own block, so
    the sequence seen by the model is a fixed function of the seed.
    """

    __slots__ = ("_exp", "_gen", "_i_exp", "_i_uni", "_uni", "block")

    def __init__(self, gen: np.random.Generator, block: int = 512) -> None:
        self._gen = gen
        self.block = block
        self._uni: list[float] = []
        self._exp: list[float] = []
        self._i_uni = self._i_exp = 0

    def random(self) -> float:
        """A U(0, 1) variate."""
        i = self._i_uni  # read the index once: this is called tens of thousands of times a run
        if i == len(self._uni):
            self._uni = self._gen.random(self.block).tolist()
            i = 0
        self._i_uni = i + 1
        return self._uni[i]

    def exponential(self) -> float:
        """An Exp(1) variate."""
        i = self._i_exp
        if i == len(self._exp):
            self._exp = self._gen.standard_exponential(self.block).tolist()
            i = 0
        self._i_exp = i + 1
        return self._exp[i]

    def shuffle(self, items: list[Any]) -> None:
        """Fisher-Yates in place, last item first: ``j = int(random() * (i + 1))``.

        The market shuffles a company's brokers at every offer round; drawing the
        uniforms straight from the block saves a method call per swap and takes
        exactly the variates that loop over ``random()`` would.
        """
        for i in range(len(items) - 1, 0, -1):
            if self._i_uni == len(self._uni):
                self._uni = self._gen.random(self.block).tolist()
                self._i_uni = 0
            j = int(self._uni[self._i_uni] * (i + 1))
            self._i_uni += 1
            items[i], items[j] = items[j], items[i]

    def skip(self, n: int) -> None:
        """Discard ``n`` uniforms: the stream then stands where ``n`` calls of ``random()``
        would leave it, for a caller that knows those draws' outcome already."""
        i = self._i_uni + n
        if i <= len(self._uni):
            self._i_uni = i
            return
        while n > 0:
            if self._i_uni == len(self._uni):
                self._uni = self._gen.random(self.block).tolist()
                self._i_uni = 0
            take = min(n, len(self._uni) - self._i_uni)
            self._i_uni += take
            n -= take

    def choice(self, cdf: list[float]) -> int:
        """Index drawn with the probabilities whose running total is ``cdf`` (last = 1)."""
        return bisect.bisect_right(cdf, self.random() * cdf[-1]) if len(cdf) > 1 else 0


def cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def mechanism_streams(root: np.random.SeedSequence) -> dict[str, Draws]:
    """One buffered stream per mechanism, derived from the replication's seed sequence."""
    return {
        name: Draws(
            np.random.default_rng(
                np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, idx))
            )
        )
        for name, idx in STREAMS.items()
    }
