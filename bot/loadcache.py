"""What a start reads from YAML, kept parsed and checked between starts (as the NLU's model
cache keeps the trained model): the content, the complaint flows, the case desk's directory
and the NLU's vocabulary.

An entry is keyed on the bytes of every file it was read from (and their paths), the checkout
it was read in, the application's code (every bot/**/*.py) and the versions of the libraries
that parse, check and render it. Any change, an editor's publication from the dashboard
included, gives a new key: the files are read and checked as before, with the same errors, and
only what loaded without error is stored. The key is taken again after reading: files that
changed meanwhile are not stored under the old bytes' key.

Entries are pickles in the application's own data directory (`HELPLINE_DATA_DIR/cache`), as
the models are; one entry of each kind is kept.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

PACKAGE = Path(__file__).resolve().parent  # bot/
# What turns the files into the cached objects, beside the application's own code.
LIBRARIES = ("ruamel.yaml", "jsonschema", "referencing", "jinja2", "markupsafe", "babel")
FORMAT = "1"  # of the entries themselves


@cache
def code_version() -> str:
    """The application's code and the libraries' versions: a change to either is a new key."""
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"|{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"|{name}=-".encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        content = path.read_bytes()
        digest.update(f"\n{path.relative_to(PACKAGE).as_posix()}\t{len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def files_key(kind: str, base: Path, files: Iterable[Path]) -> str:
    """A key from the files' paths (relative to `base`) and bytes, `base` itself and the code.

    A file that cannot be read counts as absent: the loader will report it, and what fails
    to load is never stored."""
    digest = hashlib.sha256(f"{code_version()}|{kind}|{base.resolve()}".encode())
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:
            content = b""
            digest.update(b"\0unreadable")
        digest.update(f"\n{path.relative_to(base).as_posix()}\t{len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()[:32]


def tree(directory: Path) -> list[Path]:
    """Every file under `directory`, sorted (none if it does not exist)."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def cached(
    cache_dir: Path | None,
    kind: str,
    base: Path,
    files: Callable[[], Iterable[Path]],
    load: Callable[[], T],
    expected: type[T],
) -> T:
    """What `load()` returns for the `files()` under `base`, from the cache when they have not
    changed since it was stored. `load` raising (an error in the files) stores nothing.

    Without a cache directory, `load()` alone."""
    if cache_dir is None:
        return load()
    key = files_key(kind, base, files())
    found = _read(cache_dir / f"{kind}-{key}.pkl", expected)
    if found is not None:
        return found
    value = load()
    if files_key(kind, base, files()) == key:  # else the files changed while being read
        _write(cache_dir, kind, key, value)
    return value


def _read(path: Path, expected: type[T]) -> T | None:
    """The entry, or None if absent, unreadable or of another kind.

    The cache directory is the application's own: pickles are only ever loaded from there."""
    try:
        with path.open("rb") as f:
            value = pickle.load(f)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None  # unreadable, or written by other code: read the files again
    return value if isinstance(value, expected) else None


def _write(cache_dir: Path, kind: str, key: str, value: object) -> None:
    """Written beside, renamed into place; older entries of the kind removed. A data directory
    that cannot be written leaves the cache empty: every start reads the files."""
    path = cache_dir / f"{kind}-{key}.pkl"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{kind}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        return
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    for old in cache_dir.glob(f"{kind}-*.pkl"):
        if old != path:
            old.unlink(missing_ok=True)
