"""bot/nlu/ngrams.py gives lingua's confidence values (lingua-language-detector, a dev
dependency, built from Indonesian, Malay and English) from its compact copy of the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from lingua import Language, LanguageDetectorBuilder

from bot.nlu.ngrams import NgramModels, ngram_models

ROOT = Path(__file__).resolve().parent.parent.parent
CODES = {Language.INDONESIAN: "id", Language.MALAY: "ms", Language.ENGLISH: "en"}

TEXTS = [
    "saya tidak tahu what to do",
    "my employer keeps my passport",
    "majikan sy tdk bayar gaji 3 bln",
    "boleh saya balik kampung sekarang",  # Malay
    "kak mau tanya",
    "Straße über café naïve ÉCOLE",  # letters none of the three uses
    "Привет как дела",  # Cyrillic: none of the three
    "Привет как дела saya",  # mostly Cyrillic
    "你好 hello there",  # Han letters one at a time
    "abc漢ひ test kata",
    "مرحبا saya",
    "ok",
    "q",
    "",
    "123 456 !!!",
    "🙏🙏 tolong",
    "a" * 300,  # 120 letters or more: trigrams only
    "saya " * 40 + "tidak",
    "the quick brown fox jumps over the lazy dog " * 4,
    "ﬁs øs ßa ïf ın",
    "x y z",
]


@pytest.fixture(scope="module")
def lingua_values():  # type: ignore[no-untyped-def]
    detector = LanguageDetectorBuilder.from_languages(*CODES).build()

    def values(text: str) -> dict[str, float]:
        found = dict.fromkeys(CODES.values(), 0.0)
        for v in detector.compute_language_confidence_values(text):
            found[CODES[v.language]] = v.value
        return found

    return values


def _heldout() -> list[str]:
    from bot.nlu.data import load_rasa

    return [
        e.text for lang in ("id", "en") for e in load_rasa(ROOT / "bench/heldout" / f"{lang}.yml")
    ]


@pytest.mark.parametrize("text", TEXTS)
def test_same_values_as_lingua(text: str, lingua_values) -> None:  # type: ignore[no-untyped-def]
    ours = ngram_models().confidence_values(text)
    theirs = lingua_values(text)
    assert ours.keys() == theirs.keys()
    for code in ours:  # the same up to the order of adding (lingua adds in hash set order)
        assert ours[code] == pytest.approx(theirs[code], abs=1e-12), code


def test_same_values_as_lingua_on_the_heldout_messages(lingua_values) -> None:  # type: ignore[no-untyped-def]
    models = ngram_models()
    texts = _heldout()
    assert len(texts) > 500
    differ = [
        t
        for t in texts
        if any(
            abs(a - b) > 1e-12
            for a, b in zip(
                models.confidence_values(t).values(), lingua_values(t).values(), strict=True
            )
        )
    ]
    assert differ == []


def test_words_are_lingua_letter_runs() -> None:
    models = ngram_models()
    assert models.words("  Saya, TIDAK-tahu 123 ok!") == ["saya", "tidak", "tahu", "ok"]
    assert models.words("你好abc") == ["你", "好", "abc"]


def test_known_and_unknown_ngrams() -> None:
    models = NgramModels()
    known = models._look_up(["the", "yang", "zzzzq"])
    assert known["the"][2] < 0.0 and known["yang"][0] < 0.0  # en knows "the", id "yang"
    assert all(v != v for v in known["zzzzq"])  # NaN: no language knows it
    size = sum(a.nbytes for d in (models._keys, models._index) for a in d.values())
    assert size < 12 * 2**20  # lingua's hash maps: 48 MiB


def test_a_message_scores_the_same_when_its_ngrams_were_seen_before() -> None:
    models = NgramModels()
    texts = ["gaji saya belum dibayar tiga bulan", "majikan ambil paspor saya", "gaji belum"]
    fresh = [NgramModels().confidence_values(t) for t in texts]
    assert [models.confidence_values(t) for t in texts] == fresh
    assert [models.confidence_values(t) for t in texts] == fresh  # all from what was kept
    assert models._recent  # noqa: SLF001 - kept between messages
