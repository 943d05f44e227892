"""Sparse text features: word n-grams, character n-grams within words, and word pairs.

Every feature here costs time linear in the length of the text: pairs are taken within a
window of words, never across the whole message (all pairs of a 1 MB message would not fit
in memory).

Fitting uses scikit-learn's TfidfVectorizer; transforming one message uses the fitted vocabulary
directly (a few dict look-ups), which is several times faster than `vectorizer.transform`.
scikit-learn and SciPy are imported only to fit or to build a matrix: a process that loads a
trained model and parses messages never imports them (a second of start-up and 70 MB).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.nlu.lexicon import concept

if TYPE_CHECKING:
    import scipy.sparse as sp

Analyzer = Callable[[str], list[str]]

# Word pairs are taken within this many words of each other. Nineteen in twenty training
# examples have at most ten words, so for them this is every pair, as before.
PAIR_WINDOW = 10


def _words(text: str) -> list[str]:
    return [t for t in text.split() if t[0].isalnum()]


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    words = _words(text)
    return [
        " ".join(words[i : i + n]) for n in range(low, high + 1) for i in range(len(words) - n + 1)
    ]


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    grams: list[str] = []
    for word in _words(text):
        padded = f" {word} "
        for n in range(low, min(high, len(padded)) + 1):
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def word_pairs(text: str) -> list[str]:
    """Ordered pairs of words near each other: a cheap stand-in for word interactions."""
    return _pairs(_words(text))


def _pairs(items: Sequence[str], *, distinct: bool = False) -> list[str]:
    """Each item with the next PAIR_WINDOW items after it: at most PAIR_WINDOW per item."""
    return [
        f"{a}|{b}"
        for i, a in enumerate(items)
        for b in items[i + 1 : i + 1 + PAIR_WINDOW]
        if not distinct or a != b
    ]


@dataclass(frozen=True, slots=True)
class BlockSpec:
    analyzer: Analyzer
    weight: float
    min_df: int


def default_blocks() -> tuple[BlockSpec, ...]:
    return (
        BlockSpec(partial(word_ngrams, low=1, high=2), weight=0.7, min_df=1),
        BlockSpec(partial(char_wb_ngrams, low=2, high=5), weight=1.0, min_df=2),
        BlockSpec(word_pairs, weight=0.7, min_df=2),
        BlockSpec(concept_features, weight=0.5, min_df=1),
    )


class Vector(NamedTuple):
    indices: npt.NDArray[np.intp]
    values: npt.NDArray[np.float64]
    known: float  # the largest share of one block's n-grams found in the vocabulary


@dataclass(frozen=True, slots=True)
class _Block:
    analyzer: Analyzer
    vocabulary: dict[str, int]
    idf: list[float]  # a list: indexing it is faster than indexing an array
    weight: float
    offset: int


class Featurizer:
    """Sublinear TF-IDF per block, each block L2-normalised and weighted, blocks side by side."""

    def __init__(self, blocks: Sequence[_Block], size: int) -> None:
        self._blocks = tuple(blocks)
        self.size = size

    @classmethod
    def fit(
        cls, texts: Sequence[str], specs: Sequence[BlockSpec]
    ) -> tuple[Featurizer, sp.csr_matrix]:
        """Fit on normalised texts; return the featurizer and the training matrix."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks: list[_Block] = []
        matrices: list[sp.csr_matrix] = []
        offset = 0
        for spec in specs:
            min_df = spec.min_df if len(texts) >= 10 * spec.min_df else 1
            vec = TfidfVectorizer(analyzer=spec.analyzer, sublinear_tf=True, min_df=min_df)
            matrices.append(vec.fit_transform(texts) * spec.weight)
            vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
            idf = [float(x) for x in vec.idf_]
            blocks.append(_Block(spec.analyzer, vocab, idf, spec.weight, offset))
            offset += len(vocab)
        return cls(blocks, offset), sp.hstack(matrices, format="csr")

    def vector(self, text: str) -> Vector:
        """One normalised text's non-zero features, and how much of it the vocabulary knows."""
        indices: list[int] = []
        values: list[float] = []
        known = 0.0
        for block in self._blocks:
            vocabulary = block.vocabulary
            counts: dict[int, int] = {}
            grams = block.analyzer(text)
            for gram in grams:
                i = vocabulary.get(gram)
                if i is not None:
                    counts[i] = counts.get(i, 0) + 1
            if not counts:
                continue
            known = max(known, sum(counts.values()) / len(grams))
            idf = block.idf
            vals = [(1.0 + math.log(c)) * idf[i] if c > 1 else idf[i] for i, c in counts.items()]
            scale = block.weight / math.sqrt(sum(v * v for v in vals))
            offset = block.offset
            indices.extend(offset + i for i in counts)
            values.extend(v * scale for v in vals)
        return Vector(
            np.fromiter(indices, np.intp, len(indices)),
            np.fromiter(values, np.float64, len(values)),
            known,
        )

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        import scipy.sparse as sp

        rows = [self.vector(t)[:2] for t in texts]
        indptr = np.cumsum([0] + [len(r[0]) for r in rows])
        indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, np.intp)
        data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
        return sp.csr_matrix((data, indices, indptr), shape=(len(texts), self.size))


def concept_features(text: str) -> list[str]:
    """Bilingual concepts of the words (lexicon.py), alone and in pairs."""
    found = [c for c in (concept(w) for w in _words(text)) if c is not None]
    return found + _pairs(found, distinct=True)
