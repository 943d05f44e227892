"""Danger-related answers (`safety: emergency`): the numbers come first, and every number shown
comes from a fact with a source.

A worker in danger reads the first lines and calls. These rules run on every rendering (every
language, every country and no country), so a missing number fails `check`, not a worker.
"""

from __future__ import annotations

import re

from bot.content.loading import Catalogue
from bot.content.model import Fact, Group, Lang

EMERGENCY = "emergency"
_NUMBER = re.compile(r"\+?\d[\d \-]*\d")
_MIN_DIGITS = 3  # "Ketik 1", "24 jam" are not phone numbers; "999" is


def problems(
    catalogue: Catalogue, lang: Lang, code: str | None, text: str, shown: list[Fact]
) -> list[str]:
    """What is wrong with one rendering of a danger-related answer (messages without place)."""
    found = []
    opening = text.split("\n\n")[0]
    for what, fact in required(catalogue, code):
        if fact is None:
            found.append(f"{what} is missing: danger-related answers need it")
        elif fact.render(lang) not in opening:
            found.append(
                "must start with the emergency numbers ({{ emergency_numbers }}): "
                f"{what} ({fact.text[lang]}) is not in its opening lines"
            )
    rest = text
    for shown_text in sorted({fact.render(lang) for fact in shown}, key=len, reverse=True):
        rest = rest.replace(shown_text, " ")
    for match in _NUMBER.finditer(rest):
        number = match.group()
        if sum(c.isdigit() for c in number) >= _MIN_DIGITS:
            found.append(
                f"shows the number {number!r}, which comes from no fact with a source: "
                "put it in flows/countries/, contacts.yml or support.yml and refer to it"
            )
    return found


def required(catalogue: Catalogue, code: str | None) -> list[tuple[str, Fact | None]]:
    """The numbers a danger-related answer starts with: for a country, its emergency numbers
    and mission; without one, every country's emergency numbers. Kemlu's 24-hour line always."""
    needed: list[tuple[str, Fact | None]] = []
    for each in [code] if code else list(catalogue.countries):
        facts = catalogue.countries[each].facts.items
        emergency = facts.get("emergency")
        if isinstance(emergency, Group):
            needed += [(f"{each} emergency.{key}", fact) for key, fact in _facts(emergency)]
        if code:
            mission = facts.get("mission")
            phone = mission.items.get("phone") if isinstance(mission, Group) else None
            needed.append((f"{each} mission.phone", phone if isinstance(phone, Fact) else None))
    contacts = catalogue.contacts.items if catalogue.contacts else {}
    kemlu = contacts.get("kemlu_hotline")
    needed.append(("contacts.kemlu_hotline", kemlu if isinstance(kemlu, Fact) else None))
    return needed


def _facts(group: Group) -> list[tuple[str, Fact]]:
    return [(key, node) for key, node in group.items.items() if isinstance(node, Fact)]
