"""Double-entry record of every yuan that moves.

Totals by party, revenue, losses and fines in the metrics are all read off
this ledger, so the money figures of a run can never disagree with each
other. Amounts are held as whole fen (0.01 RMB) so that sums are exact and
the balance over all parties is exactly zero, not zero up to rounding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sim.model.records import as_call

STATE = "state:china"
MARKET = "market:china"
SHIPPING_COSTS = "costs:shipping"
COAL = "goods:coal"
"""Where a confiscated cargo's contract value enters the books on its way to the state."""
TIPSTERS = "tipsters"


def seller_party(name: str) -> str:
    return f"seller:{name}"


def buyer_party(name: str) -> str:
    return f"buyer:{name}"


def broker_party(name: str) -> str:
    return f"broker:{name}"


@dataclass(slots=True, init=False)
class Entry:
    """One transfer. A slotted class with its constructor written out, not a NamedTuple:
    the compiled build makes it three times faster, and a run posts thousands."""

    time: float
    payer: str
    payee: str
    fen: int
    reason: str
    shipment: int

    def __init__(
        self, time: float, payer: str, payee: str, fen: int, reason: str, shipment: int
    ) -> None:
        self.time, self.payer, self.payee = time, payer, payee
        self.fen, self.reason, self.shipment = fen, reason, shipment

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return as_call(self)

    @property
    def amount(self) -> float:
        """The amount in RMB."""
        return self.fen / 100


class Ledger:
    """Append-only list of transfers; amounts are positive, direction is payer to payee."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        # running net position per party; a plain dict read with ``get`` (a subclass such
        # as ``defaultdict`` takes the slow generic path in compiled code, and ``post`` is hot)
        self.balance_fen: dict[str, int] = {}
        self.buyers_fen = 0  # running net position of all buyers together

    def post(
        self, time: float, payer: str, payee: str, amount: float, reason: str, shipment: int = -1
    ) -> None:
        if not amount >= 0.0:
            raise ValueError(f"ledger amounts must be non-negative, got {amount} for {reason}")
        # round(x), half to even, written out: the builtin looks up ``float.__round__``
        # on every call, even compiled, and every transfer of a run is posted here
        x = amount * 100
        fen = int(x)  # x >= 0: truncation is the floor
        rest = x - fen  # exact: x lies in [fen, fen + 1)
        if rest > 0.5 or (rest == 0.5 and fen % 2 == 1):
            fen += 1
        if fen > 0:
            self.entries.append(Entry(time, payer, payee, fen, reason, shipment))
            bal = self.balance_fen
            bal[payer] = bal.get(payer, 0) - fen
            bal[payee] = bal.get(payee, 0) + fen
            if payer.startswith("buyer:"):  # buyer_party's prefix
                self.buyers_fen -= fen
            if payee.startswith("buyer:"):
                self.buyers_fen += fen


def whole_fen(amount: float) -> float:
    """``round(amount, 2)``, to the bit: the amount in whole fen, as the ledger keeps it.

    ``round`` with digits rounds the exact binary value through its decimal digits, which
    compiled took a quarter of the voyage process's own time. ``x = amount * 100`` is the exact
    product rounded to a double, and rounding is monotone: a half fen below ``2**52`` is a
    double, so when ``x`` lies strictly above (below) one, the exact product does too, and
    both round to the same whole fen. Only ``x`` on a half exactly, and zero, are left
    to ``round``.
    Dividing the whole fen by 100 gives the double nearest to it, as ``round`` does."""
    x = amount * 100
    if amount > 0.0 and x < 2.0**52:  # not zero: round keeps the sign of -0.0
        fen = int(x)  # x >= 0: truncation is the floor
        rest = x - fen  # exact: x lies in [fen, fen + 1)
        if rest != 0.5:
            if rest > 0.5:
                fen += 1
            return fen / 100
    return round(amount, 2)


def balances_fen(entries: list[Entry]) -> dict[str, int]:
    """Net position of each party in fen: received minus paid."""
    net: dict[str, int] = defaultdict(int)
    for e in entries:
        net[e.payer] -= e.fen
        net[e.payee] += e.fen
    return dict(net)
