"""Opting in and out in the chat: both languages, confirmed, audited, and mid-report the
opt-out never stops the report (nor does "batal" stop the tips)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.awareness.words import Change, asked
from bot.storage.models import AuditEntry, Worker
from tests.flows.conftest import Chat, World, until
from tests.flows.conftest import chat as chat  # noqa: F401  (fixtures)
from tests.flows.conftest import world as world  # noqa: F401


async def _subscribed(chat: Chat) -> bool:
    async with chat.world.runtime.sessions() as session:
        worker = await session.scalar(select(Worker).where(Worker.channel == chat.channel))
        assert worker is not None
        return worker.awareness_since is not None


async def _audit(world: World) -> list[tuple[str, str]]:
    async with world.runtime.sessions() as session:
        rows = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
        return [(r.action, r.data["channel"]) for r in rows if r.action.startswith("awareness")]


def test_the_words() -> None:
    for said in ("INFO", "info", "Langganan!", "subscribe", "/awareness:on"):
        assert asked(said, subscribed=False) is Change.ON
    for said in ("STOP INFO", "berhenti info", "Unsubscribe.", "berhenti langganan"):
        assert asked(said, subscribed=False) is Change.OFF
        assert asked(said, subscribed=True) is Change.OFF
    for said in ("STOP", "Berhenti", "stop."):
        assert asked(said, subscribed=True) is Change.OFF
        assert asked(said, subscribed=False) is None  # a report's cancel word, as before
    for said in ("batal", "cancel", "info perjanjian kerja", "stop and shop", "info gaji hk"):
        assert asked(said, subscribed=True) is None


@pytest.mark.parametrize(
    ("lang", "opt_in", "opt_out", "confirmed", "stopped"),
    [
        ("id", "langganan", "berhenti info", "Untuk berhenti, tulis BERHENTI INFO", "tidak akan"),
        ("en", "INFO", "unsubscribe", "To stop them, write STOP INFO", "no more tips"),
    ],
)
async def test_opt_in_and_out_confirmed_in_the_workers_language(
    chat: Chat, world: World, lang: str, opt_in: str, opt_out: str, confirmed: str, stopped: str
) -> None:
    await chat.say(f"/lang:{lang}")
    await chat.say(opt_in)
    assert confirmed in chat.text
    assert await _subscribed(chat)
    await chat.say(opt_in)  # again: already
    assert "sudah menerima" in chat.text if lang == "id" else "already get" in chat.text
    await chat.say(opt_out)
    assert stopped in chat.text
    assert not await _subscribed(chat)
    assert await _audit(world) == [("awareness_opt_in", "web"), ("awareness_opt_out", "web")]


async def test_stop_info_mid_report_opts_out_and_the_report_goes_on(chat: Chat) -> None:
    await chat.say("INFO")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say("STOP INFO")
    assert "tidak akan mengirim tips" in chat.text and "Laporan Anda masih terbuka" in chat.text
    assert not await _subscribed(chat)
    step = await chat.step()
    assert step is not None and step.id == "employer"  # the same question, answers kept
    await chat.say("Pak Budi")
    progress = await chat.progress()
    assert progress is not None and progress.slots["employer"] == "Pak Budi"


async def test_bare_stop_from_a_subscriber_mid_report_opts_out_only(chat: Chat) -> None:
    await chat.say("/lang:en")
    await chat.say("subscribe")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "en")
    await chat.say("STOP")
    assert "no more tips" in chat.text and "write CANCEL to stop the report" in chat.text
    assert not await _subscribed(chat)
    assert (await chat.progress()) is not None
    # Now "stop" is the report's word again: it asks before deleting anything.
    await chat.say("stop")
    assert "stop this report" in chat.text


async def test_cancel_mid_report_stops_the_report_not_the_tips(chat: Chat) -> None:
    await chat.say("INFO")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say("batal")
    assert "Mau berhenti" in chat.text
    assert await _subscribed(chat)


async def test_stop_from_someone_never_subscribed_is_the_reports_cancel(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say("berhenti")
    assert "Mau berhenti" in chat.text
    assert not await _subscribed(chat)


async def test_the_offer_after_thanks_once_and_its_button(chat: Chat) -> None:
    await chat.say("/lang:en")
    await chat.say("my salary has not been paid for 3 months")
    await chat.say("thank you")
    assert "Write INFO" in chat.text
    await chat.press("Yes, send me tips")
    assert await _subscribed(chat)
    await chat.say("thanks")
    assert "Write INFO" not in chat.text


async def test_deleting_my_data_also_stops_the_tips(chat: Chat) -> None:
    await chat.say("INFO")
    await chat.say("/intent:delete_my_data")
    await chat.press("Ya, hapus")
    assert not await _subscribed(chat)


async def test_what_we_keep_says_since_when_the_tips_come(world: World) -> None:
    chat = Chat(world, "budi")
    await chat.say("hello")
    await chat.say("what do you know about me?")
    assert "tips and warnings" not in chat.text
    await chat.say("INFO")
    await chat.say("what do you know about me?")
    assert "You asked for tips and warnings on" in chat.text and "STOP INFO" in chat.text


async def test_stop_as_the_answer_to_stop_this_report_is_that_answer(chat: Chat) -> None:
    await chat.say("INFO")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say("batal")
    assert "Mau berhenti" in chat.text
    await chat.say("berhenti")  # yes, stop the report
    assert await chat.progress() is None
    assert await _subscribed(chat)
