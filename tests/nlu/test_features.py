"""The sparse features cost time and memory linear in the length of a message."""

from __future__ import annotations

from bot.nlu.features import PAIR_WINDOW, char_wb_ngrams, concept_features, word_pairs

WORDS = 1000


def _long(words: list[str]) -> str:
    return " ".join(words[i % len(words)] for i in range(WORDS))


def test_word_pairs_are_taken_within_a_window() -> None:
    assert word_pairs("gaji belum dibayar") == ["gaji|belum", "gaji|dibayar", "belum|dibayar"]
    # Every pair of a 1,000-word message would be half a million; near pairs stay linear.
    pairs = word_pairs(_long(["gaji", "saya", "belum", "dibayar", "majikan", "paspor"]))
    assert len(pairs) <= PAIR_WINDOW * WORDS


def test_concept_pairs_are_taken_within_a_window() -> None:
    found = concept_features(_long(["gaji", "paspor", "majikan", "agen", "pulang"]))
    assert 0 < len(found) <= (PAIR_WINDOW + 1) * WORDS


def test_character_ngrams_grow_with_the_text() -> None:
    short, long = char_wb_ngrams("dibayar " * 10, 2, 5), char_wb_ngrams("dibayar " * 1000, 2, 5)
    assert len(long) == 100 * len(short)
