"""The emergency reply: numbers first, in the right order, short."""

from __future__ import annotations

import re

import pytest

from bot.content import Content
from bot.intents import LANGUAGES

KEMLU = "+62 812 9007 0027"
KEMENP2MI = "+62 21 2924 4800"
LOCAL = {"MY": "999", "HK": "999", "SG": "995", "TW": "110", "SA": "911"}
MISSION = {
    "MY": "+60 17-668 8032",
    "HK": "+852 6773 0466",
    "SG": "+65 9295 3964",
    "TW": "+886 901 132 000",  # KDEI's hotline, not its office line
    "SA": "+966 598 881 945",
}


def _before(text: str, *needles: str) -> None:
    positions = [text.index(n) for n in needles]
    assert positions == sorted(positions), f"{needles} out of order in:\n{text}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("country", sorted(LOCAL))
def test_known_country_local_then_mission_then_national(
    content: Content, lang: str, country: str
) -> None:
    text = content.emergency(lang, country)
    _before(text, LOCAL[country], MISSION[country], KEMLU, KEMENP2MI)
    assert LOCAL[country] in text.splitlines()[0]  # the very first line is the local number
    assert len(text) <= 450


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_country_every_countrys_numbers_shortest_first_then_kemlu(
    content: Content, lang: str
) -> None:
    text = content.emergency(lang, None)
    lines = text.splitlines()
    assert lines[1].endswith(": 999") and lines[3].endswith(": 911")  # one-number countries first
    _before(text, "999", "911", "995", "110", "119", "113", KEMLU, KEMENP2MI)
    for code in LOCAL:
        assert content.country_label(code, lang) in text
    assert len(text) <= 450


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("country", [None, *sorted(LOCAL), "JP"])
def test_numbers_first_no_paragraphs(content: Content, lang: str, country: str | None) -> None:
    text = content.emergency(lang, country)
    numbers, *rest = text.split("\n\n")
    assert all(re.search(r"\d{3}", line) or line.endswith(":") for line in numbers.splitlines())
    assert len(rest) <= 1 and len(rest[0].splitlines()) == 1  # one closing line


def test_emergency_is_the_emergency_answer(content: Content) -> None:
    assert content.emergency("en", "HK") == content.answer("emergency", "en", "HK").text


def test_saudi_911_is_shown_as_certain(content: Content) -> None:
    # Confirmed in the December 2026 review (Arab News / SPA, Zawya): no caveat any more.
    assert "Arab Saudi: 911\n" in content.emergency("id", None)
    assert "Emergency in Saudi Arabia: 911\n" in content.emergency("en", "SA")
