"""The simulation model: one module per actor or mechanism, wired in ``model.py``."""
