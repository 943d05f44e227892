"""The context helpers the policy reads: clauses, urgency, follow-ups, 'I am there', emoji."""

from __future__ import annotations

import pytest

from bot import intents
from bot.dialogue.context import (
    URGENCY,
    by_urgency,
    clauses,
    follow_up,
    names_a_problem,
    negated,
    numbered,
    says_there,
    signs,
)


def test_a_message_splits_into_its_problems() -> None:
    assert clauses("majikan sy tahan paspor, gaji jg blm dibayar 2 bln. sy di malaysia") == [
        "majikan sy tahan paspor",
        "gaji jg blm dibayar 2 bln",
        "sy di malaysia",
    ]
    assert clauses("my agent took my passport and I work 18 hours a day without a day off") == [
        "my agent took my passport",
        "I work 18 hours a day without a day off",
    ]
    assert clauses("sy mau pulang tp gaji blm dibayar, sy di arab") == [
        "sy mau pulang",
        "gaji blm dibayar",
        "sy di arab",
    ]
    assert clauses("gaji blm dibayar") == ["gaji blm dibayar"]


def test_urgency_is_data_over_every_rights_intent() -> None:
    assert sorted(URGENCY) == sorted(intents.RIGHTS)
    assert by_urgency(["wages_unpaid", "document_withheld", "wages_unpaid"]) == [
        "document_withheld",
        "wages_unpaid",
    ]
    assert by_urgency(["repatriation", "abuse_violence", "greet"]) == [
        "abuse_violence",
        "repatriation",
    ]


@pytest.mark.parametrize(
    "text",
    ["terus gmn?", "trus aku hrs gmn", "what can I do about it?", "then what?", "lalu gimana"],
)
def test_follow_ups(text: str) -> None:
    assert follow_up(text)


@pytest.mark.parametrize(
    "text",
    ["cuaca di hongkong bsk gmn?", "gaji gmn?", "what is the minimum wage?", "terus paspor sy?"],
)
def test_other_questions_are_not_follow_ups(text: str) -> None:
    assert not follow_up(text)


def test_saying_they_are_there() -> None:
    assert says_there("sy di ") and says_there("kerja di ") and says_there("I work in ")
    assert not says_there("cuaca di ") and not says_there("")
    assert says_there("sy skrg udh pindah kerja ke ") and says_there("sy bmi ")
    assert says_there("aku kerjo nang ") and not says_there("di ")  # "di hongkong belanja..."


def test_a_country_named_as_the_wrong_one() -> None:
    # "sorry i mean singapore not hong kong", "bukan di hk tapi singapura", "instead of taiwan"
    assert negated("sorry i mean singapore not ") and negated("eh bukan di ")
    assert negated("sy di singapura, bkn ") and negated("i said malaysia instead of ")
    assert not negated("sorry i mean ") and not negated("sy di ") and not negated("")
    # "no" is often "nomor" ("no kbri hk brp"): never read as a negation.
    assert not negated("no kbri ")


@pytest.mark.parametrize(
    "before",
    [
        "where can i buy food from ",  # a thing from there
        "i heard ",  # news about a place
        "sy pulang nanti transit ",  # passing through
        "adik sy dulu kerja di ",  # someone else, and once
        "temen sy di ",
        "my friend in ",
        "sy dulu kerja di ",  # once, not now
        "sy di malaysia, adik sy kerja di ",  # the worker's own place was the first one
    ],
)
def test_a_place_in_passing_is_not_where_they_are(before: str) -> None:
    assert not says_there(before)


def test_thumbs_up_and_thanks() -> None:
    assert signs("👍") == "yes" and signs("ok 👍") == "yes" and signs("👍🏽") == "yes"
    assert signs("🙏") == "thanks"
    assert signs("hi") is None and signs("") is None and signs("👍 gaji sy?") is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "kak mau tanya 2 hal. 1 paspor sy ditahan agen. 2 sy blm digaji",
            ["kak mau tanya 2 hal", "paspor sy ditahan agen", "sy blm digaji"],
        ),
        ("1. paspor sy ditahan\n2. gaji blm dibayar", ["paspor sy ditahan", "gaji blm dibayar"]),
        ("1) my passport is held 2) no salary", ["my passport is held", "no salary"]),
    ],
)
def test_a_numbered_list_splits_at_its_points(text: str, parts: list[str]) -> None:
    assert numbered(text) and clauses(text) == parts


@pytest.mark.parametrize(
    "text",
    ["2 bulan gaji blm dibayar, 3 hari gk makan", "sy kerja 1 tahun, 2 bulan gaji blm dibayar"],
)
def test_counts_are_no_list(text: str) -> None:
    assert not numbered(text)


def test_a_part_names_a_problem_by_its_words() -> None:
    assert names_a_problem("di taiwan gk dapet libur") and names_a_problem("no salary")
    assert not names_a_problem("tidak boleh") and not names_a_problem("sy di taiwan")
