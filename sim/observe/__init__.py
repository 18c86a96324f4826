"""What an outside observer sees of a run, kept apart from the truth it observes."""

from sim.observe.observer import OBSERVER_STREAM, Seen, observe

__all__ = ["OBSERVER_STREAM", "Seen", "observe"]
