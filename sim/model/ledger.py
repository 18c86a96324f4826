"""Double-entry record of every yuan that moves.

Totals by party, revenue, losses and fines in the metrics are all read off
this ledger, so the money figures of a run can never disagree with each
other, and the sum over all parties is zero by construction; the metrics
check that it is.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

STATE = "state:china"
MARKET = "market:china"
SHIPPING_COSTS = "costs:shipping"


def seller_party(name: str) -> str:
    return f"seller:{name}"


def buyer_party(name: str) -> str:
    return f"buyer:{name}"


class Entry(NamedTuple):
    time: float
    payer: str
    payee: str
    amount: float
    reason: str
    shipment: int


class Ledger:
    """Append-only list of transfers; amounts are positive, direction is payer to payee."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def post(
        self, time: float, payer: str, payee: str, amount: float, reason: str, shipment: int = -1
    ) -> None:
        if not amount >= 0.0:
            raise ValueError(f"ledger amounts must be non-negative, got {amount} for {reason}")
        if amount > 0.0:
            self.entries.append(Entry(time, payer, payee, amount, reason, shipment))

    def balances(self) -> dict[str, float]:
        """Net position of each party: received minus paid."""
        net: dict[str, float] = defaultdict(float)
        for e in self.entries:
            net[e.payer] -= e.amount
            net[e.payee] += e.amount
        return dict(net)
