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
    """Listener lists, one per kind of outcome: ``sailed`` (the cargo has left port),
    ``handed_over`` (ship-to-ship: the buyer's barge has taken it at the transfer point),
    ``delivered`` (it has reached the buyer's port) and ``seized``. The voyage calls
    each list's listeners in turn, in the order subscribed."""

    __slots__ = ("delivered", "handed_over", "sailed", "seized")

    def __init__(self) -> None:
        self.sailed: list[OnVoyage] = []
        self.handed_over: list[OnVoyage] = []
        self.delivered: list[OnVoyage] = []
        self.seized: list[OnSeizure] = []
