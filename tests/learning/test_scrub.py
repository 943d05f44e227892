"""What the scrubber removes from a message kept for editors, and what it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.learning.scrub import Scrubber, phone_free, vocabulary_of
from bot.nlu.data import load_rasa

ROOT = Path(__file__).resolve().parents[2]

# (message, personal data that must go, words that must stay)
CASES = [
    (
        "nama saya Siti Aminah, paspor sy A1234567 ditahan",
        ["Siti", "Aminah", "A1234567", "1234567"],
        ["paspor", "ditahan"],
    ),
    ("nama sy siti aminah, hp 0812-3456-7890", ["siti", "aminah", "0812", "3456", "7890"], ["hp"]),
    (
        "my name is Dewi Lestari and my employer Mr Chen Wei took my passport",
        ["Dewi", "Lestari", "Chen", "Wei"],
        ["employer", "passport"],
    ),
    (
        "sy rina, majikan sy madam wong di jalan nathan road 123 kowloon, tolong",
        ["rina", "wong", "nathan", "123"],
        ["majikan", "tolong"],
    ),
    ("alamat sy Jl. Merdeka No. 5 Indramayu, sy mau pulang", ["Merdeka", "No. 5"], ["mau pulang"]),
    (
        "call me at +852 6123 4567 or whatsapp 6281234567890",
        ["6123", "4567", "6281234567890"],
        ["call me"],
    ),
    ("email sy dewi.l@gmail.com kasus HL-7KQ2M4", ["dewi.l", "gmail", "7KQ2M4"], ["email"]),
    ("Block 123 Toa Payoh #05-12 singapore", ["123", "Toa Payoh", "05-12"], []),
    ("ini Budi dari Cilacap, KTP 3301234567890001", ["Budi", "3301234567890001"], ["dari"]),
    ("pak Hendra agen sy tdk mau kasih paspor", ["Hendra"], ["agen", "paspor"]),
    ("sy mau tanya, no paspor C 1234567 masih berlaku gk", ["1234567"], ["berlaku"]),
]


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber(vocabulary_of(e.text for e in load_rasa(ROOT / "nlu_data")))


@pytest.mark.parametrize(("text", "personal", "kept"), CASES)
def test_personal_data_goes_and_the_meaning_stays(
    scrubber: Scrubber, text: str, personal: list[str], kept: list[str]
) -> None:
    scrubbed = scrubber.scrub(text)
    for item in personal:
        assert item.lower() not in scrubbed.lower(), (item, scrubbed)
    for word in kept:
        assert word in scrubbed, (word, scrubbed)
    assert phone_free(scrubbed)


def test_money_dates_places_and_plain_questions_are_kept(scrubber: Scrubber) -> None:
    for text in (
        "gaji RM1500 blm dibayar sejak 3 bulan lalu",
        "Halo kak, cuaca di Taipei gmn?",
        "boleh gk pinjam uang 5 juta buat beli motor",
        "gaji sy HK$4,990 dipotong agen tgl 5 Januari 2025",
    ):
        assert scrubber.scrub(text) == text


def test_placeholders_name_what_was_removed(scrubber: Scrubber) -> None:
    scrubbed = scrubber.scrub("nama saya Siti Aminah, hp 0812-3456-7890, email a.b@c.com")
    assert scrubbed == "nama saya <name>, hp <phone>, email <email>"
