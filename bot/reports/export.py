"""A report as JSON, CSV and plain text: the same figures as the page, cell for cell.

Every figure is written as the page shows it: a number, "<t" (below the threshold) or "x"
(hidden so that a small figure cannot be worked out from the totals). Durations are seconds in
JSON and CSV, words in the text. Only codes, labels from the content, counts and durations.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from bot.reports.figures import Dimension, Report
from bot.reports.labels import TOPICS_TITLE, Labels
from bot.reports.suppression import Cell, Table

CSV_COLUMNS = ("table", "key", "label", "count", "median_seconds", "p90_seconds")


def _figure(cell: Cell, threshold: int) -> dict[str, Any]:
    return {
        "key": cell.key,
        "count": cell.count,
        "shown": cell.shown(threshold),
        "hidden": str(cell.hidden) if cell.hidden else None,
    }


def _table(table: Table, threshold: int, label: Any) -> dict[str, Any]:
    return {
        "total": table.total,
        "total_shown": table.total_shown(threshold),
        "withheld": table.withheld,
        "rows": [{**_figure(c, threshold), "label": label(c.key)} for c in table.cells],
    }


def _seconds(value: float | None) -> int | None:
    return round(value) if value is not None else None


def as_json(report: Report, labels: Labels) -> dict[str, Any]:
    t = report.threshold
    return {
        "scope": str(report.scope),
        "organisations": list(report.organisations),
        "period": {"from": report.filters.first_month, "to": report.filters.last_month},
        "time_zone": report.zone,
        "filters": {"country": report.filters.country, "category": report.filters.category},
        "threshold": t,
        "cases": {
            str(d): _table(table, t, lambda key, d=d: labels.key(d, key))
            for d, table in report.cases.items()
        },
        "timings": {
            str(m): {
                str(d): {
                    "withheld": rows.withheld,
                    "rows": [
                        {
                            **_figure(row.cases, t),
                            "label": labels.key(d, row.key),
                            "median_seconds": _seconds(row.median),
                            "p90_seconds": _seconds(row.p90),
                        }
                        for row in rows
                    ],
                }
                for d, rows in by.items()
            }
            for m, by in report.timings.items()
        },
        "timings_withheld": sorted(str(m) for m in report.withheld),
        # No total: a worker who asked about two topics counts in both.
        "topics": {
            k: v
            for k, v in _table(report.topics, t, labels.topic).items()
            if k not in ("total", "total_shown")
        },
    }


def as_csv(report: Report, labels: Labels) -> str:
    """One row a figure: table ("cases.category", "first_reply.country", "topics"), key, label,
    count as shown, and for timings the median and 90th percentile in seconds."""
    t = report.threshold
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    meta = (
        ("scope", str(report.scope)),
        ("organisations", " ".join(report.organisations)),
        ("from", report.filters.first_month),
        ("to", report.filters.last_month),
        ("time_zone", report.zone),
        ("country", report.filters.country or ""),
        ("category", report.filters.category or ""),
        ("threshold", str(t)),
    )
    for key, value in meta:
        writer.writerow(("report", key, value, "", "", ""))
    for d, table in report.cases.items():
        name = f"cases.{d}"
        for cell in table.cells:
            writer.writerow((name, cell.key, labels.key(d, cell.key), cell.shown(t), "", ""))
        writer.writerow((name, "total", "", table.total_shown(t), "", ""))
    for m in sorted(report.withheld):
        writer.writerow((str(m), "withheld", "", "", "", ""))
    for m, by in report.timings.items():
        for d, rows in by.items():
            if rows.withheld:
                writer.writerow((f"{m}.{d}", "withheld", "", "", "", ""))
            for row in rows:
                writer.writerow(
                    (
                        f"{m}.{d}",
                        row.key,
                        labels.key(d, row.key),
                        row.cases.shown(t),
                        _seconds(row.median) if row.median is not None else "",
                        _seconds(row.p90) if row.p90 is not None else "",
                    )
                )
    for cell in report.topics.cells:
        writer.writerow(("topics", cell.key, labels.topic(cell.key), cell.shown(t), "", ""))
    return out.getvalue()


def as_text(report: Report, labels: Labels) -> str:
    """For `helpline report`: each table with its labels, numbers as the reader's language
    writes them."""
    _ = labels._
    t = report.threshold
    lines = [
        _("Report: {scope}").format(scope=", ".join(report.organisations) or "—"),
        _("Period: {first} to {last} ({zone})").format(
            first=labels.month(report.filters.first_month),
            last=labels.month(report.filters.last_month),
            zone=report.zone,
        ),
        _(
            'Figures below {threshold} are shown as "<{threshold}"; "x": hidden so that a '
            "smaller figure cannot be worked out from the totals."
        ).format(threshold=t),
    ]

    def block(
        title: str, rows: list[tuple[str, str]], total: str | None, hidden: bool = False
    ) -> None:
        lines.extend(("", title))
        if not rows:
            lines.append("  " + (_("(hidden)") if hidden else _("none")))
        width = max((len(label) for label, _n in rows), default=0)
        for label, value in rows:
            lines.append(f"  {label.ljust(width)}  {value}")
        if total is not None:
            lines.append(f"  {_('Total')}: {total}")

    for d, table in report.cases.items():
        rows = [(labels.key(d, c.key), labels.count(c, t)) for c in table.cells]
        block(labels.title(d), rows, _total_words(table, labels, t), table.withheld)
    for m, by in report.timings.items():
        if m in report.withheld:
            block(labels.measure(m), [], None, hidden=True)
            continue
        for d in (Dimension.CATEGORY, Dimension.COUNTRY, Dimension.ORGANISATION):
            rows = [
                (
                    labels.key(d, r.key),
                    _("{cases} cases, median {median}, 90% within {p90}").format(
                        cases=labels.count(r.cases, t),
                        median=labels.duration(r.median),
                        p90=labels.duration(r.p90),
                    ),
                )
                for r in by[d]
            ]
            block(f"{labels.measure(m)} · {labels.name(d)}", rows, None, by[d].withheld)
    topics = [(labels.topic(c.key), labels.count(c, t)) for c in report.topics.cells]
    block(_(TOPICS_TITLE), topics, None)
    return "\n".join(lines) + "\n"


def _total_words(table: Table, labels: Labels, threshold: int) -> str | None:
    if not table.cells and not table.withheld:
        return None  # nothing counted
    return labels.total(table, threshold)
