"""The classifier's abuse or trafficking guess on the weather or a thing sold is set aside; any
real sign of violence or trafficking keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.dialogue.danger_lookalikes import mistaken_guess

DANGER = Path(__file__).parents[2] / "bench" / "danger" / "danger.yml"


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("got hit by the rain on my day off", "abuse_violence"),
        ("the typhoon hit our building last night", "abuse_violence"),
        ("sy kehujanan pas pulang dr pasar", "abuse_violence"),
        ("kena badai di jalan", "abuse_violence"),
        ("i sold my old phone to a friend", "trafficking_scam"),
        ("majikan jual mobilnya kemarin", "trafficking_scam"),
        ("my boss is selling his car", "trafficking_scam"),
        ("sy mau beli motor bekas", "trafficking_scam"),
        ("majikan pukul 9 malam baru pulang", "abuse_violence"),  # a time, not a blow
    ],
)
def test_the_weather_or_a_thing_sold_is_no_abuse(text: str, guess: str) -> None:
    assert mistaken_guess(text, guess)


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("they sold me to another boss", "trafficking_scam"),
        ("agen jual sy ke majikan lain", "trafficking_scam"),
        ("sold my phone and my employer hit me", "abuse_violence"),
        ("kena hujan terus dipukul majikan", "abuse_violence"),
        ("the storm hit, my employer locked me outside", "abuse_violence"),
        ("majikan pukul sy", "abuse_violence"),
        ("got hit by the rain", "wages_unpaid"),  # only abuse and trafficking guesses
    ],
)
def test_real_signs_keep_the_guess(text: str, guess: str) -> None:
    assert not mistaken_guess(text, guess)


def test_no_message_in_danger_is_taken_for_a_look_alike() -> None:
    corpus = YAML(typ="safe").load(DANGER.read_text())
    texts = [item["text"] for part in corpus.values() for item in part]
    assert len(texts) > 200
    for guess in ("abuse_violence", "trafficking_scam"):
        assert [t for t in texts if mistaken_guess(t, guess)] == []
