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
without model2vec at run time: the rows of the float16 table are read from the safetensors
file as messages need them (15 MB on disk, in the page cache, not in the process) and the
tokenizer is loaded once with the truncation model2vec would set on each call.
"""

from __future__ import annotations

import json
import os
import struct
import weakref
from collections.abc import Sequence
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

VECTORS_DIR = Path(__file__).parent / "vectors"
_DTYPES = {"F16": np.float16, "F32": np.float32}


class _Table:
    """One float16 tensor of a safetensors file (8-byte header length, JSON header with dtype,
    shape and offsets, then the raw little-endian data), its rows read from the file when a
    message needs them (`os.pread`, thread-safe) rather than memory-mapped: reading a row of a
    mapping also maps the 64 KiB around it (the kernel's fault-around), so after a thousand
    messages 13 of the 15 MB counted as the server's resident memory; read, only the rows
    needed are copied (the file's pages stay in the kernel's page cache, shared and
    reclaimable, as they were when mapped)."""

    def __init__(self, path: Path, name: str = "embeddings") -> None:
        with path.open("rb") as f:
            (header_size,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(header_size))
        tensor = header[name]
        start, _ = tensor["data_offsets"]
        self.dtype = np.dtype(_DTYPES[tensor["dtype"]]).newbyteorder("<")
        self.shape: tuple[int, int] = tuple(tensor["shape"])
        self._row_bytes = self.shape[1] * self.dtype.itemsize
        self._offset = 8 + header_size + start
        self._fd = os.open(path, os.O_RDONLY)
        self._finalizer = weakref.finalize(self, os.close, self._fd)

    def rows(self, ids: Sequence[int]) -> npt.NDArray[np.floating]:
        """The rows of `ids`, in that order (shape len(ids) x columns)."""
        size, offset = self._row_bytes, self._offset
        data = b"".join(os.pread(self._fd, size, offset + i * size) for i in ids)
        return np.frombuffer(data, self.dtype).reshape(len(ids), self.shape[1])


class SentenceVectors:
    def __init__(self, path: Path = VECTORS_DIR) -> None:
        config = json.loads((path / "config.json").read_text())
        self._table = _Table(path / "model.safetensors")
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
                out[row] = self._table.rows(ids)[np.newaxis].mean(axis=1)[0]
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
    """The shipped table, opened once per process (rows read on demand, 15 MB on disk)."""
    return SentenceVectors()
