from __future__ import annotations

import pytest

from bot.dialogue.commands import Command, language_asked, parse_command, requested_language
from bot.dialogue.danger import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Command("number", "1")),
        (" 2. ", Command("number", "2")),
        ("no 3", Command("number", "3")),
        ("/intent:wages_unpaid", Command("intent", "wages_unpaid")),
        ("/country:TW", Command("country", "TW")),
        ("/menu", Command("menu", "")),
        ("/start", Command("menu", "")),
        ("12345", None),
        ("gaji 3 bulan", None),
    ],
)
def test_parse_command(text: str, expected: Command | None) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("english please", "id", "en"),
        ("pakai bahasa indonesia", "en", "id"),
        ("ganti dari indonesia ke inggris", "id", "en"),
        ("can you speak indonesian", "en", "id"),
        ("bhs inggris aja", "id", "en"),
        ("ganti bahasa", "id", "en"),
        ("change language", "en", "id"),
    ],
)
def test_requested_language(text: str, current: str, expected: str) -> None:
    assert requested_language(text, current) == expected


@pytest.mark.parametrize(
    "text",
    [
        "tolong sy dikunci skrg",
        "he is hitting me",
        "saya mau mati aja",
        "i want to kill myself",
        "SOS",
        "darurat",
    ],
)
def test_danger_signs(text: str) -> None:
    assert detect(text, None) is not None


@pytest.mark.parametrize(
    "text", ["majikan pukul saya kemarin", "gaji blm dibayar", "passport kept by agent"]
)
def test_no_danger(text: str) -> None:
    assert detect(text, None) is None


def test_abuse_happening_now_is_danger() -> None:
    assert detect("majikan masih pukul saya", "abuse_violence") is not None
    assert detect("majikan masih pukul saya", "wages_unpaid") is None


@pytest.mark.parametrize(
    "text",
    [
        "hapus chat",
        "Hapus chat ini",
        "hapus percakapan",
        "hapus pesan2 ini",
        "tolong hapus semua chat sy dong",
        "delete this chat",
        "delete the messages",
        "clear chat",
        "Clear chat!",
    ],
)
def test_delete_this_chat_is_a_command(text: str) -> None:
    assert parse_command(text) == Command("intent", "delete_chat")


@pytest.mark.parametrize(
    "text", ["hapus data saya", "hapus", "delete my data", "hapus chat, majikan marah terus"]
)
def test_other_deleting_is_left_to_the_classifier(text: str) -> None:
    assert parse_command(text) is None


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [("/lang:en", "id", "en"), ("/lang:id", "en", "id"), ("english please", "id", "en")],
)
def test_language_asked_by_command_or_words(text: str, current: str, expected: str) -> None:
    assert language_asked(text, current) == expected
