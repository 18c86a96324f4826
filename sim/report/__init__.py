"""Plotted reports of saved results: figures, a self-contained HTML page and a PDF.

Reports read the files of a results folder only (and the coastline shipped
with the package); they never run the model.
"""

from sim.report.build import make_report, write_report

__all__ = ["make_report", "write_report"]
