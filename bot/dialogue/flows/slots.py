"""Slot types: what counts as an answer of each type, its stored (JSON) form, and why not.

Each parser gets the worker's message and returns the value to store, or an explanation with
an example in the worker's language. Values are JSON: money {"amount": "1500", "currency":
"MYR"}, a date "2025-01-05", a duration {"amount": 3, "unit": "month"}, a phone "+60123456789".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
from babel.numbers import get_territory_currencies
from rapidfuzz import fuzz, process

from bot.dialogue.flows import words
from bot.dialogue.flows.model import Step
from bot.i18n import translator
from bot.nlu.entities import extract_entities
from bot.nlu.entities.country import find_countries
from bot.nlu.entities.duration import NUMBER_WORDS
from bot.nlu.entities.numbers import MULTIPLIER, NUMBER, scaled
from bot.nlu.entities.phone import find_phones
from bot.nlu.entities.province import find_provinces
from bot.nlu.types import Duration, Money

HOME = "ID"
OTHER = "other"
_BARE_AMOUNT = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})(?:\s?(?P<mul>{MULTIPLIER})\b)?", re.I)
_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_FUZZY_CUTOFF = 82


@dataclass(frozen=True)
class Answer:
    """What the worker sent for the current question."""

    text: str
    payload: str | None = None  # the value of an "/answer:..." quick reply
    number: int | None = None  # a message that is only a number ("2")
    intent: str | None = None  # what the classifier understood (affirm and deny help yes/no)


@dataclass(frozen=True)
class SlotContext:
    lang: str
    today: date
    country: str | None  # where the worker works, for currencies and phone numbers
    countries: tuple[tuple[str, str], ...] = ()  # (code, label) offered as buttons
    anonymous_allowed: bool = False


@dataclass(frozen=True)
class Parsed:
    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def options(step: Step, ctx: SlotContext) -> list[tuple[str, str]]:
    """(value, title) of the buttons a step offers, in order: a typed number picks one."""
    _ = translator(ctx.lang).gettext
    if step.type == "choice":
        return [(o.id, o.label[ctx.lang]) for o in step.options]
    if step.type == "yesno":
        return [("yes", _("Yes")), ("no", _("No"))]
    if step.type == "consent":
        found = [("yes", _("Yes, I agree"))]
        if ctx.anonymous_allowed:
            found.append(("anonymous", _("Without my name")))
        return [*found, ("no", _("No"))]
    if step.type == "country":
        return [*ctx.countries, (OTHER, _("Another country"))]
    if step.type == "attachment":
        return [("done", _("Done"))]
    return []


def parse(step: Step, answer: Answer, ctx: SlotContext) -> Parsed:
    picked = _picked(step, answer, ctx)
    return _PARSERS[step.type](step, answer, ctx, picked)


def _picked(step: Step, answer: Answer, ctx: SlotContext) -> str | None:
    """The value of a button: pressed (payload) or typed as its number."""
    offered = options(step, ctx)
    if answer.payload is not None:
        return answer.payload if any(v == answer.payload for v, _ in offered) else None
    if answer.number is not None and 1 <= answer.number <= len(offered):
        return offered[answer.number - 1][0]
    return None


def _error(step: Step, ctx: SlotContext, generic: str) -> Parsed:
    return Parsed(error=step.error[ctx.lang] if step.error else generic)


# One parser per type --------------------------------------------------------------------------


def _text(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    text = " ".join(answer.text.split())
    if answer.text.lstrip().startswith("/"):
        text = ""
    if len(text) < step.min_length:
        return _error(
            step,
            ctx,
            _("Please write a little more (at least {n} letters).").format(n=step.min_length),
        )
    if len(text) > step.max_length:
        return Parsed(
            error=_("That is too long: please keep it under {n} letters.").format(n=step.max_length)
        )
    return Parsed(text)


def _choice(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    if picked is not None:
        return Parsed(picked)
    found = match_option(
        answer.text,
        [(o.id, (o.label["id"], o.label["en"], *o.synonyms)) for o in step.options],
    )
    if found is not None:
        return Parsed(found)
    return _error(
        step, ctx, _("Please choose one of the options: tap a button or write its number.")
    )


def match_option(text: str, candidates: list[tuple[str, tuple[str, ...]]]) -> str | None:
    """The one candidate whose words the text says: exactly, as whole words, or misspelt."""
    said = words.norm(text)
    if not said:
        return None
    names = {words.norm(name): value for value, names in candidates for name in names if name}
    if said in names:
        return names[said]
    inside = {value for name, value in names.items() if re.search(rf"\b{re.escape(name)}\b", said)}
    if len(inside) == 1:
        return inside.pop()
    if inside:
        return None  # two options named: ask again rather than guess
    best = process.extractOne(said, list(names), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    if best is not None:
        return names[best[0]]
    # A misspelt word of a one-word name ("pasport" for "paspor").
    hits = {
        names[name]
        for token in said.split()
        if len(token) >= 4
        for name in names
        if " " not in name and len(name) >= 4 and fuzz.ratio(token, name) >= _FUZZY_CUTOFF
    }
    return hits.pop() if len(hits) == 1 else None


def _number(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    value = first_number(answer.text)
    if value is None:
        return _error(step, ctx, _("Please answer with a number, for example: 10."))
    if step.minimum is not None and value < Decimal(str(step.minimum)):
        return Parsed(error=_("The number should be at least {n}.").format(n=_plain(step.minimum)))
    if step.maximum is not None and value > Decimal(str(step.maximum)):
        return Parsed(error=_("The number should be at most {n}.").format(n=_plain(step.maximum)))
    return Parsed(int(value) if value == value.to_integral_value() else float(value))


def first_number(text: str) -> Decimal | None:
    match = _BARE_AMOUNT.search(text)
    if match is not None:
        return scaled(match.group("num"), match.group("mul"))
    spelt = [NUMBER_WORDS[w] for w in words.norm(text).split() if w in NUMBER_WORDS]
    return Decimal(str(spelt[0])) if len(spelt) == 1 else None


def _plain(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def currency_of(country: str | None) -> str | None:
    if not country:
        return None
    found = get_territory_currencies(country.upper())
    return found[0] if found else None


def _money(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    default = step.currency or currency_of(ctx.country)
    entity = next((e for e in extract_entities(answer.text, ctx.today) if e.type == "money"), None)
    if entity is not None and isinstance(entity.value, Money):
        amount, currency = entity.value.amount, entity.value.currency or default
    else:
        bare = first_number(answer.text)
        if bare is None:
            return _error(
                step,
                ctx,
                _("Please write the amount, for example: RM1500, HK$4,990 or Rp 5 juta."),
            )
        amount, currency = bare, default
    if amount <= 0:
        return _error(step, ctx, _("Please write an amount above zero, for example: RM1500."))
    if currency is None:
        return Parsed(
            error=_(
                "Which currency? Please write it with the amount, for example: RM1500 or Rp 5 juta."
            )
        )
    return Parsed({"amount": str(amount), "currency": currency})


def _date(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    found = read_date(answer.text, ctx.today)
    if found is None:
        return _error(
            step,
            ctx,
            _("Please write a date, for example: 5 January 2025, March 2024 or 3 months ago."),
        )
    if found > ctx.today:
        return Parsed(
            error=_(
                "That date is in the future. Please write when it happened, for example: 5 January 2025."
            )
        )
    return Parsed(found.isoformat())


def read_date(text: str, today: date) -> date | None:
    """A date in the worker's words; "3 bulan" (a duration) means that long ago."""
    entities = extract_entities(text, today)
    for entity in entities:
        if entity.type == "date" and isinstance(entity.value, date):
            return entity.value
    for entity in entities:
        if entity.type == "duration" and isinstance(entity.value, Duration):
            days = entity.value.amount * _DAYS.get(entity.value.unit, 1)
            return today - timedelta(days=round(days))
    if not re.search(r"[a-zA-Z0-9]", text) or len(text) > 60:
        return None
    with _DATEPARSER:
        parsed = _parse_date(text, today)
    return parsed.date() if parsed is not None else None


# dateparser keeps state between calls and is not thread-safe (its issues #441, #813), and
# messages are understood in threads: one date at a time.
_DATEPARSER = threading.Lock()


def _parse_date(text: str, today: date) -> datetime | None:
    import dateparser  # a tenth of a second, for the first date only dateparser can read

    parsed: datetime | None = dateparser.parse(
        text,
        languages=["id", "en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day),
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    return parsed


def _duration(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    entity = next(
        (e for e in extract_entities(answer.text, ctx.today) if e.type == "duration"), None
    )
    if entity is None or not isinstance(entity.value, Duration) or entity.value.amount <= 0:
        return _error(
            step, ctx, _("Please write how long, for example: 3 months, 2 weeks or 1 year.")
        )
    amount = entity.value.amount
    return Parsed(
        {"amount": int(amount) if amount == int(amount) else amount, "unit": entity.value.unit}
    )


def _country(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    if picked == OTHER:
        return Parsed(
            error=_(
                "Please write the name of the country where you work, for example: Korea Selatan."
            )
        )
    code = picked
    if code is None and answer.payload is None:
        named = [str(e.value) for e in find_countries(answer.text)]
        code = next((c for c in named if c != HOME), named[0] if named else None)
    if code is None:
        return _error(
            step, ctx, _("Please choose the country, or write its name, for example: Malaysia.")
        )
    if code == HOME and not step.home_allowed:
        return Parsed(
            error=_("Please write the country abroad where this happened, for example: Malaysia.")
        )
    return Parsed(code.upper())


def _province(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    found = find_provinces(answer.text) if not answer.text.lstrip().startswith("/") else set()
    if len(found) == 1:
        return Parsed(found.pop())
    if found:
        return Parsed(
            error=_(
                "You named more than one place. Which province is your home? For example: Jawa Timur."
            )
        )
    return _error(
        step,
        ctx,
        _(
            "I do not know that place. Please write your home province or district in Indonesia, for example: Jawa Timur, NTB or Indramayu."
        ),
    )


def _phone(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    region = (ctx.country or HOME).upper()
    found = next(iter(find_phones(answer.text, region=region)), None)
    if found is not None:
        return Parsed(str(found.value))
    try:
        number = phonenumbers.parse(answer.text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return Parsed(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return _error(
        step,
        ctx,
        _(
            "That does not look like a phone number. Please write it with the country code, for example: +60 12-345 6789 or 0812 3456 7890."
        ),
    )


def _yesno(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    if picked is not None:
        return Parsed(picked == "yes")
    said = words.yes_or_no(answer.text)
    if said is None and words.starts_with(answer.text, words.NONE):
        said = False
    if said is None and answer.intent in ("affirm", "deny"):
        said = answer.intent == "affirm"
    if said is None:
        return _error(step, ctx, _("Please answer yes or no."))
    return Parsed(said)


def _consent(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    _ = translator(ctx.lang).gettext
    if picked is not None:
        return Parsed(picked)
    if ctx.anonymous_allowed and words.starts_with(answer.text, words.ANONYMOUS):
        return Parsed("anonymous")
    said = words.yes_or_no(answer.text)
    if said is None and answer.intent in ("affirm", "deny"):
        said = answer.intent == "affirm"
    if said is None:
        return _error(step, ctx, _("Please choose one of the buttons, or answer yes or no."))
    return Parsed("yes" if said else "no")


def _attachment(step: Step, answer: Answer, ctx: SlotContext, picked: str | None) -> Parsed:
    # The runner collects files as they come; a message here only says "done".
    _ = translator(ctx.lang).gettext
    if picked == "done" or words.starts_with(answer.text, words.DONE):
        return Parsed("done")
    return _error(
        step,
        ctx,
        _(
            'Please send photos, documents or voice notes here. When you have finished, write "done".'
        ),
    )


_PARSERS: dict[str, Callable[[Step, Answer, SlotContext, str | None], Parsed]] = {
    "text": _text,
    "choice": _choice,
    "number": _number,
    "money": _money,
    "date": _date,
    "duration": _duration,
    "country": _country,
    "province": _province,
    "phone": _phone,
    "yesno": _yesno,
    "consent": _consent,
    "attachment": _attachment,
}


def fits(type_: str, value: Any) -> bool:
    """Whether a stored value has the shape of this type (for a flow that changed type)."""
    if type_ in ("text", "phone", "date", "country", "province", "consent", "choice"):
        return isinstance(value, str)
    if type_ == "yesno":
        return isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ == "money":
        return isinstance(value, dict) and {"amount", "currency"} <= set(value)
    if type_ == "duration":
        return isinstance(value, dict) and {"amount", "unit"} <= set(value)
    if type_ == "attachment":
        return isinstance(value, list)
    return False
