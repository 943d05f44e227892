"""Informal Indonesian, Malay and Javanese spellings: normalised, then understood."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import normalize
from bot.nlu.types import NluBackend


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("majikan tak bagi gaji, sy kat Malaysia", "majikan tidak bagi gaji , saya di malaysia"),
        ("piye iki? wis 3 bln ora dibayar", "bagaimana iki ? sudah 3 bulan tidak dibayar"),
        ("aq gatau nak buat apa", "saya tidak tahu mau buat apa"),
        ("padam maklumat sy", "hapus informasi saya"),
        ("mksih, durung mulih", "terima kasih , belum pulang"),
        ("gabisa ganti bhs", "tidak bisa ganti bahasa"),
        ("aku kulo gw", "saya saya saya"),
    ],
)
def test_normalizes_informal_malay_and_javanese_forms(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("i can\u2019t go out", "i cannot go out"),
        ("my employer's wife won't pay", "my employer wife will not pay"),
        ("it's late, they're not paying", "it is late , they are not paying"),
        ("employer hasnt paid, i'm sick", "employer has not paid , i am sick"),
        ("i've been ill", "i have been ill"),
    ],
)
def test_spells_out_english_contractions(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("bos kat kilang tak bayar gaji sy dah dua bulan", "wages_unpaid"),
        ("gajiku durung dibayar wis telung sasi", "wages_unpaid"),
        ("tolong padamkan data peribadi sy", "delete_my_data"),
        ("majikan ambik paspot sy tak bagi balik", "document_withheld"),
        ("piye carane mulih, kontrak wis entek", "repatriation"),
    ],
)
async def test_understands_malay_and_javanese_forms(
    trained_nlu: tuple[NluBackend, float], text: str, intent: str
) -> None:
    nlu, _ = trained_nlu
    assert (await nlu.parse(text)).intent.name == intent
