"""A worker asks what is stored about them and gets it, in their language, in their chat:
through the trained NLU, the real flows and the case desk, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases import queries
from bot.messages import Inbound
from bot.storage.models import Case, CaseAccess, Message, Origin
from tests.flows.conftest import Chat, World, chat, world

__all__ = ["chat", "world"]  # the complaint flows' world: real NLU, flows and database


async def _complaint(chat: Chat, lang: str) -> str:
    await chat.start_about("wages_unpaid", lang)
    return await chat.finish(lang)


async def test_the_worker_gets_what_is_stored_about_them_in_indonesian(
    chat: Chat, world: World
) -> None:
    reference = await _complaint(chat, "id")
    await chat.say("data apa yg kalian simpan tentang saya?")
    [summary] = chat.replies
    text = summary.text
    case = await world.case(reference)
    assert case.record is not None
    consent = case.record["consent"]
    assert reference in text and "gaji tidak dibayar" in text
    assert world.runtime.desk.directory.organisation_name(case.organisation) in text
    assert "sudah diterima, menunggu petugas" in text  # the status, in their words
    assert "Ani Susanti dari Kowloon" in text  # the form's answers, whole
    assert consent["flow_version"] in text  # the consent, with the version agreed to
    assert f"{chat.sent} pesan" in text  # every message, this one too
    assert "hapus data saya" in text and "Hapus data saya" in [
        q.title for q in summary.quick_replies
    ]


async def test_in_english_and_without_a_case(world: World) -> None:
    chat = Chat(world, "budi")
    await chat.say("hello")
    await chat.say("what do you know about me?")
    text = chat.text
    assert "This is what the helpline keeps about you" in text
    assert "2 messages" in text and "You have no case with us" in text


async def test_only_the_worker_reads_the_summary(chat: Chat, world: World) -> None:
    """Officers of one organisation must not read, through the conversation, what another
    organisation holds: the summary is stored as private and shown to them as a placeholder."""
    reference = await _complaint(chat, "id")
    other = Chat(world, "citra")
    other_reference = await _complaint(other, "id")
    await chat.say("sy mau lihat data sy")
    assert other_reference not in chat.text and "citra" not in chat.text
    async with world.runtime.sessions() as session:
        sent = await session.scalar(
            select(Message).where(Message.origin == Origin.PRIVATE).order_by(Message.id.desc())
        )
        case = await session.scalar(select(Case).where(Case.reference == reference))
        assert sent is not None and case is not None
        [line] = [x for x in await queries.conversation(session, case) if x.id == sent.id]
    assert line.private and line.text == ""
    # A repeat of the channel's delivery gets the same answer, still private.
    repeat = Inbound(chat.channel, chat.user, "sy mau lihat data sy", f"ani-{chat.sent}")
    again = await world.runtime.engine.handle(repeat)
    assert again and again[0].private and reference in again[0].text


async def test_every_organisation_holding_the_case_is_named(chat: Chat, world: World) -> None:
    reference = await _complaint(chat, "en")
    async with world.runtime.sessions.begin() as session:
        case = await session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        session.add(CaseAccess(case_id=case.id, organisation="bp3mi-jatim", reason="share"))
        owner = case.organisation
    await chat.say("who has my report and what does it say")
    directory = world.runtime.desk.directory
    line = next(x for x in chat.text.splitlines() if x.startswith("Who can read it"))
    assert directory.organisation_name(owner) in line
    assert directory.organisation_name("bp3mi-jatim") in line


async def test_deleting_after_seeing_works_as_before(chat: Chat, world: World) -> None:
    reference = await _complaint(chat, "id")
    await chat.say("data sy yg kalian simpan apa aja")
    await chat.press("Hapus data saya")
    assert "tidak bisa dibatalkan" in chat.text  # the confirmation, as before
    await chat.press("Ya, hapus")
    case = await world.case(reference)
    assert case.record is None and case.worker_id is None and case.outcome == "data_deleted"
    await chat.say("what do you know about me?")
    assert "You have no case with us" in chat.text or "Anda tidak punya" in chat.text


async def test_asking_in_the_middle_of_a_complaint_keeps_the_complaint(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await chat.press("Ya, saya setuju")
    await chat.say("data apa yg kalian simpan tentang saya?")
    assert "Pesan Anda: 3 pesan" in chat.text
    assert "Laporan yang belum selesai dengan 1 jawaban" in chat.text
    progress = await chat.progress()
    assert progress is not None and progress.paused  # the report waits, as for "hapus data"
