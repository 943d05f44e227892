"""How the dashboard writes stored values for an officer: times in their zone (with the
worker's local time beside them), waits, money, countries, languages, categories and the
complaint's answers, in the officer's language (Babel), never as ids or JSON.

Templates get one `fmt` per page: `{{ fmt.when(case.created_at) }}`, `{{ fmt.category(case) }}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_percent

from bot.cases.labels import (
    ATTACHMENT_KINDS,
    CATEGORY_LABELS,
    DELIVERY_STATES,
    NOTE_KINDS,
    ORGANISATION_KINDS,
    RECORD_HIDDEN,
    RECORD_LABELS,
    ROLE_LABELS,
)
from bot.cases.status import OUTCOMES, STATUS_LABELS
from bot.dialogue.flows.model import Flow, SlotType, Step
from bot.dialogue.flows.show import duration
from bot.i18n import (
    country_name,
    country_zone,
    format_date,
    format_duration,
    format_number,
    language_name,
    locale,
    translator,
    zone_name,
)
from bot.nlu.entities.province import province_name

FlowLookup = Callable[[str, str | None], Flow | None]  # (flow id, version) -> the flow
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # as organisations.yml writes them
_NO_OFFICE = re.compile(r"no (?P<kind>\w+) office listed for (?P<province>.+)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class DeskFormat:
    lang: str
    zone: ZoneInfo  # the officer's
    now: datetime
    flows: FlowLookup | None = None  # step labels and types of the complaint flows

    @property
    def _(self) -> Callable[[str], str]:
        return translator(self.lang).gettext

    # Times ----------------------------------------------------------------------------------

    def when(self, value: datetime | None) -> str:
        """'23 Nov 2026 10.00 WIB': a moment in the officer's zone."""
        if value is None:
            return "—"
        shown = self._stamp(value.astimezone(self.zone), "yMMMd")
        return f"{shown} {zone_name(self.zone, value, self.lang)}"

    def number(self, value: int) -> str:
        """'1.234' in Indonesian, '1,234' in English."""
        return format_number(value, self.lang)

    def short(self, value: datetime) -> str:
        """'10.00' today, '23 Nov 10.00' earlier this year, for the lines of a conversation."""
        local = value.astimezone(self.zone)
        today = self.now.astimezone(self.zone).date()
        if local.date() == today:
            return self._stamp(local, None)
        return self._stamp(local, "MMMd" if local.year == today.year else "yMMMd")

    def _stamp(self, local: datetime, day: str | None) -> str:
        """The date (a CLDR skeleton: 'MMMd' is '23 Nov' or 'Nov 23') and the time."""
        clock = format_skeleton("Hm", local, locale=locale(self.lang))
        return f"{format_skeleton(day, local, locale=locale(self.lang))} {clock}" if day else clock

    @property
    def zone_name(self) -> str:
        return zone_name(self.zone, self.now, self.lang)

    def worker_time(self, value: datetime, country: str | None) -> str | None:
        """The same moment where the worker is ('11.00 Kuala Lumpur'); None when their
        country's zone is unknown or its clock shows what the officer's shows."""
        zone = country_zone(country)
        if (
            zone is None
            or value.astimezone(zone).utcoffset() == value.astimezone(self.zone).utcoffset()
        ):
            return None
        local = format_skeleton("Hm", value.astimezone(zone), locale=locale(self.lang))
        return f"{local} {zone_name(zone, value, self.lang)}"

    def waited(self, since: datetime | None) -> str:
        """'2 jam 5 menit': how long something has waited until now."""
        if since is None:
            return "—"
        if self.now - since < timedelta(minutes=1):
            return self._("under a minute")
        return format_duration(self.now - since, self.lang)

    def minutes(self, count: int | float) -> str:
        return format_duration(timedelta(minutes=count), self.lang)

    def percent(self, share: float) -> str:
        """0.875 -> '88%' ('88%' in Indonesian too, as Babel writes it)."""
        return format_percent(share, locale=self.lang)

    # Names ----------------------------------------------------------------------------------

    def country(self, code: str | None) -> str:
        return country_name(code, self.lang) if code else "—"

    def language(self, code: str | None) -> str:
        return language_name(code, self.lang) if code else "—"

    def category(self, case: Any) -> str:
        """What a case is about: its category, or what opened it."""
        key = case.category or case.source
        return self.category_name(key)

    def category_name(self, key: str | None) -> str:
        label = CATEGORY_LABELS.get(key or "none")
        return self._(label) if label else (key or "—").replace("_", " ")

    def status(self, value: str) -> str:
        label = STATUS_LABELS.get(value)
        return self._(label) if label else value

    def outcome(self, value: str | None) -> str:
        label = OUTCOMES.get(value or "")
        return self._(label) if label else (value or "—")

    def note_kind(self, kind: str) -> str:
        label = NOTE_KINDS.get(kind)
        return self._(label) if label else kind

    def attachment(self, kind: str) -> str:
        label = ATTACHMENT_KINDS.get(kind)
        return self._(label) if label else kind

    def delivery(self, state: str) -> str:
        label = DELIVERY_STATES.get(state)
        return self._(label) if label else state

    def org_kind(self, kind: str) -> str:
        label = ORGANISATION_KINDS.get(kind)
        return self._(label) if label else kind

    def role(self, role: str) -> str:
        label = ROLE_LABELS.get(role)
        return self._(label) if label else role

    def zone_of(self, zone: ZoneInfo | str) -> str:
        """'WIB', 'WITA', 'Hong Kong': a zone as officers name it."""
        return zone_name(ZoneInfo(zone) if isinstance(zone, str) else zone, self.now, self.lang)

    def days(self, days: tuple[str, ...]) -> str:
        """('mon', 'tue') -> 'Sen, Sel': weekdays abbreviated in the officer's language."""
        names = locale(self.lang).days["format"]["abbreviated"]
        return ", ".join(str(names[WEEKDAYS.index(d)]) for d in days if d in WEEKDAYS)

    def routed(self, routed_by: str) -> str:
        """Why a case is in its queue (bot/cases/routing.py `Routed.explained`, stored in
        English): the rule's name as editors wrote it, the desk's own words translated."""
        _ = self._
        rule, _sep, missing = routed_by.partition(" (")
        shown = _("the default queue (no rule matched)") if rule == "default" else rule
        missing = missing.removesuffix(")")
        if missing == "home province unknown":
            return f"{shown} ({_('home province unknown')})"
        office = _NO_OFFICE.fullmatch(missing)
        if office:
            text = _("no {kind} office listed for {province}")
            return f"{shown} ({text.format(kind=office['kind'], province=office['province'])})"
        return f"{shown} ({missing})" if missing else shown

    def money(self, value: Mapping[str, Any]) -> str:
        """{"amount": "1500", "currency": "MYR"} -> 'MYR 1.500' (Indonesian) or 'MYR 1,500'."""
        try:
            amount = Decimal(str(value["amount"]))
        except (InvalidOperation, KeyError):
            return str(value.get("amount", "—"))
        return format_currency(
            amount,
            str(value.get("currency") or "IDR"),
            format="¤ #,##0.##",
            currency_digits=False,
            locale=locale(self.lang),
        )

    # The complaint ---------------------------------------------------------------------------

    def record(self, record: Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """The structured complaint as (label, value) rows, in the order the flow wrote it."""
        if not record:
            return []
        flow = None
        if self.flows is not None and isinstance(record.get("flow"), str):
            flow = self.flows(record["flow"], record.get("flow_version"))
        rows = []
        for key, value in record.items():
            if key in RECORD_HIDDEN:
                continue
            step = flow.step(key) if flow else None
            rows.append((self._label(key, step), self._value(key, value, step, flow)))
        return rows

    def _label(self, key: str, step: Step | None) -> str:
        if step is not None:
            return step.label.get(self.lang) or step.label["en"]
        known = RECORD_LABELS.get(key)
        return self._(known) if known else key.replace("_", " ").capitalize()

    def _value(self, key: str, value: Any, step: Step | None, flow: Flow | None) -> str:
        _ = self._
        if value is None:
            return _("(skipped)")
        kind = step.type if step is not None else None
        if kind == SlotType.CHOICE and step is not None:
            option = step.option(str(value))
            return option.label.get(self.lang, str(value)) if option else str(value)
        if kind == SlotType.CONSENT:
            return _("Without my name") if value == "anonymous" else _("Yes")
        if kind == SlotType.ATTACHMENT or key == "evidence":
            count = len(value) if isinstance(value, list) else 0
            ngettext = translator(self.lang).ngettext
            return ngettext("{n} file", "{n} files", count).format(n=count)
        if kind == SlotType.COUNTRY or key == "country":
            return self.country(str(value))
        if kind == SlotType.PROVINCE or key == "province":
            return province_name(str(value))
        if key in ("taken_from_earlier_messages", "not_known") and isinstance(value, list):
            return ", ".join(
                self._label(str(v), flow.step(str(v)) if flow else None) for v in value
            )
        return self._plain(value)

    def _plain(self, value: Any) -> str:
        """A value by its shape, for answers whose step is unknown (an older flow)."""
        _ = self._
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, self.lang)
        if isinstance(value, dict):
            if "currency" in value and "amount" in value:
                return self.money(value)
            if "unit" in value and "amount" in value:
                return duration(value, self.lang)
            return ", ".join(f"{k}: {self._plain(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self._plain(v) for v in value) or "—"
        text = str(value)
        if _ISO_DATE.match(text):
            return format_date(date.fromisoformat(text), self.lang, "long")
        if _ISO_TIME.match(text):
            try:
                return self.when(datetime.fromisoformat(text))
            except ValueError:
                return text
        return text
