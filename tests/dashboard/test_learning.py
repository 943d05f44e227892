"""Messages the bot did not understand: kept scrubbed, listed for editors with repeats
counted, labelled or dismissed, exported into nlu_data/, deleted after the retention period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from bot.cases.retention import apply_retention
from bot.learning.store import LEARNED, export_labelled
from bot.nlu.data import load_rasa
from bot.storage.models import AuditEntry, LearningStatus, Unrecognised, utcnow
from tests.cases.conftest import World
from tests.dashboard.conftest import Client, post

# What the test workers write that identifies them: none of it may be kept.
PERSONAL = ("Siti", "Aminah", "0812", "3456", "7890", "A1234567", "Hendra", "Merdeka")
SAID = "nama saya Siti Aminah, hp 0812-3456-7890, mau nanya soal arisan online"


async def _rows(world: World) -> list[Unrecognised]:
    async with world.sessions() as session:
        return list((await session.scalars(select(Unrecognised).order_by(Unrecognised.id))).all())


async def test_what_is_not_understood_is_kept_without_personal_data(world: World) -> None:
    await world.say("w1", SAID)  # the keyword NLU calls it out of scope
    await world.say("w2", "nama saya Siti Aminah, hp 0812-3456-7890, mau nanya soal arisan online")
    await world.say("w3", "pak Hendra di Jl. Merdeka 5 jual pulsa murah, paspor A1234567")
    await world.say("w4", "gaji 3 bulan blm dibayar")  # understood: not kept
    rows = await _rows(world)
    assert [r.reason for r in rows] == ["out_of_scope"] * 3
    assert rows[0].text == "nama saya <name>, hp <phone>, mau nanya soal arisan online"
    assert rows[0].fingerprint == rows[1].fingerprint != rows[2].fingerprint
    assert rows[0].guess == "out_of_scope" and rows[0].language
    # Neither the decrypted text nor what the database holds shows any of it.
    async with world.sessions() as session:
        raw = (await session.execute(text("SELECT text, fingerprint FROM unrecognised"))).all()
    for row in rows:
        assert not any(p.lower() in row.text.lower() for p in PERSONAL), row.text
    for stored, fingerprint in raw:
        assert "arisan" not in stored  # encrypted at rest
        assert not any(p in stored or p in fingerprint for p in PERSONAL)


async def test_editors_label_repeats_at_once_and_export_them(
    world: World, client: Client, tmp_path: Path
) -> None:
    for user in ("w1", "w2", "w3"):
        await world.say(user, SAID)
    await world.say("w4", "pak Hendra jual pulsa murah gk?")
    await world.staff("eka", role="editor", organisation=None)
    eka = await client("eka")
    page = (await eka.get("/dashboard/learning")).text
    assert "nama saya &lt;name&gt;, hp &lt;phone&gt;, mau nanya soal arisan online" in page
    assert "3 times" in page and "1 time" in page
    assert not any(p in page for p in PERSONAL)
    rows = await _rows(world)
    first, other = rows[0].fingerprint, rows[-1].fingerprint

    assert (
        await post(eka, f"/dashboard/learning/{first}", intent="out_of_scope")
    ).status_code == 303
    assert (await post(eka, f"/dashboard/learning/{other}", dismiss="1")).status_code == 303
    refused = await post(eka, f"/dashboard/learning/{other}", intent="no_such_intent")
    assert refused.status_code == 303  # back to the page with an error; nothing changes
    rows = await _rows(world)
    assert [r.status for r in rows] == [LearningStatus.LABELLED] * 3 + [LearningStatus.DISMISSED]
    assert {r.intent for r in rows[:3]} == {"out_of_scope"}
    assert "arisan" not in (await eka.get("/dashboard/learning")).text  # no longer waiting
    async with world.sessions() as session:
        audited = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("learning_%"))
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [(e.action, e.data) for e in audited] == [
        ("learning_labelled", {"intent": "out_of_scope", "messages": 3}),
        ("learning_dismissed", {"intent": None, "messages": 1}),
    ]

    nlu_data = tmp_path / "nlu_data"
    async with world.sessions.begin() as session:
        assert await export_labelled(session, nlu_data) == {"id": 1}
    async with world.sessions.begin() as session:
        assert await export_labelled(session, nlu_data) == {}  # each is exported once
    written = (nlu_data / "id" / LEARNED).read_text(encoding="utf-8")
    assert not any(p in written for p in PERSONAL)
    examples = load_rasa(nlu_data)
    assert [(e.text, e.intent, e.language) for e in examples] == [
        ("nama saya, hp, mau nanya soal arisan online", "out_of_scope", "id")
    ]


async def test_officers_do_not_see_the_page(world: World, client: Client) -> None:
    await world.staff("ani")
    ani = await client("ani")
    assert (await ani.get("/dashboard/learning")).status_code == 404


async def test_kept_messages_go_after_the_retention_period(world: World) -> None:
    await world.say("w1", SAID)
    async with world.sessions.begin() as session:
        removed = await apply_retention(session, utcnow(), timedelta(days=30))
        assert removed.unrecognised == 0
        later = utcnow() + timedelta(days=31)
        removed = await apply_retention(session, later, timedelta(days=30))
        assert removed.unrecognised == 1
        assert await session.scalar(select(func.count()).select_from(Unrecognised)) == 0
