"""Whole conversations through the real engine: trained NLU, real content, real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.messages import Inbound, Reply
from bot.nlu.types import NluBackend
from bot.runtime import Runtime, build
from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import TEST_KEY

Say = Callable[[str], Awaitable[list[Reply]]]


@pytest.fixture
async def runtime(
    database_url: str,
    tmp_path: Path,
    trained_nlu: tuple[NluBackend, float],
    cached_content: None,  # from tests/conftest.py: the content is read once per run
) -> AsyncIterator[Runtime]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        content_dir=PROJECT_ROOT,
        encryption_keys=TEST_KEY,
    )
    rt = await build(settings, nlu=trained_nlu)
    yield rt
    await rt.close()


@pytest.fixture
def worker(runtime: Runtime) -> Callable[[str], Say]:
    """worker("ani") gives a say() that sends Ani's messages and returns the bot's replies."""

    def for_user(user: str, channel: str = "web") -> Say:
        counter = iter(range(1_000_000))

        async def say(text: str) -> list[Reply]:
            message_id = f"{user}-{next(counter)}"
            return await runtime.engine.handle(
                Inbound(channel, user, text, channel_message_id=message_id)
            )

        return say

    return for_user


def joined(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)
