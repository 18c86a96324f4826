"""Scenario schema, loading, overrides and validation errors."""

from sim.scenario.load import Resolved, dumps, load, resolve, validate, with_run_options
from sim.scenario.schema import Scenario

__all__ = ["Resolved", "Scenario", "dumps", "load", "resolve", "validate", "with_run_options"]
