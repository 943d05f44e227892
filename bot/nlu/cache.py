"""Trained models on disk, keyed by a hash of the training data and of the code that trains.

A fresh clone trains on first start; later starts load the pickle. Any change to the data,
to the feature or classifier code, or to scikit-learn/numpy gives a new key. `files_key` keys
on the training files' bytes, so that a start finds the model without parsing the YAML (or
importing scikit-learn: its version is read from the installed package's metadata).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

from bot.nlu.data import Example, training_files

T = TypeVar("T")

_CODE_FILES = (
    "normalize.py",
    "features.py",
    "classifier.py",
    "vectors.py",
    "cache.py",
    "vectors/model.safetensors",
)
PREFIX = "intents-"


@cache
def code_version() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256(f"{version('scikit-learn')}|{version('numpy')}".encode())
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def data_key(examples: Sequence[Example], extra: str = "") -> str:
    digest = hashlib.sha256(f"{code_version()}|{extra}".encode())
    for e in examples:
        digest.update(f"{e.intent}\t{e.language}\t{e.text}\n".encode())
    return digest.hexdigest()[:24]


def files_key(data_dir: Path, extra: str = "") -> str:
    """A key from every training file's path (it gives the language) and bytes, and the code."""
    digest = hashlib.sha256(f"{code_version()}|{extra}|files".encode())
    for path in training_files(data_dir):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(data_dir).as_posix()}\t{len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()[:24]


def load(cache_dir: Path, key: str, kind: type[T]) -> T | None:
    """The object cached under `key`, or None if absent, unreadable or of another kind.

    The cache directory is the application's own: pickles are only ever loaded from there.
    """
    path = cache_dir / f"{PREFIX}{key}.pkl"
    try:
        with path.open("rb") as f:
            obj = pickle.load(f)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None  # unreadable, or pickled by older code: the caller retrains
    return obj if isinstance(obj, kind) else None


def save(cache_dir: Path, key: str, obj: object) -> Path:
    """Write atomically under `key` and remove older entries."""
    path = cache_dir / f"{PREFIX}{key}.pkl"
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".pkl")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in cache_dir.glob(f"{PREFIX}*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
    return path
