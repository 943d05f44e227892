"""Rule-based entities: country, money, duration, date and phone, with offsets into the text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.nlu.entities.country import find_countries
from bot.nlu.entities.dates import find_dates
from bot.nlu.entities.duration import find_durations
from bot.nlu.entities.money import find_money
from bot.nlu.entities.phone import find_phones
from bot.nlu.types import Entity

__all__ = ["extract_entities"]


def extract_entities(text: str, today: date | None = None) -> tuple[Entity, ...]:
    """All entities, ordered by position; where two overlap, the earlier kind below wins:
    money, date, duration, phone (so "Rp 5.000.000" is never read as a phone number)."""
    countries = tuple(find_countries(text))
    codes = frozenset(str(c.value) for c in countries)
    found: list[Entity] = []

    def add(entities: Iterable[Entity]) -> None:
        for e in entities:
            if not any(e.start < f.end and f.start < e.end for f in found):
                found.append(e)

    add(find_money(text, codes))
    add(find_dates(text, today))
    add(find_durations(text))
    add(find_phones(text, region=str(countries[0].value) if countries else "ID"))
    # A country name inside a number span cannot happen; inside "HK$" is excluded by its regex.
    add(countries)
    return tuple(sorted(found, key=lambda e: (e.start, e.end)))
