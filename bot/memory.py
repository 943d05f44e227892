"""Giving freed memory back to the system.

glibc's allocator keeps pages that were freed for later use; after a burst of allocations that
are then dropped (building the runtime: YAML parsed, models unpickled; lingua's language models
decompressed) tens of MB stay resident for nothing. `malloc_trim` returns them.

It also gives each thread that allocates an arena of its own (up to 8 per core): the server's
threads (the NLU and language detection in `asyncio.to_thread`, aiosqlite's connections) each
kept a few MB of free memory in theirs, about 30 MB after a thousand messages. The GIL lets
one thread at a time run Python, so `limit_arenas(2)` costs no measurable time.

Elsewhere than glibc (musl, macOS) these do nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache

_M_ARENA_MAX = -8  # glibc's malloc.h


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the C library this process runs on
        libc.malloc_trim, libc.mallopt  # noqa: B018  (glibc's, or AttributeError)
    except (OSError, AttributeError):
        return None
    return libc


def _trim() -> Callable[[int], int] | None:
    libc = _libc()
    return None if libc is None else libc.malloc_trim


def limit_arenas(count: int = 2) -> bool:
    """At most `count` malloc arenas for the threads started from now on; whether it could."""
    libc = _libc()
    return libc is not None and libc.mallopt(_M_ARENA_MAX, count) == 1


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; whether it could (glibc only)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
