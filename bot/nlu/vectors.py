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

The table is read the way model2vec's `StaticModel.encode` reads it (the same word pieces,
unknown pieces dropped, the same float16 mean and normalisation, so the same vectors), but
without model2vec at run time: the float16 table is memory-mapped from the safetensors file
(15 MB shared with the page cache, only the rows of words actually seen become resident) and
the tokenizer is loaded once with the truncation model2vec would set on each call.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

VECTORS_DIR = Path(__file__).parent / "vectors"
_DTYPES = {"F16": np.float16, "F32": np.float32}


def _table(path: Path, name: str = "embeddings") -> npt.NDArray[np.floating]:
    """One tensor of a safetensors file, memory-mapped read-only (8-byte header length, JSON
    header with dtype, shape and offsets, then the raw little-endian data)."""
    with path.open("rb") as f:
        (header_size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_size))
    tensor = header[name]
    start, _ = tensor["data_offsets"]
    mapped = np.memmap(
        path,
        dtype=np.dtype(_DTYPES[tensor["dtype"]]).newbyteorder("<"),
        mode="r",
        offset=8 + header_size + start,
        shape=tuple(tensor["shape"]),
    )
    return np.asarray(mapped)


class SentenceVectors:
    def __init__(self, path: Path = VECTORS_DIR) -> None:
        config = json.loads((path / "config.json").read_text())
        self._table = _table(path / "model.safetensors")
        self.size = int(self._table.shape[1])
        self._normalize = bool(config.get("normalize", True))
        self._max_length = int(config.get("max_length", 512))
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self._max_length)
        self._tokenizer = tokenizer  # not changed after this: safe to share between threads
        unk = getattr(tokenizer.model, "unk_token", None)
        self._unk = tokenizer.token_to_id(unk) if unk is not None else None

    @cached_property
    def _max_chars(self) -> int:
        """model2vec cuts a text to max_length times the median word piece's length first."""
        vocabulary = self._tokenizer.get_vocab()
        return self._max_length * int(np.median([len(t) for t in vocabulary]))

    def _pieces(self, text: str) -> list[int]:
        if len(text) > self._max_length:  # only then can the cut matter (pieces >= 1 char)
            text = text[: self._max_chars]
        ids: list[int] = self._tokenizer.encode(text, add_special_tokens=False).ids
        return [i for i in ids if i != self._unk]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit-length row per text (all zeros for a text with no known word piece)."""
        out = np.zeros((len(texts), self.size), self._table.dtype)
        for row, text in enumerate(texts):
            ids = self._pieces(text)
            if ids:
                out[row] = self._table[np.array([ids])].mean(axis=1)[0]
        if self._normalize:
            out32 = out.astype(np.float32)
            norm = np.linalg.norm(out32, axis=1, keepdims=True) + 1e-32
            out = (out32 / norm).astype(out.dtype)
        return out.astype(np.float32)

    def one(self, text: str) -> npt.NDArray[np.float32]:
        row: npt.NDArray[np.float32] = self.encode([text])[0]
        return row


@cache
def sentence_vectors() -> SentenceVectors:
    """The shipped table, loaded once per process (memory-mapped, 15 MB)."""
    return SentenceVectors()
