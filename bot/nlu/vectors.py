"""Sentence vectors from static word-piece vectors, for the classifier's second view of a message.

The table in `bot/nlu/vectors/` was distilled by model2vec from the sentence transformer
all-mpnet-base-v2 (`deploy/vectors/distill.sh` rebuilds it): each word piece has the vector
the transformer gives it alone, reduced to 256 dimensions, and a message is the mean of its
pieces. That keeps some of what the transformer knows (that "salary" and "wages" are near,
that a recipe is far from every intent) at the cost of a table look-up, under a tenth of a
millisecond, where the transformer itself takes over 10 ms a message on this CPU.

The vectors are English-trained; Indonesian words split into pieces that carry less meaning,
which the classifier learns from the training data (the word and character features carry
Indonesian).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from model2vec import StaticModel

VECTORS_DIR = Path(__file__).parent / "vectors"


class SentenceVectors:
    def __init__(self, path: Path = VECTORS_DIR) -> None:
        self._model = StaticModel.from_pretrained(str(path), normalize=True)
        self.size = int(self._model.dim)
        # Messages are understood in threads, and model2vec sets the tokenizer's truncation
        # on every call: one call at a time (a table look-up, a tenth of a millisecond).
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit-length row per text (all zeros for a text with no known word piece)."""
        if not texts:
            return np.zeros((0, self.size), np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), show_progress_bar=False, use_multiprocessing=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def one(self, text: str) -> npt.NDArray[np.float32]:
        row: npt.NDArray[np.float32] = self.encode([text])[0]
        return row


@cache
def sentence_vectors() -> SentenceVectors:
    """The shipped table, loaded once per process (about 15 MB)."""
    return SentenceVectors()
