"""Durations: "3 bulan", "3bln", "2 minggu", "5 hari", "2 years", "sebulan", "2thn 5bln",
"setengah tahun", "satu setengah bulan", "a year and a half"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.nlu.types import Duration, Entity

# fmt: off
UNITS: dict[str, str] = {
    "hari": "day", "hri": "day", "day": "day", "days": "day",
    "minggu": "week", "mgg": "week", "mggu": "week", "week": "week",
    "weeks": "week", "wk": "week", "wks": "week", "pekan": "week",
    "bulan": "month", "bln": "month", "month": "month", "months": "month",
    "mth": "month", "mths": "month", "mos": "month",
    "tahun": "year", "thn": "year", "thun": "year", "taun": "year", "year": "year",
    "years": "year", "yr": "year", "yrs": "year",
}
# fmt: on
# fmt: off
NUMBER_WORDS: dict[str, float] = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "setengah": 0.5,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# Only before a unit: "a year", "half a month" (elsewhere "a" is not a number).
_WORDS = {**NUMBER_WORDS, "a": 1.0, "an": 1.0, "half a": 0.5, "half an": 0.5}
# fmt: on
# "sebulan", "setahun", "seminggu", "sehari": one of the unit.
_ONE = {
    "sehari": "day",
    "seminggu": "week",
    "sepekan": "week",
    "sebulan": "month",
    "setahun": "year",
}
_IN_DAYS = {"day": 1.0, "week": 7.0, "month": 30.0, "year": 365.0}
_IN_MONTHS = {"month": 1.0, "year": 12.0}


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# "satu setengah bulan", "setahun setengah", "a year and a half": a half more.
_HALF = r"\s+(?:setengah|and\s+a\s+half)"
_ONE_PART = (
    rf"(?:(?P<num>\d+(?:[.,]5)?)\s?|(?P<word>{_alt(_WORDS)})(?P<half>{_HALF})?\s+)"
    rf"(?P<unit>{_alt(UNITS)})(?P<after>{_HALF}(?![\w/]))?"
    rf"|(?P<one>{_alt(_ONE)})(?P<one_half>{_HALF}(?![\w/]))?"
)
_PART = re.compile(rf"(?<![\w.,/])(?:{_ONE_PART})(?![\w/])", re.IGNORECASE)
# Parts joined by a space, "dan", "and" or a comma make one duration: "2thn 5bln".
_JOINER = re.compile(r"\s*(?:,|dan|and|&|lebih|more)?\s*", re.IGNORECASE)
# "2 hari lalu", "3 days ago": a date, not a duration.
_AGO = re.compile(r"\s*(?:yang\s+|yg\s+)?(?:lalu|lalu,|ago|kemarin|yl)\b", re.IGNORECASE)


def _part(m: re.Match[str]) -> tuple[float, str]:
    if m.group("one"):
        return _whole(1.0 + (0.5 if m.group("one_half") else 0), _ONE[m.group("one").lower()])
    unit = UNITS[m.group("unit").lower()]
    half = 0.5 if m.group("half") or m.group("after") else 0.0
    if m.group("num"):
        return _whole(float(m.group("num").replace(",", ".")) + half, unit)
    return _whole(_WORDS[" ".join(m.group("word").lower().split())] + half, unit)


def _whole(amount: float, unit: str) -> tuple[float, str]:
    """Half a year is 6 months, a year and a half 18: stored as whole months."""
    if unit == "year" and amount != int(amount):
        return amount * 12, "month"
    return amount, unit


def _combine(parts: list[tuple[float, str]]) -> Duration:
    if len(parts) == 1:
        return Duration(parts[0][0], parts[0][1])
    units = {u for _, u in parts}
    if units <= set(_IN_MONTHS):
        return Duration(sum(a * _IN_MONTHS[u] for a, u in parts), "month")
    smallest = min(units, key=_IN_DAYS.__getitem__)
    return Duration(sum(a * _IN_DAYS[u] for a, u in parts) / _IN_DAYS[smallest], smallest)


def find_durations(text: str) -> Iterator[Entity]:
    pos = 0
    while (m := _PART.search(text, pos)) is not None:
        start, end = m.start(), m.end()
        pos = end
        parts = [_part(m)]
        while True:  # absorb "5bln" in "2thn 5bln"
            j = _JOINER.match(text, end)
            nxt = _PART.match(text, j.end()) if j else None
            part = _part(nxt) if nxt else None
            if nxt is None or part is None or part[1] == parts[-1][1]:
                break
            parts.append(part)
            end = pos = nxt.end()
        if _AGO.match(text, end):
            continue
        yield Entity("duration", _combine(parts), text[start:end], start, end)
