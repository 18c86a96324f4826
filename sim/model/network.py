"""The trading network: sellers, brokers and buyers, and who is named in investigations.

Sellers reach buyers only through brokers, so the graph decides who can
trade with whom, and an investigation walks it outward from a seized case
to name accomplices. It is saved with the results (node and edge lists,
with who was named and when) so that reports can draw it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from sim.model.rng import Draws

SELLER, BROKER, BUYER = "seller", "broker", "buyer"


class TradeNetwork:
    def __init__(self) -> None:
        self.kind: dict[str, str] = {}
        self.adj: dict[str, list[str]] = defaultdict(list)
        self.named_at: dict[str, float] = {}
        self.removed_until: dict[str, float] = {}
        self.left: set[str] = set()
        self.brokers: list[str] = []
        self.buyers_of: dict[str, list[str]] = defaultdict(list)  # broker -> its buyers
        self.version = 0
        """Counts changes to who reaches whom (a new link, a party leaving or being
        removed), so the market and ``brokers_of`` know when what they kept is stale."""
        self.links: list[tuple[str, str]] = []
        """Every link in the order made: who knows whom changes with nothing else, so
        what is derived from that alone is brought up to date from here."""
        # node -> (version, valid until, its active brokers): see ``brokers_of``
        self._brokers: dict[str, tuple[int, float, list[str]]] = {}

    def add(self, node: str, kind: str, links: list[str] | None = None) -> None:
        self.kind[node] = kind
        if kind == BROKER:
            self.brokers.append(node)
        for other in links or []:
            self.link(node, other)

    def link(self, a: str, b: str) -> None:
        links = self.adj[a]
        if b not in links:
            links.append(b)
            self.adj[b].append(a)
            self.links.append((a, b))
            self.version += 1
            # A broker-buyer edge goes under its broker; two lookups, not four, as
            # every replication builds its network anew and so links every edge.
            ka, kb = self.kind.get(a), self.kind.get(b)
            if ka == BROKER and kb == BUYER:
                self.buyers_of[a].append(b)
            elif kb == BROKER and ka == BUYER:
                self.buyers_of[b].append(a)

    def attach(self, node: str, kind: str, n_brokers: int, rng: Draws) -> None:
        """Add a node linked to ``n_brokers`` distinct brokers drawn at random."""
        pool = list(self.brokers)
        links = []
        for _ in range(min(n_brokers, len(pool))):
            links.append(pool.pop(int(rng.random() * len(pool))))
        self.add(node, kind, links)

    def leave(self, node: str) -> None:
        """A party leaves the trade for good."""
        self.left.add(node)
        self.version += 1

    def remove(self, node: str, until: float) -> None:
        """Take a named party out of the trade until ``until`` (a sentence)."""
        self.removed_until[node] = until
        self.version += 1

    def active(self, node: str, now: float) -> bool:
        return node not in self.left and self.removed_until.get(node, -1.0) <= now

    def brokers_of(self, node: str, now: float) -> list[str]:
        """The node's brokers in the trade at ``now``, as a new list (callers shuffle it).

        The market asks this for every offer round of every lot, so the answer is kept
        until the network changes or the first sentenced broker of the node is back.
        """
        cached = self._brokers.get(node)
        if cached is not None and cached[0] == self.version and now < cached[1]:
            return list(cached[2])
        kind, left, until = self.kind, self.left, self.removed_until
        out, valid = [], math.inf
        for b in self.adj[node]:
            if kind[b] != BROKER or b in left:
                continue
            back = until.get(b, -1.0)
            if back <= now:
                out.append(b)
            elif back < valid:
                valid = back
        self._brokers[node] = (self.version, valid, out)
        return list(out)

    def accomplices(
        self, case: list[str], k: int, now: float, rng: Draws, *, broker_first: bool = False
    ) -> list[str]:
        """Up to ``k`` distinct Chinese parties nearest the case, breadth first from it.

        The case is the identified buyer, fined at the seizure and never named,
        then the broker of the deal. With ``broker_first`` that broker, who is
        in the case file, is the first accomplice named if it is still trading;
        without, the search starts from it but it is not charged. The rest are
        taken breadth first from the case; nodes at the same distance are taken
        in random order; DPRK sellers are walked through but never named, as
        Chinese investigators cannot reach them; parties already out of the
        trade are not named again.
        """
        seen = set(case)
        frontier = list(case)
        named = (
            [n for n in case[1:] if self.kind[n] != SELLER and self.active(n, now)][:k]
            if broker_first
            else []
        )
        while frontier and len(named) < k:
            ring: list[str] = []
            for node in frontier:
                for other in self.adj[node]:
                    if other not in seen:
                        seen.add(other)
                        ring.append(other)
            order = sorted(ring)
            rng.shuffle(order)  # Fisher-Yates with the model's stream
            for node in order:
                if len(named) >= k:
                    break
                if self.kind[node] != SELLER and self.active(node, now):
                    named.append(node)
            frontier = ring
        return named


def build(
    sellers: list[str],
    buyers: list[str],
    n_brokers: int,
    per_seller: int,
    per_buyer: int,
    rng: Draws,
) -> TradeNetwork:
    net = TradeNetwork()
    for k in range(n_brokers):
        net.add(f"broker#{k + 1}", BROKER)
    for seller in sellers:
        net.attach(seller, SELLER, per_seller, rng)
    for buyer in buyers:
        net.attach(buyer, BUYER, per_buyer, rng)
    return net
