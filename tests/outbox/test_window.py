"""WhatsApp's 24-hour window: an officer's late reply is held, announced by the approved
template, and delivered when the worker answers."""

from __future__ import annotations

from sqlalchemy import select

from bot.channels.whatsapp import REOPEN_PAYLOAD
from bot.outbox import enqueue
from bot.storage.models import Message, Worker
from tests.channels.fixtures import ACCOUNT_SID, TEMPLATE_SID, WHATSAPP_FROM, Clock, Helpline
from tests.channels.stubs import TwilioStub
from tests.channels.test_whatsapp import WORKER, inbound, say

OFFICER_TEXT = "Ibu Siti, agensi sudah setuju membayar gaji Anda minggu ini."


async def _late_officer_reply(helpline: Helpline, clock: Clock) -> int:
    await say(helpline, "halo")
    clock.advance(hours=25)
    async with helpline.engine.sessions.begin() as session:
        worker_id = await session.scalar(select(Worker.id))
        assert worker_id is not None
        return (await enqueue(session, worker_id, OFFICER_TEXT, now=clock())).id


async def _row(helpline: Helpline, message_id: int) -> Message:
    async with helpline.engine.sessions() as session:
        return await session.get_one(Message, message_id)


async def test_a_late_officer_reply_waits_for_the_worker(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock
) -> None:
    message_id = await _late_officer_reply(helpline, clock)
    assert (await _row(helpline, message_id)).status == "held"  # at once, when written
    before = len(twilio_stub.sent)
    await helpline.settle()
    assert (await _row(helpline, message_id)).status == "held"
    (template,) = twilio_stub.sent.items[before:]
    assert template["ContentSid"] == TEMPLATE_SID and "Body" not in template
    assert template["To"] == f"whatsapp:{WORKER}"
    # A second late reply does not send a second invitation.
    async with helpline.engine.sessions.begin() as session:
        worker_id = await session.scalar(select(Worker.id))
        assert worker_id is not None
        second = (await enqueue(session, worker_id, "Satu lagi.", now=clock())).id
    await helpline.settle()
    assert len(twilio_stub.sent) == before + 1

    # The worker presses the template's button: the held messages go, in order, unanswered.
    params = inbound("Baca pesan", ButtonPayload=REOPEN_PAYLOAD, ButtonText="Baca pesan")
    assert (await helpline.twilio(params)).status_code == 200
    await helpline.settle()
    bodies = [s.get("Body") for s in twilio_stub.sent.items[before + 1 :]]
    assert bodies == [OFFICER_TEXT, "Satu lagi."]
    assert (await _row(helpline, message_id)).status == "sent"
    assert (await _row(helpline, second)).status == "sent"
    assert (await helpline.inbound())[-1].status == "processed"


async def test_whatever_the_worker_writes_releases_the_held_reply_first(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock
) -> None:
    message_id = await _late_officer_reply(helpline, clock)
    await helpline.settle()
    before = len(twilio_stub.sent)
    await say(helpline, "halo")
    bodies = [s.get("Body") for s in twilio_stub.sent.items[before:]]
    assert bodies[0] == OFFICER_TEXT  # then the bot's answer to "halo"
    assert len(bodies) > 1
    assert (await _row(helpline, message_id)).status == "sent"


async def test_a_window_error_from_twilio_holds_the_message(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    await say(helpline, "halo")
    sent = (await helpline.outbound())[-1]
    params = {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sent.channel_message_id or "",
        "MessageStatus": "failed",
        "ErrorCode": "63016",
        "To": f"whatsapp:{WORKER}",
        "From": WHATSAPP_FROM,
    }
    response = await helpline.twilio(params, path=f"/webhooks/twilio/status?m={sent.id}")
    assert response.status_code == 204
    assert (await _row(helpline, sent.id)).status == "held"
    before = len(twilio_stub.sent)
    await helpline.settle()
    assert twilio_stub.sent.items[before]["ContentSid"] == TEMPLATE_SID


async def test_without_a_template_the_invitation_fails_visibly_and_the_reply_stays_held(
    helpline: Helpline, twilio_stub: TwilioStub, clock: Clock
) -> None:
    helpline.channels.whatsapp.sender.template_sid = None
    message_id = await _late_officer_reply(helpline, clock)
    await helpline.settle()
    assert (await _row(helpline, message_id)).status == "held"
    reopen = (await helpline.outbound())[-1]
    assert reopen.origin == "reopen" and reopen.status == "failed"
    assert "HELPLINE_TWILIO_TEMPLATE_SID" in (reopen.error or "")


async def test_telegram_has_no_window(helpline: Helpline, telegram_stub, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    await helpline.telegram(telegram_stub.text_update(777, "halo"))
    await helpline.settle()
    clock.advance(days=30)
    async with helpline.engine.sessions.begin() as session:
        worker_id = await session.scalar(select(Worker.id))
        assert worker_id is not None
        message_id = (await enqueue(session, worker_id, "Masih di sana?")).id
    await helpline.settle()
    assert (await _row(helpline, message_id)).status == "sent"
