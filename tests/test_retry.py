"""A message whose processing fails is retried with backoff without a restart; one that keeps
failing is parked (the worker told, a person takes over) and never blocks what comes after;
a lost database connection is retried within seconds and never held against the message."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.nlu.types import NluResult
from bot.storage.models import Case, Message, StaffNotification
from tests.channels.fixtures import *  # noqa: F403
from tests.channels.fixtures import Clock, Helpline
from tests.channels.stubs import TelegramStub
from tests.fakes import ScriptedNlu, add_officer

CHAT = 61001


class FailingNlu(ScriptedNlu):
    """Fails where a real backend could: "goyah" the first two times, "racun" always."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()
        self.before_parse: list[object] = []

    async def parse(self, text: str) -> NluResult:
        self.seen[text] += 1
        if "racun" in text or ("goyah" in text and self.seen[text] <= 2):
            raise RuntimeError("the classifier broke")
        for hook in self.before_parse:
            await hook()  # type: ignore[operator]
        return await super().parse(text)


@pytest.fixture
def nlu() -> FailingNlu:
    return FailingNlu()


async def _inbound(helpline: Helpline) -> list[Message]:
    return await helpline.inbound()


async def test_a_failed_message_is_retried_with_backoff_and_answered(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, nlu: FailingNlu
) -> None:
    await helpline.telegram(telegram_stub.text_update(CHAT, "goyah halo"))
    await helpline.settle()
    [message] = await _inbound(helpline)
    assert (message.status, message.attempts) == ("received", 1)
    assert len(telegram_stub.sent) == 0
    # Not before its time comes (2 s, give or take the jitter) ...
    assert await helpline.channels.retrier.run_once() == 0
    clock.advance(seconds=3)
    assert await helpline.channels.retrier.run_once() == 1  # fails again: 4 s more
    clock.advance(seconds=5)
    assert await helpline.channels.retrier.run_once() == 1
    await helpline.settle()
    [message] = await _inbound(helpline)
    assert (message.status, message.attempts) == ("processed", 3)
    assert len(telegram_stub.sent) == 2  # the greeting and the menu


async def test_a_message_that_keeps_failing_is_parked_and_a_person_takes_over(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    async with helpline.engine.sessions.begin() as session:
        officer = await add_officer(session)
        officer.on_duty = True
    await helpline.telegram(telegram_stub.text_update(CHAT, "racun"))
    await helpline.settle()
    for _ in range(6):
        clock.advance(seconds=61)
        await helpline.channels.retrier.run_once()
    await helpline.settle()
    [message] = await _inbound(helpline)
    assert (message.status, message.attempts, message.error) == ("parked", 5, "RuntimeError")
    texts = [s["text"] for s in telegram_stub.sent.items]
    assert len(texts) == 2 and texts[0].startswith("Maaf, pesan terakhir Anda belum bisa")
    async with helpline.engine.sessions() as session:
        case = await session.scalar(select(Case))
        notices = (await session.scalars(select(StaffNotification))).all()
    assert case is not None and case.reference in texts[1]
    assert [(n.staff_id, n.kind) for n in notices] == [(officer.id, "unanswered")]
    # The worker's next message is answered as usual: nothing waits behind the parked one.
    await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
    await helpline.settle()
    assert len(telegram_stub.sent) == 4
    assert await helpline.channels.retrier.run_once() == 0


async def test_a_message_stored_by_a_process_that_died_is_taken_up_by_the_sweep(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock
) -> None:
    from bot.messages import Inbound

    await helpline.engine.store(Inbound("telegram", str(CHAT), "halo", channel_message_id="1"))
    await helpline.engine.store(Inbound("telegram", str(CHAT), "gaji", channel_message_id="2"))
    assert await helpline.channels.retrier.run_once() == 0  # it may still be in hand
    # Past the sweep's grace, counted from when the messages were stored (the real clock: on
    # a loaded machine the test's clock may have started seconds before them).
    clock.now = datetime.now(UTC) + timedelta(seconds=4)
    assert await helpline.channels.retrier.run_once() == 1
    await helpline.settle()
    assert [m.status for m in await _inbound(helpline)] == ["processed", "processed"]
    assert len(telegram_stub.sent) >= 3  # the greeting, the menu, then the answer to "gaji"


async def test_messages_waiting_behind_each_other_are_claimed_in_turn_and_counted_once(
    helpline: Helpline, telegram_stub: TelegramStub
) -> None:
    from bot.messages import Inbound

    # Stored without an attempt (a process that died), then one through the webhook: its
    # attempt claims the oldest, and each message claims the next in its own transaction.
    await helpline.engine.store(Inbound("telegram", str(CHAT), "halo", channel_message_id="a"))
    await helpline.engine.store(Inbound("telegram", str(CHAT), "gaji", channel_message_id="b"))
    assert await helpline.telegram(telegram_stub.text_update(CHAT, "terima kasih")) == 200
    await helpline.settle()
    messages = await _inbound(helpline)
    assert [(m.text, m.status, m.attempts) for m in messages] == [
        ("halo", "processed", 1),
        ("gaji", "processed", 1),
        ("terima kasih", "processed", 1),
    ]
    assert await helpline.channels.retrier.run_once() == 0


async def test_a_webhook_message_that_is_the_workers_next_is_stored_claimed(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = helpline.channels.receiver
    assert receiver is not None
    attempts: list[object] = []
    # The webhook's attempt never runs (as if the process died once the message was stored).
    monkeypatch.setattr(
        receiver.retrier, "attempt", lambda worker_id, claimed=None: _note(attempts, claimed)
    )
    assert await helpline.telegram(telegram_stub.text_update(CHAT, "halo")) == 200
    monkeypatch.undo()
    [message] = await _inbound(helpline)
    # Counted and leased with the message: a crash now is an attempt, and the sweep waits
    # for the lease rather than the grace of a message never tried.
    assert (message.status, message.attempts) == ("received", 1)
    assert message.next_attempt_at == clock.now + receiver.retrier.policy.lease
    [claimed] = attempts
    assert claimed is not None and claimed.message.id == message.id  # type: ignore[attr-defined]
    assert await helpline.channels.retrier.run_once() == 0  # held by its claim
    clock.advance(seconds=11)
    assert await helpline.channels.retrier.run_once() == 1
    await helpline.settle()
    [message] = await _inbound(helpline)
    assert (message.status, message.attempts) == ("processed", 2)


async def _note(attempts: list[object], claimed: object) -> None:
    attempts.append(claimed)


@pytest.fixture
def collected() -> Iterator[None]:
    """Collects garbage after the other fixtures are torn down (requested first, ended last)."""
    yield
    gc.collect()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
# The connections terminated here are dropped by the pool without a goodbye; collected now,
# their ResourceWarnings belong to this test, not to whichever test runs next.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_connections_terminated_mid_message_are_retried_within_seconds(
    collected: None,
    helpline: Helpline,
    telegram_stub: TelegramStub,
    clock: Clock,
    nlu: FailingNlu,
    database_url: str,
) -> None:
    killer = create_async_engine(database_url)

    async def terminate_everyone_else() -> None:
        nlu.before_parse.clear()  # once
        async with killer.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

    nlu.before_parse.append(terminate_everyone_else)
    try:
        await helpline.telegram(telegram_stub.text_update(CHAT, "halo"))
        await helpline.settle()
    finally:
        await killer.dispose()
    [message] = await _inbound(helpline)
    # Understanding runs before the conversation's connection is taken (bot/engine.py), so the
    # pool may already have replaced the dead connections; if not, the sweep answers it, and
    # the failure is never held against the message.
    if message.status == "received":
        assert message.attempts == 0
        clock.advance(seconds=2)
        assert await helpline.channels.retrier.run_once() == 1
        await helpline.settle()
    [message] = await _inbound(helpline)
    assert message.status == "processed"
    assert len(telegram_stub.sent) == 2  # the greeting and the menu


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_a_webhook_stored_just_after_the_connections_were_terminated_is_stored_once(
    collected: None,
    helpline: Helpline,
    telegram_stub: TelegramStub,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.storage import db

    # The pool's connections were used a moment ago: not pinged (bot/storage/db.py).
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 3600.0)
    assert await helpline.telegram(telegram_stub.text_update(CHAT, "halo")) == 200
    await helpline.settle()
    killer = create_async_engine(database_url)
    try:
        async with killer.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await killer.dispose()
    # The store fails on a dead connection, is retried once on a new one: Telegram gets 200.
    assert await helpline.telegram(telegram_stub.text_update(CHAT, "gaji")) == 200
    await helpline.settle()
    assert [m.status for m in await _inbound(helpline)] == ["processed", "processed"]
