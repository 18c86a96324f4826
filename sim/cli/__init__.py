"""The ``coalsim`` command: options in, library calls out, messages back."""

from sim.cli.app import app, main

__all__ = ["app", "main"]
