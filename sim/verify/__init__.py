"""Verification: the model's mechanics checked against what theory says they must give.

``run_suite`` runs every check on small purpose-built worlds (``worlds``);
``report`` prints, saves and draws the results. ``breakeven`` finds where
each party's expected profit crosses zero.
"""

from sim.verify.core import Check, Point, Suite
from sim.verify.suite import CHECKS, run_suite

__all__ = ["CHECKS", "Check", "Point", "Suite", "run_suite"]
