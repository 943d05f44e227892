"""Answers as the worker reads them in the summary: in their language, short."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

from bot.dialogue.flows.model import Flow, Step
from bot.i18n import format_date, format_number, translator
from bot.nlu.entities.province import province_name

MAX_SHOWN = 90  # a long description is cut in the summary; the record keeps it whole


def show(step: Step, value: Any, lang: str, country_label: Callable[[str, str], str]) -> str:
    _ = translator(lang).gettext
    ngettext = translator(lang).ngettext
    if value is None:
        return _("(skipped)")
    if step.type == "choice":
        option = step.option(str(value))
        return option.label[lang] if option else str(value)
    if step.type == "yesno":
        return _("Yes") if value else _("No")
    if step.type == "consent":
        return _("Without my name") if value == "anonymous" else _("Yes, I agree")
    if step.type == "money":
        return f"{value['currency']} {format_number(_decimal(value['amount']), lang)}"
    if step.type == "number":
        return format_number(value, lang)
    if step.type == "date":
        return format_date(date.fromisoformat(value), lang, "long")
    if step.type == "duration":
        return duration(value, lang)
    if step.type == "country":
        return country_label(str(value), lang)
    if step.type == "province":
        return province_name(str(value))
    if step.type == "phone":
        return _phone(str(value))
    if step.type == "attachment":
        count = len(value)
        return ngettext("{n} file", "{n} files", count).format(n=count) if count else _("(none)")
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1].rstrip() + "…"


def answers(
    flow: Flow | None,
    given: Mapping[str, Any],
    lang: str,
    country_label: Callable[[str, str], str],
) -> list[tuple[str, str]]:
    """A complaint's answers as the worker wrote them, labelled by the flow's steps, whole
    (a description is not cut); answers without a step (the flow changed) show as stored."""
    _ = translator(lang).gettext
    steps = {s.id: s for s in flow.steps} if flow is not None else {}
    rows = []
    for key, value in given.items():
        step = steps.get(key)
        if step is None:
            label, shown = key.replace("_", " ").capitalize(), _raw(value)
        elif step.type == "text" and value is not None:
            label, shown = step.label[lang], str(value)
        else:
            try:
                label, shown = step.label[lang], show(step, value, lang, country_label)
            except (KeyError, TypeError, ValueError):  # an answer stored in an older shape
                label, shown = step.label[lang], _raw(value)
        rows.append((label, shown if shown else _("(skipped)")))
    return rows


def _raw(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{v}" for v in value.values())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def duration(value: dict[str, Any], lang: str) -> str:
    ngettext = translator(lang).ngettext
    amount = value["amount"]
    count = int(amount) if float(amount) == int(amount) else 2  # "1.5 months" reads as plural
    shown = format_number(amount, lang)
    forms = {
        "day": ngettext("{n} day", "{n} days", count),
        "week": ngettext("{n} week", "{n} weeks", count),
        "month": ngettext("{n} month", "{n} months", count),
        "year": ngettext("{n} year", "{n} years", count),
    }
    return forms.get(value["unit"], "{n} " + str(value["unit"])).format(n=shown)


def _phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _decimal(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return Decimal(0)
