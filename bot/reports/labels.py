"""A report's codes as readers name them, in Indonesian or English (gettext, Babel): labels
from the content (categories, organisations, outcomes), never anything a worker wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_skeleton

from bot.cases.directory import Directory
from bot.cases.labels import CATEGORY_LABELS
from bot.cases.status import OUTCOMES, STATUS_LABELS
from bot.i18n import N_, country_name, format_duration, format_number, locale, translator
from bot.reports.figures import OTHER, UNKNOWN, Dimension, Measure
from bot.reports.suppression import Cell, Table

# What workers ask that is not a case's category (bot/intents.py SERVICES).
TOPIC_LABELS: dict[str, str] = {
    "case_status": N_("Status of a case"),
    "contact_info": N_("Contact numbers"),
    "find_support": N_("Finding support (legal aid, shelter)"),
    "delete_my_data": N_("Deleting their data"),
    "delete_chat": N_("Clearing the chat"),
    "data_request": N_("Asking for their data"),
    "out_of_scope": N_("Outside the helpline's scope"),
}
DIMENSION_TITLES: dict[Dimension, str] = {
    Dimension.MONTH: N_("Cases by month opened"),
    Dimension.CATEGORY: N_("Cases by category"),
    Dimension.COUNTRY: N_("Cases by country"),
    Dimension.ORGANISATION: N_("Cases by organisation"),
    Dimension.STATUS: N_("Cases by status now"),
    Dimension.OUTCOME: N_("Closed cases by outcome"),
}
DIMENSION_NAMES: dict[Dimension, str] = {
    Dimension.MONTH: N_("Month"),
    Dimension.CATEGORY: N_("Category"),
    Dimension.COUNTRY: N_("Country"),
    Dimension.ORGANISATION: N_("Organisation"),
    Dimension.STATUS: N_("Status"),
    Dimension.OUTCOME: N_("Outcome"),
}
MEASURE_TITLES: dict[Measure, str] = {
    Measure.FIRST_REPLY: N_("Time to the first reply by a person"),
    Measure.CLOSE: N_("Time to close"),
}
TOPICS_TITLE = N_("Conversations by topic")


@dataclass(frozen=True)
class Labels:
    lang: str
    directory: Directory

    @property
    def _(self) -> Callable[[str], str]:
        return translator(self.lang).gettext

    def gettext(self, message: str) -> str:
        return self._(message)

    def title(self, dimension: Dimension) -> str:
        return self._(DIMENSION_TITLES[dimension])

    def name(self, dimension: Dimension) -> str:
        return self._(DIMENSION_NAMES[dimension])

    def measure(self, measure: Measure) -> str:
        return self._(MEASURE_TITLES[measure])

    def key(self, dimension: Dimension | str, key: str) -> str:
        if key == OTHER:
            return self._("Other")
        if dimension == Dimension.MONTH:
            return self.month(key)
        if dimension == Dimension.CATEGORY:
            return self.topic(key)
        if dimension == Dimension.COUNTRY:
            return self._("Not known") if key == UNKNOWN else country_name(key, self.lang)
        if dimension == Dimension.ORGANISATION:
            return self.directory.organisation_name(key, self.lang)
        if dimension == Dimension.STATUS:
            return self._(STATUS_LABELS.get(key, key))
        return self._(OUTCOMES.get(key, key))

    def topic(self, key: str) -> str:
        if key == OTHER:
            return self._("Other")
        label = CATEGORY_LABELS.get(key) or TOPIC_LABELS.get(key)
        return self._(label) if label else key.replace("_", " ")

    def month(self, key: str) -> str:
        """'2026-11' -> 'Nov 2026' (English) or 'Nov 2026' as Indonesian writes it."""
        year, month = key.split("-")
        return format_skeleton("yMMM", date(int(year), int(month), 1), locale=locale(self.lang))

    def count(self, cell: Cell, threshold: int) -> str:
        """'1.234' in Indonesian, '1,234' in English; '<5' or 'x' when hidden."""
        return cell.shown(threshold) if cell.count is None else format_number(cell.count, self.lang)

    def number(self, value: int | None, threshold: int) -> str:
        return f"<{threshold}" if value is None else format_number(value, self.lang)

    def total(self, table: Table, threshold: int) -> str:
        if table.total is None:
            return table.total_shown(threshold)
        return format_number(table.total, self.lang)

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "x"
        if seconds < 60:
            return self._("under a minute")
        return format_duration(timedelta(seconds=seconds), self.lang)
