"""Retention: closed cases lose the worker's personal data after HELPLINE_RETENTION_DAYS, idle
workers go whole, anonymous counts stay; the job runs once across processes. The clock is
the test's: every time is set, and the job is run at a chosen `now`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.cases import retention_job
from bot.cases.retention import apply_retention
from bot.jobs import run_due
from bot.runtime import Runtime
from bot.settings import SettingsError, load_settings
from bot.storage import db
from bot.storage.models import (
    AuditEntry,
    Case,
    CaseNote,
    Conversation,
    Event,
    Evidence,
    Message,
    Worker,
)
from tests.cases.conftest import World

T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)  # everything below happened then
RETENTION = timedelta(days=365)
PERSONAL = ("Ani Susanti", "C1234567", "+60123456789", "Majikan memukul saya", "orang")


async def _worker_id(world: World, user: str) -> int:
    async with world.sessions() as session:
        found = await session.scalar(select(Message.worker_id).order_by(Message.id.desc()).limit(1))
    assert found is not None, user
    return found


async def _at(world: World, worker_id: int, moment: datetime) -> None:
    """The worker's messages were written, and the worker last seen, at `moment`."""
    async with world.sessions.begin() as session:
        await session.execute(
            update(Message).where(Message.worker_id == worker_id).values(created_at=moment)
        )
        await session.execute(
            update(Worker).where(Worker.id == worker_id).values(last_seen_at=moment)
        )


async def _closed_complaint(world: World, user: str) -> tuple[int, str]:
    """A worker whose complaint (name, passport, phone, story, a file, a note) was closed at T0."""
    officer = await world.staff(f"officer-{user}", role="supervisor", organisation="kemlu")
    world.clock.now = T0
    await world.say(user, "halo")
    worker_id = await _worker_id(world, user)
    async with world.sessions.begin() as session:
        message = await session.scalar(select(Message).where(Message.worker_id == worker_id))
        assert message is not None
        session.add(
            Evidence(
                message_id=message.id,
                worker_id=worker_id,
                channel="telegram",
                position=0,
                kind="photo",
                status="stored",
                data=b"a photo of the passport",
            )
        )
        case = await world.desk.open_case(
            session,
            worker_id,
            source="complaint",
            category="abuse_violence",
            country=None,  # Kemlu's desk
            record={
                "name": "Ani Susanti",
                "passport_number": "C1234567",
                "phone": "+60123456789",
                "description": "Majikan memukul saya",
                "evidence": [{"message_id": message.id, "position": 0, "kind": "photo"}],
            },
        )
        assert case.organisation == "kemlu"
        await world.desk.note(session, officer, case, "Ani Susanti, paspor C1234567")
        await world.desk.close(session, officer, case, "resolved", "Selesai")
        reference = case.reference
    await _at(world, worker_id, T0)
    return worker_id, reference


async def _run(world: World, now: datetime) -> None:
    async with world.sessions.begin() as session:
        await apply_retention(session, now, RETENTION)


async def test_a_closed_case_keeps_its_data_until_the_period_ends(world: World) -> None:
    _worker, reference = await _closed_complaint(world, "w1")
    await _run(world, T0 + RETENTION - timedelta(minutes=1))
    case = await world.case(reference)
    assert case.record is not None and case.worker_id is not None and case.anonymised_at is None


async def test_after_the_period_only_anonymous_counts_stay(world: World) -> None:
    worker_id, reference = await _closed_complaint(world, "w1")
    before = await world.case(reference)
    now = T0 + RETENTION + timedelta(hours=1)
    await _run(world, now)

    case = await world.case(reference)
    assert case.record is None and case.worker_id is None and case.anonymised_at == now
    # The statistics of reports stay as they were.
    kept = ("category", "country", "source", "organisation", "queue", "outcome", "priority")
    assert all(getattr(case, name) == getattr(before, name) for name in kept)
    assert (case.created_at, case.closed_at) == (before.created_at, before.closed_at)
    async with world.sessions() as session:
        for model in (CaseNote, Message, Evidence, Conversation):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model
        assert await session.get(Worker, worker_id) is None  # their phone number, too
        events = (await session.scalars(select(Event))).all()
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert all(e.worker_id is None for e in events)
    anonymised = [e for e in entries if e.action == "anonymised"]
    assert [(e.case_id, e.staff_id, e.data) for e in anonymised] == [(case.id, None, {})]
    [summary] = [e for e in entries if e.action == "retention"]
    assert summary.data == {
        "cases": 1,
        "workers": 1,
        "messages": 0,
        "unrecognised": 0,
        "days": 365,
    }
    for entry in entries:  # no personal data in the audit log
        assert not any(word in str(entry.data) for word in PERSONAL)


async def test_workers_with_a_kept_case_or_recent_messages_stay(world: World) -> None:
    world.clock.now = T0
    await world.say("open-case", "orang")  # an open case since T0, silent since
    with_case = await _worker_id(world, "open-case")
    await _at(world, with_case, T0)
    await world.say("chatty", "halo")  # no case; wrote at T0 and again lately
    chatty = await _worker_id(world, "chatty")
    await _at(world, chatty, T0)
    now = T0 + RETENTION + timedelta(days=30)
    await world.say("chatty", "halo lagi")
    async with world.sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.worker_id == chatty, Message.created_at > T0)
            .values(created_at=now - timedelta(days=1))
        )
        await session.execute(
            update(Worker).where(Worker.id == chatty).values(last_seen_at=now - timedelta(days=1))
        )
    await _run(world, now)

    async with world.sessions() as session:
        assert await session.get(Worker, with_case) is not None
        assert await session.get(Worker, chatty) is not None
        texts = {
            w: sorted(
                (await session.scalars(select(Message.text).where(Message.worker_id == w))).all()
            )
            for w in (with_case, chatty)
        }
    assert "orang" in texts[with_case]  # officers still need the conversation behind the case
    assert "halo" not in texts[chatty] and "halo lagi" in texts[chatty]  # only the old ones go


async def test_the_job_runs_once_across_processes(world: World, runtime: Runtime) -> None:
    await _closed_complaint(world, "w1")
    await _closed_complaint(world, "w2")
    job = retention_job(RETENTION)
    now = T0 + RETENTION + timedelta(days=1)
    url = runtime.settings.effective_database_url
    engines = [db.create_engine(url, cipher=runtime.cipher) for _ in range(3)]
    try:
        ran = await asyncio.gather(
            *(run_due(db.session_factory(engine), [job], now) for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(map(len, ran)) == [0, 0, 1]
    async with world.sessions() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
        cases = (await session.scalars(select(Case))).all()
    assert actions.count("anonymised") == 2 and actions.count("retention") == 1
    assert all(c.record is None and c.anonymised_at == now for c in cases)
    assert await run_due(world.sessions, [job], now + timedelta(minutes=59)) == []  # hourly


@pytest.mark.parametrize("value", ["0", "-3", "a year", "4000"])
def test_a_wrong_retention_setting_is_named(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_RETENTION_DAYS", value)
    with pytest.raises(SettingsError, match="HELPLINE_RETENTION_DAYS"):
        load_settings()


def test_the_retention_setting_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_RETENTION_DAYS", "90")
    assert load_settings().retention_days == 90
    monkeypatch.delenv("HELPLINE_RETENTION_DAYS")
    assert load_settings().retention_days == 365
