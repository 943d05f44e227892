from __future__ import annotations

import pytest

from bot.nlu.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "gaji sy blm dibayar 3 bln",
        "majikan gk kasih libur",
        "tolong kak paspor sy ditahan agen",
        "sy mau pulang tp gk boleh sama majikan",
        "gmn cara lapor ke kbri",
        "makasih",
        "sy",
        "saya ingin melaporkan majikan saya",
        # Malay-flavoured Indonesian, as written by workers in Malaysia
        "majikan saya tak nak bayar gaji dah tiga bulan",
        "boleh saya tahu macam mana nak balik kampung",
        "saya nak balik sebab majikan garang sangat",
        # English words sprinkled into Indonesian
        "my majikan tidak bayar salary sy",
    ],
)
def test_indonesian(text: str) -> None:
    assert detect_language(text) == "id"


@pytest.mark.parametrize(
    "text",
    [
        "my employer did not pay my salary for three months",
        "the agency is keeping my passport",
        "how can I go home safely",
        "I want to talk to a real person",
        "where is the embassy in kuala lumpur",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    ["ok", "1", "hi", "123 456", "🙏🙏", "", "   ", "?", "thanks", "HK", "xq zz", "asdf qwer"],
)
def test_unsure(text: str) -> None:
    assert detect_language(text) is None
