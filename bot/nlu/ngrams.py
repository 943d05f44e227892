"""lingua's language confidence for Indonesian, Malay and English, from a compact copy of its
models.

`bot/nlu/language.py` needs lingua's statistics for the messages its word lists cannot place.
lingua-language-detector 2.1 keeps each language's n-gram models (one to five letters) in hash
maps: 48 MiB resident for these three languages once a message needs them, a third of what the
server holds. `bot/nlu/ngrams/ngrams.npz` (built by `deploy/ngrams/build.py` from the same
models) holds them in about 10 MiB: per n-gram length, the sorted 64-bit hashes of the n-grams
and, per language, an index into its table of log probabilities.

`confidence_values` follows lingua-rs 1.7's `compute_language_confidence_values` (high accuracy
mode) for a detector built from these three languages: the text lower-cased and split into
letter runs; the rules that settle a language from its unique characters or alphabet, which
for three Latin-script languages only ever rule all three out (text mostly in another script);
then for each n-gram length from 1 to 5 (only 3 from 120 letters on) each distinct n-gram of
the words scores the log probability of the longest of its prefixes the language knows, the
sums over the lengths are divided by the number of known single letters, and their
exponentials are normalised to sum to 1. tests/nlu/test_ngrams.py compares it with lingua.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

NGRAMS_FILE = Path(__file__).parent / "ngrams" / "ngrams.npz"
LANGUAGES = ("id", "ms", "en")  # the columns of the index arrays
ORDERS = (1, 2, 3, 4, 5)
_RECENT = 5_000  # n-grams whose log probabilities are kept between messages
_LONG_TEXT = 120  # letters from which lingua scores trigrams only

# lingua's TOKENS_WITHOUT_WHITESPACE and the alphabets it tells apart (in its order).
_TOKENS = (
    r"\p{Bengali}+|\p{Devanagari}+|\p{Gujarati}+|\p{Gurmukhi}+|\p{Han}|\p{Hangul}+"
    r"|\p{Hiragana}|\p{Katakana}|\p{Tamil}+|\p{Telugu}+|\p{Thai}+|\p{L}+"
)
_ALPHABETS = [
    "Arabic",
    "Armenian",
    "Bengali",
    "Cyrillic",
    "Devanagari",
    "Georgian",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hebrew",
    "Hiragana",
    "Katakana",
    "Latin",
    "Tamil",
    "Telugu",
    "Thai",
]


def ngram_hashes(ngrams: Iterable[str]) -> npt.NDArray[np.uint64]:
    """The 64-bit key of each n-gram (BLAKE2b of its UTF-8 bytes)."""
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(n.encode(), digest_size=8).digest(), "little")
            for n in ngrams
        ],
        np.uint64,
    )


class NgramModels:
    def __init__(self, path: Path = NGRAMS_FILE) -> None:
        with np.load(path) as data:
            self._keys = {n: data[f"keys{n}"] for n in ORDERS}
            self._index = {n: data[f"index{n}"] for n in ORDERS}
            self._logp = {n: [data[f"logp{n}_{lang}"] for lang in LANGUAGES] for n in ORDERS}
        import regex  # only here: the server imports this module on the first such message

        self._tokens = regex.compile(_TOKENS)
        self._recent: dict[str, list[float]] = {}
        self._alphabets = [regex.compile(rf"^\p{{{a}}}+$") for a in _ALPHABETS]

    def words(self, text: str) -> list[str]:
        found: list[str] = self._tokens.findall(text.strip().lower())
        return found

    def _latin(self, words: Sequence[str]) -> bool:
        """lingua's `filter_languages_by_rules`: whether the alphabet with the most letters
        (whole words only) is Latin, or no alphabet stands out (all three kept), or not
        (none kept)."""
        letters: dict[str, int] = {}
        for word in words:
            for name, alphabet in zip(_ALPHABETS, self._alphabets, strict=True):
                if alphabet.match(word):
                    letters[name] = letters.get(name, 0) + len(word)
                    break
        if not letters or (len(letters) > 1 and len(set(letters.values())) == 1):
            return True
        most = min(letters.items(), key=lambda item: (-item[1], _ALPHABETS.index(item[0])))
        return most[0] == "Latin"

    def _look_up(self, ngrams: Sequence[str]) -> dict[str, list[float]]:
        """The log probability of each n-gram in each language (NaN: unknown).

        The n-grams looked up lately are kept (at most `_RECENT`, about 1.2 MB): most of a
        message's n-grams are common ones, and hashing and searching for them was two fifths of
        the scoring."""
        recent = self._recent
        found: dict[str, list[float]] = {}
        by_order: dict[int, list[str]] = {}
        for ngram in ngrams:
            known = recent.get(ngram)
            if known is not None:
                found[ngram] = known
            else:
                by_order.setdefault(len(ngram), []).append(ngram)
        if len(recent) > _RECENT:
            recent.clear()
        for order, group in by_order.items():
            keys = self._keys[order]
            hashes = ngram_hashes(group)
            at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
            hit = keys[at] == hashes
            rows = self._index[order][at]
            tables = self._logp[order]
            for i, ngram in enumerate(group):
                if hit[i]:
                    found[ngram] = [float(tables[c][rows[i, c]]) for c in range(len(LANGUAGES))]
                else:
                    found[ngram] = [math.nan] * len(LANGUAGES)
                recent[ngram] = found[ngram]
        return found

    def confidence_values(self, text: str) -> dict[str, float]:
        """lingua's confidence of each language ("id", "ms", "en"), 0.0 each when it has none."""
        values = dict.fromkeys(LANGUAGES, 0.0)
        words = self.words(text)
        if not words or not self._latin(words):
            return values
        characters = sum(len(w) for w in words)
        orders = (3,) if characters >= _LONG_TEXT else ORDERS
        ngram_sets: list[tuple[int, set[str]]] = [
            (order, {w[i : i + order] for w in words for i in range(len(w) - order + 1)})
            for order in orders
            if characters >= order
        ]
        wanted = {g[:k] for _, ngrams in ngram_sets for g in ngrams for k in range(1, len(g) + 1)}
        logp = self._look_up(sorted(wanted))

        sums: list[dict[int, float]] = []  # per n-gram length: language column -> sum
        unigram_counts: dict[int, int] | None = None
        for order, ngrams in ngram_sets:
            totals = [0.0] * len(LANGUAGES)
            for ngram in ngrams:
                for c in range(len(LANGUAGES)):
                    for k in range(len(ngram), 0, -1):  # the longest known prefix
                        p = logp[ngram[:k]][c]
                        if not math.isnan(p):
                            totals[c] += p
                            break
            sums.append({c: s for c, s in enumerate(totals) if s < 0.0})
            if order == 1:
                unigram_counts = {}
                for ngram in ngrams:
                    for c in range(len(LANGUAGES)):
                        if not math.isnan(logp[ngram][c]):
                            unigram_counts[c] = unigram_counts.get(c, 0) + 1

        summed: dict[int, float] = {}
        for c in range(len(LANGUAGES)):
            total = sum(s.get(c, 0.0) for s in sums)
            if unigram_counts and c in unigram_counts:
                total /= unigram_counts[c]
            if total != 0.0:
                summed[c] = math.exp(total)
        if not summed:
            return values
        denominator = sum(summed.values())
        if denominator == 0.0:  # too long a text: the likeliest by the first length wins
            first = sums[0]
            if not first:
                return values
            values[LANGUAGES[max(first, key=lambda c: first[c])]] = 1.0
            return values
        for c, probability in summed.items():
            values[LANGUAGES[c]] = probability / denominator
        return values


@cache
def ngram_models() -> NgramModels:
    """Loaded once per process, on first use (about 10 MiB)."""
    return NgramModels()
