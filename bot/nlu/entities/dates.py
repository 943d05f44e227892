"""Dates: "sejak 5 Januari", "tgl 12/03/2025", "since March 2024", "kemarin", "2 hari lalu".

Regular expressions find and read the forms workers use, day first when unsure. This is
several times faster than dateparser (0.4-2 ms a call) and reads Indonesian relative dates
("minggu lalu") that dateparser misses; a misspelt month ("5 Febuari") is matched fuzzily.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from bot.nlu.types import Entity

# fmt: off
MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "pebruari": 2, "february": 2,
    "feb": 2, "peb": 2, "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5,
    "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "agustus": 8,
    "august": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8, "agust": 8, "september": 9,
    "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11,
    "nopember": 11, "nov": 11, "nop": 11, "desember": 12, "december": 12, "des": 12,
    "dec": 12,
}
# fmt: on
_FULL_MONTHS = [m for m in MONTHS if len(m) > 4]
_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_CUE = r"(?:sejak|since|dari|from|bulan|bln|in|pada|akhir|awal|early|late|end\s+of|mulai)"

# fmt: off
_RELATIVE_WORDS: dict[str, int] = {
    "kemarin lusa": -2, "kemarin": -1, "kemaren": -1, "kmrn": -1, "kmarin": -1,
    "yesterday": -1, "hari ini": 0, "today": 0, "tadi": 0, "besok": 1, "bsk": 1,
    "tomorrow": 1, "lusa": 2,
}
# fmt: on
_UNIT_DAYS = {"hari": 1, "day": 1, "days": 1, "minggu": 7, "week": 7, "weeks": 7, "pekan": 7}
_UNIT_MONTHS = {
    "bulan": 1,
    "bln": 1,
    "month": 1,
    "months": 1,
    "tahun": 12,
    "thn": 12,
    "year": 12,
    "years": 12,
}
_UNITS = "|".join(sorted({**_UNIT_DAYS, **_UNIT_MONTHS}, key=len, reverse=True))

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        ("iso", r"(?<![\d/.-])(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d/.-])"),
        (
            "numeric",
            r"(?<![\d/.,-])(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-]"
            r"(?P<y>(?:19|20)?\d{2})(?![\d/.,-])",
        ),
        (
            "numeric_cue",
            r"\b(?:tgl\.?|tanggal|date|on|sejak|since)\s*(?P<a>\d{1,2})/(?P<b>\d{1,2})"
            r"(?![\d/.-])",
        ),
        (
            "day_month",
            rf"(?<![\d.,])(?P<d>\d{{1,2}}){_ORD}\s*(?:of\s+)?(?P<m>{_M})\.?"
            rf"(?:,?\s*{_YEAR})?(?![a-z])",
        ),
        ("month_day", rf"\b(?P<m>{_M})\.?\s+(?P<d>\d{{1,2}}){_ORD}(?![\d])(?:,?\s*{_YEAR})?"),
        ("month_year", rf"\b(?P<m>{_M})\.?\s+{_YEAR}\b"),
        ("cue_month", rf"\b{_CUE}\s+(?P<m>{_M})\b"),
        ("day_cue", r"\b(?:tgl\.?|tanggal)\s*(?P<d>\d{1,2})(?![\d/.-])"),
        (
            "ago",
            rf"(?<![\d.,])(?P<n>\d{{1,3}})\s?(?P<u>{_UNITS})\s+(?:yang\s+|yg\s+)?"
            r"(?:lalu|ago)\b",
        ),
        (
            "last",
            r"\b(?:(?P<u1>minggu|pekan|bulan|tahun)\s+(?:lalu|kemarin|kemaren)"
            r"|last\s+(?P<u2>week|month|year))\b",
        ),
        ("relative", r"\b(?:" + "|".join(sorted(_RELATIVE_WORDS, key=len, reverse=True)) + r")\b"),
        (
            "misspelt",
            rf"(?<![\d.,])(?P<d>\d{{1,2}})\s+(?P<w>(?:{'|'.join(sorted({m[:3] for m in MONTHS}))})"
            rf"[a-z]{{2,8}})(?:\s+{_YEAR})?\b",
        ),
    )
)


def _shift_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)


def _past(year: int | None, month: int, day: int, today: date) -> date:
    """A date without a year is the most recent one not after today."""
    if year is not None:
        return date(year, month, day)
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)


def _read(name: str, m: re.Match[str], today: date) -> date | None:
    g = m.groupdict()
    year = int(g["y"]) if g.get("y") else None
    if year is not None and year < 100:
        year += 2000
    if name == "iso":
        return date(int(g["y"]), int(g["m"]), int(g["d"]))
    if name in ("numeric", "numeric_cue"):
        a, b = int(g["a"]), int(g["b"])
        day, month = (b, a) if b > 12 >= a else (a, b)  # day first unless impossible
        return _past(year, month, day, today)
    if name in ("day_month", "month_day"):
        return _past(year, MONTHS[g["m"].lower()], int(g["d"]), today)
    if name in ("month_year", "cue_month"):
        return _past(year, MONTHS[g["m"].lower()], 1, today)
    if name == "day_cue":
        day = int(g["d"])
        this_month = today.replace(day=1)
        candidate = this_month.replace(day=day) if day <= 28 else None
        if candidate is None or candidate > today:
            candidate = _shift_months(this_month, -1).replace(day=day)
        return candidate
    if name == "ago":
        n, unit = int(g["n"]), g["u"].lower()
        if unit in _UNIT_DAYS:
            return today - timedelta(days=n * _UNIT_DAYS[unit])
        return _shift_months(today, -n * _UNIT_MONTHS[unit])
    if name == "last":
        unit = (g["u1"] or g["u2"]).lower()
        if unit in ("minggu", "pekan", "week"):
            return today - timedelta(days=7)
        return _shift_months(today, -1 if unit in ("bulan", "month") else -12)
    if name == "relative":
        return today + timedelta(days=_RELATIVE_WORDS[" ".join(m.group(0).lower().split())])
    fuzzy_month = _misspelt_month(g["w"])
    return _past(year, fuzzy_month, int(g["d"]), today) if fuzzy_month is not None else None


def _misspelt_month(word: str) -> int | None:
    found = process.extractOne(word.lower(), _FULL_MONTHS, scorer=fuzz.ratio, score_cutoff=75)
    return MONTHS[found[0]] if found is not None else None


def find_dates(text: str, today: date | None = None) -> Iterator[Entity]:
    today = today or date.today()
    taken: list[tuple[int, int]] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            try:
                value = _read(name, m, today)
            except (ValueError, OverflowError):
                continue
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            yield Entity("date", value, m.group(0), m.start(), m.end())
