"""The ``coalsim`` command: options in, library calls out, messages back."""

from sim.cli.commands import app, main

__all__ = ["app", "main"]
