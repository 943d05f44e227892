"""Failed sign-ins per username: after MAX_FAILURES in the window, wait (per process)."""

from __future__ import annotations

import time
from collections import deque

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class Throttle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, key: str) -> bool:
        recent = self._failures.get(key)
        if not recent:
            return False
        while recent and recent[0] < time.monotonic() - WINDOW_SECONDS:
            recent.popleft()
        return len(recent) >= MAX_FAILURES

    def failed(self, key: str) -> None:
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
