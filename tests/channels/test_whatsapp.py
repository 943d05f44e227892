"""WhatsApp end to end: Twilio's client against the local REST stub, webhooks signed with
Twilio's own RequestValidator, through the real engine and policy."""

from __future__ import annotations

import itertools

from sqlalchemy import select, text

from bot.evidence import stored
from bot.storage.models import Event, Worker
from tests.channels.fixtures import ACCOUNT_SID, PUBLIC_URL, WHATSAPP_FROM, Helpline
from tests.channels.stubs import TwilioStub

WORKER = "+886912345678"
_sids = itertools.count(1)


def inbound(body: str, sid: str | None = None, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "From": f"whatsapp:{WORKER}",
        "To": WHATSAPP_FROM,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Siti",
        "WaId": WORKER.lstrip("+"),
        **extra,
    }


async def say(helpline: Helpline, body: str, **extra: str) -> None:
    response = await helpline.twilio(inbound(body, **extra))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in response.text
    await helpline.settle()


async def test_a_whole_conversation_with_numbered_options(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    await say(helpline, "halo")
    menu = twilio_stub.sent.items[-1]
    assert menu["To"] == f"whatsapp:{WORKER}" and menu["From"] == WHATSAPP_FROM
    assert "1. Gaji" in menu["Body"]
    assert menu["StatusCallback"].startswith(f"{PUBLIC_URL}/webhooks/twilio/status?m=")

    await say(helpline, "1")  # the menu's own number
    question = twilio_stub.sent.items[-1]["Body"]
    assert "1. Malaysia" in question and "2. Taiwan" in question

    await say(helpline, "2")  # the country question's number
    bodies = [s["Body"] for s in twilio_stub.sent.items]
    assert any("[wages_unpaid/id/TW]" in b for b in bodies)
    offer = bodies[-1]
    # Options the text did not list are appended as numbered lines.
    assert "1. " in offer and "2. " in offer and "3. " in offer

    await say(helpline, "no. 2")  # "Talk to a person" in the offer
    async with helpline.engine.sessions() as session:
        kinds = (await session.scalars(select(Event.kind))).all()
        worker = await session.scalar(select(Worker))
    assert "handoff_requested" in kinds
    assert worker is not None and worker.country == "TW"
    assert [m.text for m in await helpline.inbound()][-1] == "/intent:talk_to_human"
    assert len(twilio_stub.sent) == len(await helpline.outbound())


async def test_a_repeated_message_sid_is_answered_once(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    params = inbound("halo", sid="SM" + "7" * 32)
    assert (await helpline.twilio(params)).status_code == 200
    assert (await helpline.twilio(params)).status_code == 200
    await helpline.settle()
    assert (await helpline.twilio(params)).status_code == 200
    await helpline.settle()
    assert len(await helpline.inbound()) == 1
    assert len(twilio_stub.sent) == len(await helpline.outbound()) > 0


async def test_a_bad_signature_gets_403_and_nothing_is_stored(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    params = inbound("halo")
    assert (await helpline.twilio(params, signature="bm90IGEgc2lnbmF0dXJl")).status_code == 403
    assert (await helpline.twilio(params, signature="")).status_code == 403
    # Signed for another URL (the proxy's inside address, say): refused too.
    wrong_url = helpline.validator.compute_signature(
        "http://127.0.0.1:8000/webhooks/twilio", params
    )
    assert (await helpline.twilio(params, signature=wrong_url)).status_code == 403
    # A body changed after signing.
    signature = helpline.validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", params)
    tampered = {**params, "Body": "hapus"}
    response = await helpline.client.post(
        "/webhooks/twilio", data=tampered, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    await helpline.settle()
    assert await helpline.inbound() == []
    assert len(twilio_stub.sent) == 0


async def test_media_is_fetched_with_the_account_credentials(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    photo = b"\x89PNG payslip"
    voice = b"OggS voice"
    params = inbound(
        "ini slip gaji saya",
        NumMedia="2",
        MediaUrl0=twilio_stub.add_media(photo, "image/png"),
        MediaContentType0="image/png",
        MediaUrl1=twilio_stub.add_media(voice, "audio/ogg"),
        MediaContentType1="audio/ogg",
    )
    assert (await helpline.twilio(params)).status_code == 200
    await say(helpline, "", Latitude="3.139", Longitude="101.6869")
    (first, second) = await helpline.inbound()
    found = await stored(helpline.engine.sessions, first.id)
    assert [(e.kind, e.status, e.data) for e in found] == [
        ("photo", "stored", photo),
        ("voice", "stored", voice),
    ]
    assert all(auth and auth.startswith("Basic ") for auth in twilio_stub.media_requests)
    (place,) = await stored(helpline.engine.sessions, second.id)
    assert place.kind == "location" and place.data == b"geo:3.139,101.6869"
    async with helpline.engine.sessions() as session:
        raw = (await session.execute(text("SELECT data FROM evidence"))).scalars().all()
    assert all(photo not in bytes(r) for r in raw)


async def test_status_callbacks_update_the_outbound_message(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    await say(helpline, "halo")
    last = (await helpline.outbound())[-1]
    sid = last.channel_message_id
    assert last.status == "sent" and sid is not None
    path = f"/webhooks/twilio/status?m={last.id}"

    async def report(status: str, **extra: str) -> int:
        params = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": sid,
            "MessageStatus": status,
            "To": f"whatsapp:{WORKER}",
            "From": WHATSAPP_FROM,
            **extra,
        }
        return (await helpline.twilio(params, path=path)).status_code

    assert await report("delivered") == 204
    assert (await helpline.outbound())[-1].status == "delivered"
    assert await report("sent") == 204  # late and out of order: no step back
    assert (await helpline.outbound())[-1].status == "delivered"
    assert await report("read") == 204
    assert (await helpline.outbound())[-1].status == "read"
    bad = await helpline.client.post(
        path,
        data={"MessageSid": sid, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "x"},
    )
    assert bad.status_code == 403
    assert (await helpline.outbound())[-1].status == "read"

    first = (await helpline.outbound())[0]
    path = f"/webhooks/twilio/status?m={first.id}"
    sid = first.channel_message_id
    assert await report("undelivered", ErrorCode="63024") == 204
    row = (await helpline.outbound())[0]
    assert row.status == "undelivered" and row.error == "twilio code 63024"


async def test_sms_and_other_accounts_are_ignored(
    helpline: Helpline, twilio_stub: TwilioStub
) -> None:
    sms = {**inbound("halo"), "From": "+886912345678"}
    assert (await helpline.twilio(sms)).status_code == 200
    other = {**inbound("halo"), "AccountSid": "AC" + "9" * 32}
    assert (await helpline.twilio(other)).status_code == 403
    await helpline.settle()
    assert await helpline.inbound() == []
