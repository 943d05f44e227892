"""Anonymised statistics of cases and conversations, for the organisations' advocacy.

    filters = Filters.months("2026-01", "2026-12", today, country="MY")
    report = await build(session, directory, Scope.ORGANISATION, ["migrantcare"], filters, 5)
    as_json(report, Labels("id", directory)); as_csv(...); as_text(...)

The dashboard's /reports page, its CSV and JSON and `helpline report` all call these.
"""

from bot.reports.export import as_csv, as_json, as_text
from bot.reports.figures import (
    Dimension,
    Filters,
    Measure,
    Report,
    Scope,
    Timing,
    Timings,
    build,
)
from bot.reports.labels import Labels
from bot.reports.suppression import Cell, Hidden, Table, suppress

__all__ = [
    "Cell",
    "Dimension",
    "Filters",
    "Hidden",
    "Labels",
    "Measure",
    "Report",
    "Scope",
    "Table",
    "Timing",
    "Timings",
    "as_csv",
    "as_json",
    "as_text",
    "build",
    "suppress",
]
