"""coalsim: a maritime interdiction risk simulator for sanctioned coal shipments."""

__version__ = "0.1.0"
