"""Gettext catalogues (locales/) and locale-aware formatting with Babel.

Every string a worker sees comes from here or from the bilingual content in flows/.
Use it as ``_ = translator(lang).gettext`` so that ``pybabel extract`` finds the strings.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
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


def country_name(code: str, lang: str | None) -> str:
    """The country's name in the worker's language (Babel's territory names)."""
    return str(locale(lang).territories.get(code.upper(), code.upper()))
