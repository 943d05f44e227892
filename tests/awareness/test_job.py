"""The awareness job: only to workers who opted in, per country and language, exactly once,
on WhatsApp only as the approved template, within each channel's share of sending."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.awareness.content import load
from bot.awareness.job import NO_TEMPLATE, awareness_job, budget, queue_due
from bot.jobs import run_due
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.storage.models import AwarenessDelivery, Message, Worker
from tests.awareness.conftest import SID_EN, SID_ID, TEMPLATES, content_root, write_notice
from tests.channels.fixtures import Clock, Helpline
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.channels.test_whatsapp import inbound

LIMITS = {"telegram": 100, "whatsapp": 100, "web": 100}


async def _telegram(helpline: Helpline, stub: TelegramStub, chat: int, text: str) -> None:
    assert await helpline.telegram(stub.text_update(chat, text)) == 200
    await helpline.settle()


async def _whatsapp(helpline: Helpline, phone: str, text: str) -> None:
    params = inbound(text, From=f"whatsapp:{phone}", WaId=phone.lstrip("+"))
    assert (await helpline.twilio(params)).status_code == 200
    await helpline.settle()


async def _set(helpline: Helpline, channel: str, **values: object) -> None:
    """Every worker on `channel` gets these (their country, language), as a chat would."""
    async with helpline.engine.sessions.begin() as session:
        for worker in (
            await session.scalars(select(Worker).where(Worker.channel == channel))
        ).all():
            for key, value in values.items():
                setattr(worker, key, value)


async def _run(helpline: Helpline, root: Path, clock: Clock, **options: object) -> list[str]:
    job = awareness_job(root, limits=options.pop("limits", LIMITS), **options)  # type: ignore[arg-type]
    ran = await run_due(helpline.engine.sessions, [job], clock())
    await helpline.settle()
    return ran


def _texts(stub: TelegramStub, chat: int) -> list[str]:
    return [str(s["text"]) for s in stub.sent.items if str(s.get("chat_id")) == str(chat)]


async def test_only_opted_in_workers_get_it_in_their_language_once(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam")
    await _telegram(helpline, telegram_stub, 1, "INFO")  # opts in, Indonesian
    await _telegram(helpline, telegram_stub, 2, "halo")  # never opts in
    await _telegram(helpline, telegram_stub, 3, "subscribe")
    await _telegram(helpline, telegram_stub, 4, "langganan")
    await _telegram(helpline, telegram_stub, 4, "STOP INFO")  # and out again
    async with helpline.engine.sessions.begin() as session:
        third = await session.scalar(select(Worker).where(Worker.id == 3))
        assert third is not None
        third.language = "en"

    assert await _run(helpline, root, clock) == ["awareness"]
    assert _texts(telegram_stub, 1)[-1].startswith("Awas lowongan palsu (scam).")
    assert "BERHENTI INFO" in _texts(telegram_stub, 1)[-1]
    assert _texts(telegram_stub, 3)[-1].startswith("Beware of fake job ads (scam).")
    assert "STOP INFO" in _texts(telegram_stub, 3)[-1]
    assert not any("lowongan palsu" in t for t in _texts(telegram_stub, 2))
    assert not any("lowongan palsu" in t for t in _texts(telegram_stub, 4))

    # Again, and from a second runtime on the same database: nothing is sent twice.
    before = len(telegram_stub.sent)
    clock.advance(minutes=5)
    assert await _run(helpline, root, clock) == ["awareness"]
    assert len(telegram_stub.sent) == before
    async with helpline.engine.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(AwarenessDelivery))
        assert rows == 2


async def test_two_runtimes_at_once_send_each_worker_one_copy(
    helpline: Helpline,
    runtime: Runtime,
    runtime_settings: Settings,
    telegram_stub: TelegramStub,
    clock: Clock,
    tmp_path: Path,
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam")
    for chat in range(10, 16):
        await _telegram(helpline, telegram_stub, chat, "INFO")
    other = await build(runtime_settings, cipher=runtime.cipher, nlu=(runtime.engine.nlu, 0.5))
    try:
        # Two processes whose job rows are both due (say one ran the job by hand).

        notices, _ = load(root)
        async with other.sessions.begin() as first:
            a = await queue_due(first, notices, clock(), limits=LIMITS)
        async with runtime.sessions.begin() as second:
            b = await queue_due(second, notices, clock(), limits=LIMITS)
    finally:
        await other.close()
    assert a.counts == {"scam": {"telegram": 6}} and b.counts == {}
    await helpline.settle()
    for chat in range(10, 16):
        assert sum("lowongan palsu" in t for t in _texts(telegram_stub, chat)) == 1


async def test_country_and_dates_decide_who_gets_what(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "hk-only", countries="[HK]")
    write_notice(root, "later", send_after=(clock() + timedelta(days=1)).date().isoformat())
    write_notice(root, "over", send_after="2025-01-01", expires="2025-02-01")
    for chat in (21, 22, 23):
        await _telegram(helpline, telegram_stub, chat, "INFO")
    async with helpline.engine.sessions.begin() as session:
        countries = {21: "HK", 22: "TW", 23: None}
        for worker in (await session.scalars(select(Worker))).all():
            worker.country = countries[int(worker.channel_user_id)]
    await _run(helpline, root, clock)
    assert any("(hk-only)" in t for t in _texts(telegram_stub, 21))
    assert not any("(hk-only)" in t for t in _texts(telegram_stub, 22))
    assert not any("(hk-only)" in t for t in _texts(telegram_stub, 23))  # country unknown
    assert not any(
        "(later)" in t or "(over)" in t for t in [s["text"] for s in telegram_stub.sent.items]
    )
    clock.advance(days=2)
    await _run(helpline, root, clock)
    assert all(any("(later)" in t for t in _texts(telegram_stub, c)) for c in (21, 22, 23))


async def test_whatsapp_gets_the_approved_template_or_nothing(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam", whatsapp=TEMPLATES)
    only_id = TEMPLATES.split("  en:")[0]
    write_notice(root, "id-only", whatsapp=only_id)
    await _whatsapp(helpline, "+886900000001", "INFO")
    await _whatsapp(helpline, "+886900000002", "subscribe")
    await _set(helpline, "whatsapp", language=None)
    async with helpline.engine.sessions.begin() as session:
        second = await session.scalar(select(Worker).where(Worker.id == 2))
        assert second is not None
        second.language = "en"
    clock.advance(hours=30)  # the 24-hour window has closed: templates go all the same
    before = len(twilio_stub.sent)
    await _run(helpline, root, clock)
    sent = twilio_stub.sent.items[before:]
    by = {(s["To"], s["ContentSid"]): s for s in sent}
    assert len(sent) == 3 and all("Body" not in s for s in sent)
    first = by[("whatsapp:+886900000001", SID_ID)]
    assert json.loads(first["ContentVariables"]) == {"1": "lowongan palsu"}
    assert "ContentVariables" not in by[("whatsapp:+886900000002", SID_EN)]
    assert ("whatsapp:+886900000001", SID_ID) in by
    async with helpline.engine.sessions() as session:
        skipped = (
            await session.scalars(
                select(AwarenessDelivery).where(AwarenessDelivery.status == NO_TEMPLATE)
            )
        ).all()
        assert [(d.awareness_id, d.worker_id, d.message_id) for d in skipped] == [
            ("id-only", 2, None)
        ]
        statuses = (
            await session.scalars(select(Message.status).where(Message.origin == "awareness"))
        ).all()
        assert sorted(statuses) == ["sent"] * 3


async def test_a_run_queues_only_its_share_and_the_outbox_paces_the_rest(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam")
    for chat in range(30, 37):
        await _telegram(helpline, telegram_stub, chat, "INFO")
    assert budget(timedelta(minutes=1)) == {"telegram": 375, "whatsapp": 750, "web": 375}
    limits = {"telegram": 3, "whatsapp": 3, "web": 3}
    started = clock()
    before = len(telegram_stub.sent)
    await _run(helpline, root, clock, limits=limits)
    assert len(telegram_stub.sent) - before == 3
    # The outbox's Telegram pacer (25 a second) spaced them: the test clock moved on by it.
    assert clock() - started >= timedelta(seconds=2 / 25)
    clock.advance(minutes=1)
    await _run(helpline, root, clock, limits=limits)
    clock.advance(minutes=1)
    await _run(helpline, root, clock, limits=limits)
    got = [c for c in range(30, 37) if any("lowongan palsu" in t for t in _texts(telegram_stub, c))]
    assert got == list(range(30, 37))
    assert len(telegram_stub.sent) - before == 7


async def test_web_chat_only_while_the_worker_is_there(
    helpline: Helpline, clock: Clock, tmp_path: Path
) -> None:
    from bot.messages import Inbound

    root = content_root(tmp_path)
    write_notice(root, "scam")
    await helpline.engine.handle(Inbound("web", "tab-1", "INFO", "w1", received_at=clock()))
    await helpline.engine.handle(Inbound("web", "tab-2", "INFO", "w2", received_at=clock()))
    await _set(helpline, "web", last_seen_at=clock() - timedelta(hours=2))
    async with helpline.engine.sessions.begin() as session:
        first = await session.scalar(
            select(Worker).where(Worker.channel_user_hash.is_not(None)).order_by(Worker.id)
        )
        assert first is not None
        first.last_seen_at = clock() - timedelta(minutes=5)
    await _run(helpline, root, clock)
    async with helpline.engine.sessions() as session:
        got = (await session.scalars(select(AwarenessDelivery.worker_id))).all()
        assert got == [first.id]


async def test_two_processes_queueing_at_the_same_moment_send_one_copy(
    helpline: Helpline,
    runtime: Runtime,
    runtime_settings: Settings,
    telegram_stub: TelegramStub,
    clock: Clock,
    tmp_path: Path,
    database_url: str,
) -> None:
    """Interleaved transactions: the second waits on the first's delivery row, then skips it.
    (SQLite lets one writer in at a time: there the second run waits, then finds the rows.)"""
    import asyncio

    root = content_root(tmp_path)
    write_notice(root, "scam")
    for chat in range(40, 46):
        await _telegram(helpline, telegram_stub, chat, "INFO")
    notices, _ = load(root)
    other = await build(runtime_settings, cipher=runtime.cipher, nlu=(runtime.engine.nlu, 0.5))

    async def run(sessions: object) -> dict[str, dict[str, int]]:
        async with sessions.begin() as session:  # type: ignore[attr-defined]
            return (await queue_due(session, notices, clock(), limits=LIMITS)).counts

    try:
        if database_url.startswith("postgresql"):
            results = await asyncio.gather(run(runtime.sessions), run(other.sessions))
        else:
            results = [await run(runtime.sessions), await run(other.sessions)]
    finally:
        await other.close()
    total = sum(c.get("scam", {}).get("telegram", 0) for c in results)
    assert total == 6
    await helpline.settle()
    for chat in range(40, 46):
        assert sum("lowongan palsu" in t for t in _texts(telegram_stub, chat)) == 1


async def test_stop_info_withdraws_what_was_queued_and_not_yet_sent(
    helpline: Helpline, telegram_stub: TelegramStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    write_notice(root, "scam")
    await _telegram(helpline, telegram_stub, 50, "INFO")
    job = awareness_job(root, limits=LIMITS)
    assert await run_due(helpline.engine.sessions, [job], clock()) == ["awareness"]
    # Queued, not yet sent, and the worker opts out.
    assert await helpline.telegram(telegram_stub.text_update(50, "berhenti info")) == 200
    await helpline.settle()
    assert not any("lowongan palsu" in t for t in _texts(telegram_stub, 50))
    assert "tidak akan mengirim tips" in _texts(telegram_stub, 50)[-1]
    async with helpline.engine.sessions() as session:
        delivery = await session.scalar(select(AwarenessDelivery))
        assert delivery is not None
        assert (delivery.status, delivery.message_id) == ("withdrawn", None)
        pending = await session.scalar(
            select(func.count()).select_from(Message).where(Message.origin == "awareness")
        )
        assert pending == 0


async def test_a_template_added_later_reaches_those_skipped_once(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock, tmp_path: Path
) -> None:
    root = content_root(tmp_path)
    path = write_notice(root, "scam")
    await _whatsapp(helpline, "+886900000003", "INFO")
    before = len(twilio_stub.sent)
    await _run(helpline, root, clock)
    assert len(twilio_stub.sent) == before  # no template: nothing on WhatsApp
    path.write_text(path.read_text() + TEMPLATES)
    clock.advance(minutes=1)
    await _run(helpline, root, clock)
    clock.advance(minutes=1)
    await _run(helpline, root, clock)
    (sent,) = twilio_stub.sent.items[before:]
    assert sent["ContentSid"] == SID_ID
    async with helpline.engine.sessions() as session:
        (delivery,) = (await session.scalars(select(AwarenessDelivery))).all()
        assert delivery.status == "queued" and delivery.message_id is not None
