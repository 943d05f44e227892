"""A whole complaint on each channel with the real content (flows/) and the real policy.

The NLU is scripted (tests/fakes.py) because every step here is a button or a number, which
need no understanding; the embedded classifier has tests of its own.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.content import Content
from bot.dialogue.policy import Policy
from bot.i18n import translator
from bot.outbox import enqueue
from bot.settings import PROJECT_ROOT
from bot.storage.models import Event, Worker
from tests.channels.fixtures import Helpline
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.channels.test_whatsapp import say

OFFICER = "Halo, saya petugas. Kami akan menghubungi agensi Anda hari ini."


@pytest.fixture(scope="module")
def content() -> Content:
    return Content.load(PROJECT_ROOT)


@pytest.fixture
def policy(content: Content) -> Policy:
    """The real content's answers (no complaint flows: the content's own steps)."""
    return Policy(content, threshold=0.5)


def _labels(content: Content) -> tuple[str, str, str]:
    """The menu's wages item, Taiwan and "talk to a person", as the content words them."""
    wages = next(i for i in content.menu("id") if i.intent == "wages_unpaid")
    person = translator("id").gettext("Talk to a person")
    return f"{wages.number}. {wages.label}", content.country_label("TW", "id"), person


def _number_of(text: str, title: str) -> str:
    title = title.split(". ", 1)[-1]
    match = re.search(rf"^(\d+)\. {re.escape(title)}$", text, re.M)
    assert match, (title, text)
    return match.group(1)


async def _handoff_and_officer_reply(helpline: Helpline) -> None:
    async with helpline.engine.sessions.begin() as session:
        kinds = (await session.scalars(select(Event.kind))).all()
        worker = await session.scalar(select(Worker))
        assert worker is not None
        assert "handoff_requested" in kinds
        assert worker.country == "TW"
        await enqueue(session, worker.id, OFFICER)
    await helpline.settle()


async def test_a_complaint_on_whatsapp(
    helpline: Helpline, twilio_stub: TwilioStub, content: Content
) -> None:
    wages, taiwan, person = _labels(content)
    await say(helpline, "halo")
    menu = twilio_stub.sent.items[-1]["Body"]
    await say(helpline, _number_of(menu, wages))
    countries = twilio_stub.sent.items[-1]["Body"]
    await say(helpline, _number_of(countries, taiwan))
    offer = twilio_stub.sent.items[-1]["Body"]
    assert taiwan in offer
    before = len(twilio_stub.sent)
    await say(helpline, _number_of(offer, person))
    # The handoff reply, then the case desk's word on when officers answer.
    assert "petugas" in twilio_stub.sent.items[before]["Body"]
    await _handoff_and_officer_reply(helpline)
    assert twilio_stub.sent.items[-1]["Body"] == OFFICER
    assert len(twilio_stub.sent) == len(await helpline.outbound())


async def test_a_complaint_on_telegram(
    helpline: Helpline, telegram_stub: TelegramStub, content: Content
) -> None:
    wages, taiwan, person = _labels(content)
    chat = 66601

    async def press(payload: str) -> None:
        assert await helpline.telegram(telegram_stub.button_update(chat, payload)) == 200
        await helpline.settle()

    def buttons() -> dict[str, str]:
        markup = telegram_stub.sent.items[-1]["reply_markup"] or {}
        return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}

    assert await helpline.telegram(telegram_stub.text_update(chat, "/start")) == 200
    await helpline.settle()
    await press(buttons()[wages])
    await press(buttons()[taiwan])
    await press(buttons()[person])
    await _handoff_and_officer_reply(helpline)
    assert telegram_stub.sent.items[-1]["text"] == OFFICER
    assert len(telegram_stub.answered) == 3
