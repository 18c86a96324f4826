"""Where a cargo's fate is announced, once, to the mechanisms that react to it.

The voyage announces that a cargo sailed, was handed over to the buyer's barge,
was delivered or was seized; it does not know who listens. The model subscribes
the reacting mechanisms in ``Model`` (books and fines, the tipster's reward,
buyers' and sellers' news, arrests and investigations), in the order they act:
that order is part of the model, since some of them draw random numbers and the
streams are consumed in it.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model.cargo import Voyage
from sim.model.patrols import PatrolVessel

OnVoyage = Callable[[Voyage], None]
OnSeizure = Callable[[Voyage, PatrolVessel, str], None]
"""A seizure's listener hears the voyage, the patrol that boarded and the cause
(``"patrol"``: found by search; ``"tip"``: sent on a tip)."""


class Outcomes:
    """Listener lists, one per kind of outcome, called in the order subscribed."""

    __slots__ = ("delivered", "handed_over", "sailed", "seized")

    def __init__(self) -> None:
        self.sailed: list[OnVoyage] = []
        self.handed_over: list[OnVoyage] = []
        self.delivered: list[OnVoyage] = []
        self.seized: list[OnSeizure] = []

    def sail(self, voyage: Voyage) -> None:
        """The cargo has left port, its voyage ahead of it."""
        for react in self.sailed:
            react(voyage)

    def hand_over(self, voyage: Voyage) -> None:
        """Ship-to-ship: the buyer's barge has taken the cargo at the transfer point."""
        for react in self.handed_over:
            react(voyage)

    def deliver(self, voyage: Voyage) -> None:
        """The cargo has reached its buyer's port."""
        for react in self.delivered:
            react(voyage)

    def seize(self, voyage: Voyage, patrol: PatrolVessel, cause: str) -> None:
        """A patrol has boarded the cargo and seized it."""
        for react in self.seized:
            react(voyage, patrol, cause)
