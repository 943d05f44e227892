"""Case pages over HTTP: the permission matrix across organisations, the whole path with
live updates, and every view and change written to the audit log."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from bot.cases import Action, Actor, can, flag_unclaimed
from bot.cases.permissions import CaseScope
from bot.cases.retention import apply_retention
from bot.dashboard import stream
from bot.storage.models import AuditEntry, Case, CaseAccess, Evidence, Message
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, data, post, read_events

# Each case route and the permission it needs; POST forms carry what the action needs.
ROUTES: list[tuple[str, str, Action, dict[str, str]]] = [
    ("GET", "", Action.VIEW, {}),
    ("GET", "/events", Action.VIEW, {}),
    ("POST", "/note", Action.NOTE, {"text": "internal"}),
    ("POST", "/claim", Action.CLAIM, {}),
    ("POST", "/assign", Action.ASSIGN, {"staff_id": ""}),
    ("POST", "/reply", Action.REPLY, {"text": "Halo"}),
    ("POST", "/status", Action.STATUS, {"status": "waiting"}),
    ("POST", "/close", Action.CLOSE, {"outcome": "resolved"}),
    ("POST", "/transfer", Action.TRANSFER, {"queue": "migrantcare-urgent"}),
    ("POST", "/refer", Action.TRANSFER, {"queue": "sbmi-paralegal"}),
    ("POST", "/share", Action.SHARE, {"organisation": "bp3mi-jatim"}),
    ("POST", "/hand-back", Action.HAND_BACK, {}),
    ("POST", "/flag-urgent", Action.FLAG_URGENT, {}),
    ("POST", "/release", Action.RELEASE, {}),
]
_WORKERS = itertools.count()
RELATIONS = ("own, unassigned", "own, mine", "own, a colleague's", "shared", "another org")


async def _case(world: World, relation: str, me: Actor, colleague: Actor) -> Case:
    """A fresh open case standing in `relation` to `me` (of Migrant CARE)."""
    async with world.sessions.begin() as session:
        await world.say(f"worker-{next(_WORKERS)}", "orang")
        case = await session.scalar(select(Case).order_by(Case.id.desc()))
        assert case is not None and case.organisation == "migrantcare"
        if relation == "own, mine":
            case.assigned_to = case.chat_held_by = me.id
        elif relation == "own, a colleague's":
            case.assigned_to = case.chat_held_by = colleague.id
        elif relation in ("shared", "another org"):
            case.organisation, case.queue = "kbri-kuala-lumpur", "kbri-kl-protection"
            if relation == "shared":
                session.add(CaseAccess(case_id=case.id, organisation="migrantcare", reason="share"))
        return case


@pytest.mark.parametrize("role", ["officer", "supervisor", "editor", "admin"])
async def test_permission_matrix_over_http(
    world: World, client: Client, app: Starlette, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)  # event streams end at once
    organisation = "migrantcare" if role in ("officer", "supervisor") else None
    me = await world.staff("me", role=role, organisation=organisation)
    colleague = await world.staff("colleague")
    c = await client("me")
    for relation in RELATIONS:
        for method, suffix, action, form in ROUTES:
            case = await _case(world, relation, me, colleague)
            async with world.sessions() as session:
                shared = (
                    await session.scalars(
                        select(CaseAccess.organisation).where(CaseAccess.case_id == case.id)
                    )
                ).all()
            allowed = can(me, action, CaseScope.of(case, shared))
            path = f"/dashboard/cases/{case.reference}{suffix}"
            if method == "GET" and suffix == "/events":
                if allowed:
                    await read_events(app, c, path, want=0)  # opened: status 200
                    continue
                response = await c.get(path)
            elif method == "GET":
                response = await c.get(path)
            else:
                response = await post(c, path, **form)
            expected = (303 if method == "POST" else 200) if allowed else 404
            assert response.status_code == expected, (role, relation, suffix, response.text[:200])
            async with world.sessions() as session:
                actions = (
                    await session.scalars(
                        select(AuditEntry.action).where(
                            AuditEntry.case_id == case.id, AuditEntry.staff_id == me.id
                        )
                    )
                ).all()
            # Every view and change, and every refusal, is in the audit log.
            nothing_to_do = allowed and (
                (suffix == "/hand-back" and case.chat_held_by is None)
                or (suffix == "/release" and case.assigned_to is None)
            )
            assert actions or nothing_to_do, (role, relation, suffix)
            if not allowed:
                assert actions == ["denied"]


async def test_lists_show_only_what_one_may_see(world: World, client: Client) -> None:
    mine = await world.staff("ani")
    embassy = await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("w1", "orang")  # Migrant CARE
    await world.say("w2", "saya sedang dipukul di malaysia")  # KBRI Kuala Lumpur, urgent
    ours, theirs = (await world.case("")).reference, None
    async with world.sessions() as session:
        refs = {c.organisation: c.reference for c in (await session.scalars(select(Case))).all()}
    ours, theirs = refs["migrantcare"], refs["kbri-kuala-lumpur"]
    ani, budi = await client("ani"), await client("budi")
    listing = (await ani.get("/dashboard/cases")).text
    assert ours in listing and theirs not in listing
    listing = (await budi.get("/dashboard/cases")).text
    assert theirs in listing and ours not in listing and "Urgent" in listing
    home = (await budi.get("/dashboard/")).text
    assert "1</b> urgent" in home
    assert (await ani.get(f"/dashboard/cases/{theirs}")).status_code == 404
    assert (await ani.get("/dashboard/cases?queue=kbri-kl-protection")).status_code == 404
    del mine, embassy


async def test_whole_path_over_http_with_live_messages(
    world: World, client: Client, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Polling is slowed down: a message that arrives in time came by the live push.
    monkeypatch.setattr(stream, "POLL_SECONDS", 60.0)
    await world.staff("ani")
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.say("worker", "halo")
    await world.say("worker", "mau bicara dengan orang")
    case = await world.case()
    ani = await client("ani")

    queue = await ani.get("/dashboard/cases?queue=migrantcare-casework")
    assert case.reference in queue.text and "Unassigned" in queue.text
    page = await ani.get(f"/dashboard/cases/{case.reference}")
    assert "Claim and answer" in page.text and "mau bicara dengan orang" in page.text

    assert (await post(ani, f"/dashboard/cases/{case.reference}/claim")).status_code == 303
    reply = await ani.post(
        f"/dashboard/cases/{case.reference}/reply",
        data={"text": "Halo, saya Ani dari Migrant CARE."},
        headers={"x-csrftoken": ani.cookies["helpline_csrf"], "x-requested-with": "fetch"},
    )
    assert reply.status_code == 200
    async with world.sessions() as session:
        sent = await session.get_one(Message, reply.json()["message_id"])
    assert sent.status == "pending" and sent.origin == "officer" and sent.channel == "telegram"

    # The worker's answer appears on the officer's open stream without a reload.
    async with world.sessions() as session:
        last = await session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))
    path = f"/dashboard/cases/{case.reference}/events?after={last}"
    subscribed = asyncio.Event()
    subscribe = world.desk.live.subscribe

    @contextlib.asynccontextmanager
    async def noted(*topics: str) -> AsyncIterator[asyncio.Queue[str]]:
        async with subscribe(*topics) as queue:
            subscribed.set()
            yield queue

    monkeypatch.setattr(world.desk.live, "subscribe", noted)
    reader = asyncio.create_task(read_events(app, ani, path, want=1, seconds=5))
    await asyncio.wait_for(subscribed.wait(), 5)  # the stream is listening
    assert await world.say("worker", "terima kasih bu, gaji saya 3 bulan") == []
    [(kind, html)] = await reader
    assert kind == "message" and "gaji saya 3 bulan" in html and "Worker" in html

    # A shared note, a referral with a note, the embassy accepts, then closes it.
    assert (
        await post(
            ani, f"/dashboard/cases/{case.reference}/note", text="Paspor ditahan agen", shared="1"
        )
    ).status_code == 303
    moved = await post(
        ani,
        f"/dashboard/cases/{case.reference}/refer",
        queue="kbri-kl-protection",
        note="Mohon bantu",
    )
    assert moved.status_code == 303
    budi = await client("budi")
    page = await budi.get(f"/dashboard/cases/{case.reference}")
    assert "Mohon bantu" in page.text and "Paspor ditahan agen" in page.text
    assert (await post(budi, f"/dashboard/cases/{case.reference}/accept")).status_code == 303
    page = await ani.get(f"/dashboard/cases/{case.reference}")
    assert page.status_code == 200 and "Claim and answer" not in page.text  # read-only now
    assert (await post(budi, f"/dashboard/cases/{case.reference}/claim")).status_code == 303
    closed = await post(
        budi, f"/dashboard/cases/{case.reference}/close", outcome="resolved", note="Selesai"
    )
    assert closed.status_code == 303
    assert (await world.case()).status == "closed"

    [status] = await world.say("worker", f"status {case.reference}")
    assert case.reference in status.text and "ditutup" in status.text


async def test_invalid_input_is_explained_not_crashed(world: World, client: Client) -> None:
    await world.staff("ani", role="supervisor")
    await world.say("w", "orang")
    case = await world.case()
    c = await client("ani")
    response = await post(c, f"/dashboard/cases/{case.reference}/transfer", queue="nowhere")
    assert response.status_code == 303
    page = await c.get(response.headers["location"])
    assert "unknown queue" in page.text


@pytest.mark.parametrize(
    ("record", "banner", "css"),
    [
        ({"call_safe": "not_safe"}, "⚠ Do not call. Reply only in chat.", "call-no"),
        (
            {
                "call_safe": "some_times",
                "call_when": "evenings after 21:00",
                "phone": "+60123456789",
                "leave_message": "text_only",
            },
            "Call OK: only evenings after 21:00; no voicemail; SMS/WhatsApp OK",
            "call-ok",
        ),
    ],
)
async def test_the_call_advice_heads_the_case_page(
    world: World, client: Client, record: dict[str, str], banner: str, css: str
) -> None:
    await world.staff("ani", organisation="kemlu")  # urgent with no country: Kemlu's desk
    await world.say("worker-call", "halo")
    async with world.sessions.begin() as session:
        worker_id = await session.scalar(select(Message.worker_id).limit(1))
        case = await world.desk.open_case(
            session, worker_id or 0, source="complaint", category="abuse_violence", record=record
        )
        reference = case.reference
    page = (await (await client("ani")).get(f"/dashboard/cases/{reference}")).text
    assert f'class="call-advice {css}" id="call-advice"' in page
    assert banner in page
    assert page.index('id="call-advice"') < page.index("Conversation")  # above everything


async def test_a_case_without_its_home_province_says_so(world: World, client: Client) -> None:
    await world.staff("ani", organisation="kemenp2mi")
    await world.say("worker-province", "halo")
    async with world.sessions.begin() as session:
        worker_id = await session.scalar(select(Message.worker_id).limit(1))
        case = await world.desk.open_case(
            session, worker_id or 0, source="complaint", category="repatriation", country="SA"
        )
        reference, queue = case.reference, case.queue
    assert queue == "kemenp2mi-complaints"
    page = (await (await client("ani")).get(f"/dashboard/cases/{reference}")).text
    assert "home province unknown" in page
    assert 'id="call-advice"' not in page  # no complaint answers about calls: no advice


async def test_the_consent_shows_with_its_time_and_flow_version(
    world: World, client: Client
) -> None:
    await world.say("worker-consent", "halo")
    consent = {
        "answer": "yes",
        "at": "2026-11-23T03:04:00+00:00",
        "flow": "wages_unpaid",
        "flow_version": "ab12cd34ef56",
    }
    async with world.sessions.begin() as session:
        worker_id = await session.scalar(select(Message.worker_id).limit(1))
        case = await world.desk.open_case(
            session,
            worker_id or 0,
            source="complaint",
            category="wages_unpaid",
            country="MY",
            record={"name": "Ani", "consent": consent},
        )
        reference = case.reference
    await world.staff("ani", organisation=case.organisation)
    page = (await (await client("ani")).get(f"/dashboard/cases/{reference}")).text
    assert 'id="consent"' in page
    shown = page.split('id="consent">', 1)[1].split("</p>", 1)[0]
    assert "Consent given" in shown and "Nov 23, 2026 10:04 WIB" in shown
    assert "Wages unpaid or cut" in shown and "ab12cd34ef56" in shown
    assert "{&#39;answer&#39;" not in page and "Consent</dt>" not in page  # not as raw JSON


async def test_an_anonymised_case_says_so_and_shows_no_personal_data(
    world: World, client: Client
) -> None:
    supervisor = await world.staff("ani", role="supervisor")
    await world.say("worker-retention", "orang")
    case = await world.case()
    async with world.sessions.begin() as session:
        row = await session.get_one(Case, case.id)
        await world.desk.note(session, supervisor, row, "Nama: Ani Susanti")
        await world.desk.close(session, supervisor, row, "resolved")
        assert row.closed_at is not None
        later = row.closed_at + timedelta(days=400)
    async with world.sessions.begin() as session:
        await apply_retention(session, later, timedelta(days=365))
    page = (await (await client("ani")).get(f"/dashboard/cases/{case.reference}")).text
    assert 'id="anonymised"' in page and "Ani Susanti" not in page
    assert "orang" not in page  # the conversation is no longer linked


async def test_officers_see_that_the_data_summary_went_out_not_what_it_says(
    world: World, client: Client, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)
    await world.staff("ani")
    await world.say("worker-data", "orang")
    case = await world.case()
    async with world.sessions() as session:
        last = await session.scalar(select(Message.id).order_by(Message.id.desc()).limit(1))
    [summary] = await world.say("worker-data", "/intent:data_request")
    assert summary.private and case.reference in summary.text
    ani = await client("ani")
    page = (await ani.get(f"/dashboard/cases/{case.reference}")).text
    assert "The answer is shown only to them" in page
    assert "keeps about you" not in page and "Who can read it" not in page
    path = f"/dashboard/cases/{case.reference}/events?after={last}"
    events = await read_events(app, ani, path, want=2)
    lines = "".join(html for kind, html in events if kind == "message")
    assert "The answer is shown only to them" in lines and "keeps about you" not in lines


async def test_notifications_are_shown_counted_and_marked_read(
    world: World, client: Client, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)  # the stream answers once and ends
    await world.staff("budi", organisation="kbri-kuala-lumpur")  # on duty
    await world.say("w", "saya sedang dipukul di malaysia")  # urgent, to KBRI Kuala Lumpur
    case = await world.case()
    budi = await client("budi")
    home = (await budi.get("/dashboard/")).text
    assert f"New urgent case: {case.reference}" in home
    [event] = await read_events(app, budi, "/dashboard/events", want=1)
    assert event[0] == "notify" and data(event) == {"unread": 1}

    assert (await post(budi, "/dashboard/notifications/read")).status_code == 303
    home = (await budi.get("/dashboard/")).text
    assert "New urgent case" not in home
    [event] = await read_events(app, budi, "/dashboard/events", want=1)
    assert data(event) == {"unread": 0}


async def test_an_officers_urgent_flag_reaches_the_missions_dashboard(
    world: World, client: Client, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_SECONDS", 0.0)
    ani = await world.staff("ani")
    await world.staff("budi", organisation="kbri-kuala-lumpur")
    await world.staff("sari", role="supervisor")
    await world.say("w", "malaysia")
    await world.say("w", "orang")
    case = await world.case()
    async with world.sessions.begin() as session:
        await world.desk.claim(session, ani, await session.get_one(Case, case.id))
    officer, budi, sari = await client("ani"), await client("budi"), await client("sari")
    page = (await officer.get(f"/dashboard/cases/{case.reference}")).text
    assert 'id="flag-urgent"' in page

    response = await post(officer, f"/dashboard/cases/{case.reference}/flag-urgent")
    assert response.status_code == 303
    page = (await officer.get(f"/dashboard/cases/{case.reference}")).text
    assert 'id="flag-urgent"' not in page and "KBRI Kuala Lumpur" in page  # also visible to

    home = (await budi.get("/dashboard/")).text
    assert f"New urgent case: {case.reference}" in home
    assert "Shared with KBRI Kuala Lumpur" in home and case.reference in home
    [event] = await read_events(app, budi, "/dashboard/events", want=1)
    assert data(event) == {"unread": 1}
    assert (await budi.get(f"/dashboard/cases/{case.reference}")).status_code == 200

    # Nobody takes it up: Migrant CARE's supervisor is told.
    async with world.sessions.begin() as session:
        later = world.clock.now + timedelta(minutes=20)
        assert await flag_unclaimed(session, world.desk.alerts, later, timedelta(minutes=15))
    home = (await sari.get("/dashboard/")).text
    assert f"Urgent and nobody has taken it up: {case.reference}" in home


async def test_evidence_is_served_only_for_the_cases_worker(world: World, client: Client) -> None:
    await world.staff("ani")
    await world.say("w1", "orang")
    await world.say("w2", "halo")
    case = await world.case()
    async with world.sessions.begin() as session:
        files = {}
        for user, mine in (("w1", True), ("w2", False)):
            is_theirs = Message.worker_id == case.worker_id
            message = await session.scalar(
                select(Message).where(is_theirs if mine else ~is_theirs).limit(1)
            )
            assert message is not None
            item = Evidence(
                message_id=message.id,
                worker_id=message.worker_id,
                channel="telegram",
                position=0,
                kind="photo",
                content_type="image/png",
                data=f"picture of {user}".encode(),
                status="stored",
            )
            session.add(item)
            await session.flush()
            files[user] = item.id
    ani = await client("ani")
    base = f"/dashboard/cases/{case.reference}/evidence"
    shown = await ani.get(f"{base}/{files['w1']}")
    assert shown.status_code == 200 and shown.content == b"picture of w1"
    assert shown.headers["content-disposition"] == f'inline; filename="evidence-{files["w1"]}"'
    assert shown.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert (await ani.get(f"{base}/{files['w2']}")).status_code == 404  # another worker's
    async with world.sessions() as session:
        seen = (
            await session.scalars(select(AuditEntry.data).where(AuditEntry.action == "viewed"))
        ).all()
    assert {"what": f"evidence:{files['w1']}"} in seen


async def test_going_off_and_on_duty(world: World, client: Client) -> None:
    ani = await world.staff("ani")
    c = await client("ani")
    assert (await post(c, "/dashboard/duty", on_duty="0")).status_code == 303
    assert not (await world.staff_row(ani.id)).on_duty
    assert "Off duty" in (await c.get("/dashboard/")).text
    assert (await post(c, "/dashboard/duty", on_duty="1")).status_code == 303
    assert (await world.staff_row(ani.id)).on_duty


async def test_an_officer_sends_an_entry_of_the_service_directory(
    world: World, client: Client
) -> None:
    """The case page offers the directory's services for the worker's country, in the
    worker's language; the one sent goes out through the outbox and is named in the audit."""
    await world.staff("ani")
    await world.say("worker", "sy kerja di malaysia, mau bicara dengan orang")
    case = await world.case()
    ani = await client("ani")
    assert (await post(ani, f"/dashboard/cases/{case.reference}/claim")).status_code == 303
    page = (await ani.get(f"/dashboard/cases/{case.reference}")).text
    assert 'id="service-pick"' in page
    assert '<option value="kbri_kl_shelter"' in page
    assert "Penampungan KBRI Kuala Lumpur: rumah aman di KBRI" in page  # the worker reads id
    assert "+60 17-668 8032" in page
    assert '<option value="kdei_shelter"' not in page  # Taiwan's: not for this worker
    assert page.index('value="kbri_kl_shelter"') < page.index('value="kemensos"')

    text = "Penampungan KBRI Kuala Lumpur: rumah aman di KBRI\n  ☎ +60 17-668 8032"
    for service in ("kbri_kl_shelter", "made_up"):
        sent = await ani.post(
            f"/dashboard/cases/{case.reference}/reply",
            data={"text": text, "service": service},
            headers={"x-csrftoken": ani.cookies["helpline_csrf"], "x-requested-with": "fetch"},
        )
        assert sent.status_code == 200
    async with world.sessions() as session:
        messages = (
            await session.scalars(
                select(Message).where(Message.origin == "officer").order_by(Message.id)
            )
        ).all()
        replied = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "replied", AuditEntry.case_id == case.id)
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [m.text for m in messages] == [text, text]
    assert all(m.status == "pending" for m in messages)
    assert [e.data.get("service") for e in replied] == ["kbri_kl_shelter", None]
