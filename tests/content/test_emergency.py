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
    "TW": "+886 2 8752 6170",
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
def test_unknown_country_kemlu_first_then_main_countries(content: Content, lang: str) -> None:
    text = content.emergency(lang, None)
    lines = text.splitlines()
    assert KEMLU in lines[0]
    _before(text, KEMLU, "999", "995", "110", "119", "911", KEMENP2MI)
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


def test_saudi_police_number_carries_its_caveat(content: Content) -> None:
    assert "911 (belum kami pastikan)" in content.emergency("id", None)
    assert "911 (not yet confirmed by us)" in content.emergency("en", "SA")
