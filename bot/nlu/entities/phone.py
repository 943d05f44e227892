"""Phone numbers in E.164, found with phonenumbers; the region hint comes from a country."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from bot.nlu.types import Entity

_ENOUGH_DIGITS = re.compile(r"(?:\d\D?){7}")
# International numbers written without "+": "6281234567890", "852 6773 0466".
_BARE_INTERNATIONAL = re.compile(
    r"(?<![\d+])(?:62|60|65|852|853|886|966|971|974|965|968|973|673|82|81)"
    r"[\d \-]{7,14}\d(?!\d)"
)


def find_phones(text: str, region: str = "ID") -> Iterator[Entity]:
    if not _ENOUGH_DIGITS.search(text):  # the matcher is slow; most messages hold no number
        return
    seen: list[tuple[int, int]] = []
    regions = [region] if region == "ID" else [region, "ID"]
    for hint in regions:
        for match in PhoneNumberMatcher(text, hint, leniency=Leniency.VALID):
            if any(match.start < e and s < match.end for s, e in seen):
                continue
            seen.append((match.start, match.end))
            e164 = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
            yield Entity("phone", e164, match.raw_string, match.start, match.end)
    for m in _BARE_INTERNATIONAL.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in seen):
            continue
        try:
            number = phonenumbers.parse("+" + re.sub(r"\D", "", m.group(0)), None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            seen.append((m.start(), m.end()))
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            yield Entity("phone", e164, m.group(0), m.start(), m.end())
