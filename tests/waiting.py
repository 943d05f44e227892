"""Waiting for a condition instead of sleeping a fixed time: as quick as the machine allows, and
a clear failure when it never comes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(
    condition: Callable[[], object], *, seconds: float = 10, every: float = 0.01, what: str = ""
) -> None:
    """Returns as soon as `condition()` is true; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or 'a condition'}")
        await asyncio.sleep(every)


async def until(
    condition: Callable[[], Awaitable[object]], *, seconds: float = 10, what: str = ""
) -> None:
    """As `eventually`, for a condition that must be awaited (a database query)."""
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or 'a condition'}")
        await asyncio.sleep(0.01)
