"""What a deal may cost a buyer beyond its own books, each term a named quantity.

A buyer's expected profit on an offer, with q its (risk-weighted) belief that the
cargo is intercepted:

    E = (1 - q) M - q (L + C_arrest) - C_named

- ``M``: the margin, (resale multiplier - 1) x cargo value, less the broker's fee;
- ``L``: what a seizure costs it in cash, the fine (and the payment, under advance);
- ``C_arrest = a x profit forgone over H days``: a seizure leads to the buyer's arrest
  with chance ``a`` (``market.arrest_probability``, the known practice), which ends its
  trading; it values the loss as the profit it would have made over
  ``market.arrest_horizon_days``, at the offer's margin ``n`` times a year
  (``deals_per_year``): ``a M n H / 365``;
- ``C_named = nu x (365 / n) x (A + profit forgone over S days)``: being named as an
  accomplice in someone else's case, at the believed rate ``nu`` per trader and day, while
  the deal keeps it in the trade (``365 / n`` days, the time to its next deal); the
  accomplice fine ``A`` plus ``S`` days (``sentence_days``) out of the trade, at the same
  profit per day: ``nu (365 A / n + S M)``.

The profit forgone is never below zero (a deal with no margin forgoes nothing), and
the terms are exactly zero when the arrest horizon and the naming rate are, so the rule
is then the older ``(1 - q) M - q L`` to the last bit. The break-even follows:
``q* = (M - C_named) / (M + L + C_arrest)``; below zero no interception chance is low
enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.records import as_call

YEAR_DAYS = 365.0


@dataclass(slots=True, init=False)
class Stakes:
    """What enforcement puts at stake beyond the deal's own fine, as a buyer sees it.

    Made at every offer a buyer weighs: a slotted class with a written constructor, which
    the compiled build makes natively (a NamedTuple's is interpreted Python)."""

    arrest_probability: float
    arrest_horizon_days: float
    naming_rate: float
    """Believed times a day a trader is named as an accomplice."""
    accomplice_fine: float
    sentence_days: float

    def __init__(
        self,
        arrest_probability: float,
        arrest_horizon_days: float,
        naming_rate: float,
        accomplice_fine: float,
        sentence_days: float,
    ) -> None:
        self.arrest_probability, self.arrest_horizon_days = arrest_probability, arrest_horizon_days
        self.naming_rate, self.accomplice_fine = naming_rate, accomplice_fine
        self.sentence_days = sentence_days

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return as_call(self)


NO_STAKES = Stakes(0.0, 0.0, 0.0, 0.0, 0.0)
"""Only the deal's own books: the decision rule before issue 22."""


@dataclass(slots=True, init=False)
class DealCosts:
    """One offer's terms, in RMB, as the decision rule weighs them (made as ``Stakes``)."""

    margin: float
    loss: float
    arrest: float
    named: float

    def __init__(self, margin: float, loss: float, arrest: float, named: float) -> None:
        self.margin, self.loss, self.arrest, self.named = margin, loss, arrest, named

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return as_call(self)

    def profit(self, q: float) -> float:
        """Expected profit at interception chance ``q``."""
        return (1.0 - q) * self.margin - q * (self.loss + self.arrest) - self.named

    @property
    def break_even(self) -> float:
        """The interception chance at which expected profit is zero (may lie outside [0, 1])."""
        return (self.margin - self.named) / (self.margin + self.loss + self.arrest)


def arrest_cost(margin: float, stakes: Stakes, deals_per_year: float) -> float:
    """Expected cost of the arrest a seizure may bring: a x M n H / 365."""
    forgone = max(margin, 0.0) * deals_per_year * stakes.arrest_horizon_days / YEAR_DAYS
    return stakes.arrest_probability * forgone


def naming_cost(margin: float, stakes: Stakes, deals_per_year: float) -> float:
    """Expected cost of being named while the deal keeps the buyer in: nu (365 A / n + S M)."""
    exposed = YEAR_DAYS / deals_per_year
    return stakes.naming_rate * (
        exposed * stakes.accomplice_fine + stakes.sentence_days * max(margin, 0.0)
    )


def deal_costs(
    value: float,
    resale: float,
    fine: float,
    advance: bool,
    fee: float,
    stakes: Stakes,
    deals_per_year: float,
) -> DealCosts:
    """Every term of an offer of cargo value ``value`` (the broker's ``fee`` included)."""
    margin = value * (resale - 1.0) - fee
    return DealCosts(
        margin,
        fine + (value if advance else 0.0),
        arrest_cost(margin, stakes, deals_per_year),
        naming_cost(margin, stakes, deals_per_year),
    )
