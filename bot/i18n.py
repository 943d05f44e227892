"""Gettext catalogues (locales/) and locale-aware formatting with Babel.

Every string a worker sees comes from here or from the bilingual content in flows/.
Use it as ``_ = translator(lang).gettext`` so that ``pybabel extract`` finds the strings.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_timedelta as _format_timedelta
from babel.dates import get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency as _format_currency
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations

from bot.intents import LANGUAGES

DOMAIN = "messages"
DEFAULT_LANGUAGE = "id"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it where it is used."""
    return message


class LocalisedError(ValueError):
    """An error staff may read: an English msgid with named fields. str() is English (logs,
    the command line); `text(lang)` is the same message translated for the dashboard."""

    def __init__(self, message: str, **fields: object) -> None:
        self.message, self.fields = message, fields
        super().__init__(message.format(**fields))

    def text(self, lang: str | None) -> str:
        return translator(lang).gettext(self.message).format(**self.fields)


def normalise_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translator(lang: str | None) -> NullTranslations:
    """The catalogue for a language; the compiled .mo if it is current, else built from the .po."""
    lang = normalise_language(lang)
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    if po.exists():
        # A fresh clone has only the .po files: compile in memory rather than need a build step.
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


def locale(lang: str | None) -> Locale:
    return Locale.parse(normalise_language(lang))


def format_money(amount: Decimal | float, currency: str, lang: str | None) -> str:
    return _format_currency(amount, currency, locale=locale(lang))


def format_number(value: Decimal | float | int, lang: str | None) -> str:
    return _format_decimal(value, locale=locale(lang))


def format_date(value: date, lang: str | None, fmt: str = "medium") -> str:
    return _format_date(value, format=fmt, locale=locale(lang))


def format_datetime(value: datetime, lang: str | None, fmt: str = "medium") -> str:
    return _format_datetime(value, format=fmt, locale=locale(lang))


# CLDR's short names that Babel leaves out: people write "Hong Kong", not "Hong Kong SAR China".
_SHORT_NAMES = {"HK": {"id": "Hong Kong", "en": "Hong Kong"}, "MO": {"id": "Makau", "en": "Macao"}}


def country_name(code: str, lang: str | None) -> str:
    """The country's name in the worker's language (Babel's territory names)."""
    code = code.upper()
    short = _SHORT_NAMES.get(code, {}).get(normalise_language(lang))
    return short or str(locale(lang).territories.get(code, code))


def language_name(code: str, lang: str | None) -> str:
    """A language's name in `lang`: "Indonesia" / "Inggris" for an Indonesian reader."""
    return str(locale(lang).languages.get(code, code)).capitalize()


def format_duration(delta: timedelta, lang: str | None) -> str:
    """'4 menit', '2 jam 5 menit', '3 hari 4 jam': the two largest units, as people say them."""
    seconds = max(0, int(delta.total_seconds()))
    parts: list[str] = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(_unit(count * size, unit, lang))
        if parts and (len(parts) == 2 or unit != "day" and not count):
            break
    return " ".join(parts) or _unit(0, "minute", lang)


_Unit = Literal["day", "hour", "minute"]
_UNITS: tuple[tuple[_Unit, int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))


def _unit(seconds: int, unit: _Unit, lang: str | None) -> str:
    return _format_timedelta(
        timedelta(seconds=seconds), granularity=unit, threshold=10**6, locale=locale(lang)
    )


# Countries whose zones share one offset, or where nearly all workers are: their usual zone.
_MAIN_ZONES = {"ID": "Asia/Jakarta", "MY": "Asia/Kuala_Lumpur"}
_INDONESIAN_ZONES = ("WIB", "WITA", "WIT")


@cache
def country_zone(code: str | None) -> ZoneInfo | None:
    """The time zone of a country (Babel's CLDR data); None if unknown or it has several."""
    if not code:
        return None
    code = code.upper()
    if code in _MAIN_ZONES:
        return ZoneInfo(_MAIN_ZONES[code])
    zones = get_global("territory_zones").get(code, ())
    return ZoneInfo(zones[0]) if len(zones) == 1 else None


def zone_name(zone: ZoneInfo, when: datetime, lang: str | None) -> str:
    """WIB, WITA or WIT for Indonesia's zones; elsewhere the city's name ("Hong Kong")."""
    abbreviation = when.astimezone(zone).tzname() or ""
    if abbreviation in _INDONESIAN_ZONES:
        return abbreviation
    return str(get_timezone_location(zone, locale=locale(lang), return_city=True))
