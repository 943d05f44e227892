from __future__ import annotations

import os
import sys

import pytest

from bot.memory import limit_arenas, release_free_memory


def _resident() -> int:
    with open(f"/proc/{os.getpid()}/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_memory_goes_back_to_the_system() -> None:
    # 40 MB in blocks of 4 kB (malloc's, not Python's small-object arenas), one in 16 kept so
    # that the heap cannot simply shrink from its top.
    blocks = [bytes(4000) + bytes([i % 256]) for i in range(10_000)]
    kept = blocks[::16]
    del blocks
    before = _resident()
    assert release_free_memory()
    assert before - _resident() > 20 * 2**20
    assert len(kept) == 625


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_the_threads_arenas_can_be_limited() -> None:
    assert limit_arenas(8)  # glibc's own default on one core
