"""Giving freed memory back to the system.

glibc's allocator keeps pages that were freed for later use; after a burst of allocations that
are then dropped (building the runtime: YAML parsed, models unpickled; lingua's language models
decompressed) tens of MB stay resident for nothing. `malloc_trim` returns them. Elsewhere than
glibc (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache


@cache
def _trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the C library loaded
    except (OSError, AttributeError):
        return None
    return trim


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; whether it could (glibc only)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
