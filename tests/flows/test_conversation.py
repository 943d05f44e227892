"""What a worker can do inside a complaint flow, through the real engine and database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.messages import Attachment
from tests.flows.conftest import REFERENCE, Chat, World, record_of, until


async def test_mau_lapor_asks_the_category_then_starts_that_flow(chat: Chat) -> None:
    await chat.say("mau lapor")
    assert "Pengaduan Anda tentang apa" in chat.text
    assert chat.buttons[1] == "Paspor / dokumen ditahan"
    await chat.say("2")  # typed, as on WhatsApp
    assert "Paspor / dokumen ditahan" in chat.text and "Apakah Anda setuju" in chat.text
    assert (await chat.progress()).flow == "document_withheld"  # type: ignore[union-attr]


async def test_the_category_can_be_written_in_words_even_misspelt(chat: Chat) -> None:
    await chat.say("i want to make a complaint")
    await chat.say("my pasport")
    assert (await chat.progress()).flow == "document_withheld"  # type: ignore[union-attr]


async def test_a_report_that_names_its_problem_skips_the_category_question(chat: Chat) -> None:
    await chat.say("mau lapor, gaji saya tidak dibayar")
    assert (await chat.progress()).flow == "wages_unpaid"  # type: ignore[union-attr]


def _number(menu: str, label: str) -> str:
    """The number the menu gives the item starting with label ("6. Lapor ..." -> "6")."""
    return next(line.split(". ")[0] for line in menu.splitlines() if f". {label}" in line)


async def test_the_complaint_menu_item_typed_starts_a_complaint(chat: Chat) -> None:
    await chat.say("halo")
    await chat.say(_number(chat.text, "Lapor"))
    assert "Pengaduan Anda tentang apa" in chat.text


async def test_what_was_said_before_is_not_asked_again(chat: Chat) -> None:
    await chat.say("gaji saya RM1500 blm dibayar 3 bulan, sy kerja di malaysia")
    await chat.press("Ya, laporkan")
    await until(chat, "owed", "id")
    assert "negara mana" not in chat.text.lower()
    progress = await chat.progress()
    assert progress is not None
    assert progress.slots["country"] == "MY"
    assert progress.slots["wage"] == {"amount": "1500", "currency": "MYR"}
    assert progress.slots["unpaid_for"] == {"amount": 3, "unit": "month"}
    assert set(progress.prefilled) == {"country", "wage", "unpaid_for"}


async def test_a_wrong_answer_is_explained_with_an_example(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "unpaid_for", "id")
    await chat.say("dari dulu")
    assert chat.replies[0].text.startswith("Tolong tulis berapa lama, contoh: 3 bulan")
    assert "Sudah berapa lama" in chat.replies[-1].text
    await chat.say("xx")
    assert "lewati" in chat.text or "petugas" in chat.text  # after two tries: a way out


async def test_back_at_the_first_question_says_so(chat: Chat) -> None:
    await chat.say("/flow:start:repatriation")
    await chat.say("kembali")
    assert "Ini pertanyaan pertama" in chat.text and "setuju" in chat.text


async def test_a_required_question_cannot_be_skipped(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "name", "id")
    await chat.say("lewati")
    assert "tidak bisa dilewati" in chat.text
    assert (await chat.step()).id == "name"  # type: ignore[union-attr]


async def test_cancel_asks_first_and_no_goes_on(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("batal")
    assert "Mau berhenti" in chat.text
    await chat.say("tidak")
    assert "kita lanjutkan" in chat.text and "kota" in chat.text
    assert (await chat.progress()).slots["name"]  # type: ignore[union-attr]


async def test_cancel_confirmed_deletes_the_answers(chat: Chat) -> None:
    await chat.say("/lang:en")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "en")
    await chat.say("cancel")
    await chat.press("Yes, stop")
    assert "cancelled" in chat.text and "Wages unpaid or cut" in chat.text  # the menu
    assert await chat.progress() is None


async def test_consent_refused_keeps_nothing(chat: Chat) -> None:
    await chat.say("/flow:start:legal_status")
    await chat.press("Tidak")
    assert "tidak menyimpan apa pun" in chat.text
    assert await chat.progress() is None


async def test_consent_is_recorded_with_the_flow_version_and_time(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await chat.press("Ya, saya setuju")
    agreed_at = world.now
    reference = await chat.finish("id")
    flow = world.library.get("wages_unpaid")
    assert flow is not None
    assert record_of(await world.case(reference))["consent"] == {
        "answer": "yes",
        "at": agreed_at.isoformat(),
        "flow": "wages_unpaid",
        "flow_version": flow.version,
    }


async def test_anonymous_skips_name_and_phone(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:abuse_violence")
    assert "Tanpa nama" in chat.buttons
    await chat.press("Tanpa nama")
    reference = await chat.finish("id")
    record = record_of(await world.case(reference))
    assert record["anonymous"] is True and "name" not in record and "phone" not in record
    assert record["consent"]["answer"] == "anonymous"


async def test_language_switch_mid_flow_goes_on_in_english(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("english please")
    assert "English" in chat.text
    assert chat.replies[-1].text.startswith("In which city")
    await chat.say("Penang")
    assert chat.replies[-1].text.startswith("What is the name of your employer")


async def test_a_rights_question_is_answered_then_the_question_comes_again(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    answered = dict((await chat.progress()).slots)  # type: ignore[union-attr]
    await chat.say("apa hak saya kalau paspor ditahan?")
    assert "paspor" in chat.replies[0].text.lower()
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")
    progress = await chat.progress()
    assert progress is not None and progress.slots == answered and progress.step == "city"


async def test_a_greeting_mid_flow_is_a_reminder_not_an_answer(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("halo kak")
    assert "Kita sedang membuat laporan" in chat.text
    assert (await chat.step()).id == "city"  # type: ignore[union-attr]


async def test_the_flow_resumes_after_a_restart(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    before = await chat.progress()
    await world.restart()  # a new process: nothing but the database
    await chat.say("Mrs Chan")
    progress = await chat.progress()
    assert progress is not None and progress.slots["employer"] == "Mrs Chan"
    assert {k: v for k, v in progress.slots.items() if k != "employer"} == before.slots  # type: ignore[union-attr]
    reference = await chat.finish("id")
    assert record_of(await world.case(reference))["employer"] == "Mrs Chan"


async def test_coming_back_hours_later_gets_a_reminder(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("halo", after=timedelta(hours=5))
    assert "Selamat datang kembali" in chat.text and "Gaji tidak dibayar" in chat.text
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")
    # A valid answer after a while is taken, with the reminder first.
    await until(chat, "unpaid_for", "id")
    await chat.say("2 bulan", after=timedelta(hours=6))
    assert (await chat.progress()).slots["unpaid_for"] == {"amount": 2, "unit": "month"}  # type: ignore[union-attr]


async def test_a_report_left_too_long_expires_politely(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("halo", after=timedelta(days=8))
    assert "sudah dihapus" in chat.replies[0].text and "7 hari" in chat.replies[0].text
    assert ". Gaji" in chat.text  # and the greeting is answered as usual, with the menu
    assert await chat.progress() is None


async def test_danger_jumps_to_the_emergency_reply_and_marks_the_report_urgent(
    chat: Chat, world: World
) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    answered = dict((await chat.progress()).slots)  # type: ignore[union-attr]
    await chat.say("tolong saya dikunci majikan sekarang")
    assert chat.replies[0].text.startswith("🚨")
    assert "Laporan Anda tersimpan" in chat.text
    emergency_case = await world.case()
    progress = await chat.progress()
    assert progress is not None and progress.urgent and progress.paused
    assert progress.slots == answered
    await chat.press("Lanjutkan laporan")
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")
    reference = await chat.finish("id")
    case = await world.case(reference)
    assert case.priority == "urgent" and case.id != emergency_case.id
    record = record_of(case)
    assert record["danger_reported"] is True
    assert record["related_cases"] == [emergency_case.reference]


async def test_not_safe_now_brings_the_emergency_numbers_and_an_urgent_case(
    chat: Chat, world: World
) -> None:
    await chat.say("gaji sy blm dibayar, sy di malaysia")
    await chat.press("Ya, laporkan")
    await until(chat, "safe_now", "id")
    await chat.say("tidak")
    assert any(r.text.startswith("🚨") for r in chat.replies)
    assert chat.replies[-1].text.startswith("Ceritakan")
    reference = await chat.finish("id")
    case = await world.case(reference)
    assert case.priority == "urgent" and case.queue == "kbri-kl-protection"
    assert record_of(case)["safe_now"] is False


async def test_talking_to_a_person_keeps_the_report_for_later(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("/intent:talk_to_human")
    assert "Laporan Anda tersimpan" in chat.text and "petugas" in chat.text
    assert (await chat.progress()).paused  # type: ignore[union-attr]
    await chat.say("lanjut")
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")


async def test_evidence_sent_at_any_step_is_kept_and_listed(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("", attachments=(Attachment("photo", file_id="p1"),))
    assert "file Anda sudah saya simpan" in chat.text
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")
    await until(chat, "evidence", "id")
    assert "Sudah ada 1 file" in chat.text
    await chat.say("", attachments=(Attachment("voice", file_id="v1"), Attachment("document")))
    assert "sekarang ada 3 file" in chat.text
    await chat.say("selesai")
    assert "Bukti: 3 file" in chat.text
    reference = await chat.finish("id")
    evidence = record_of(await world.case(reference))["evidence"]
    assert [e["kind"] for e in evidence] == ["photo", "voice", "document"]
    assert [e["position"] for e in evidence] == [0, 0, 1]
    assert all(isinstance(e["message_id"], int) for e in evidence)


async def test_an_answer_is_corrected_from_the_summary(chat: Chat, world: World) -> None:
    await chat.say("/lang:en")
    await chat.say("/flow:start:contract_info")
    for _ in range(40):
        step = await chat.step()
        if step is None:
            break
        await chat.answer(step, "en")
    summary = chat.replies[-1].text
    number = next(line.split(".")[0] for line in summary.splitlines() if "City / area:" in line)
    await chat.say(f"change {number}")
    assert "let's change it" in chat.text and "(Your answer was: Ani Susanti" in chat.text
    await chat.say("Kuala Lumpur")
    assert f"{number}. City / area: Kuala Lumpur" in chat.text
    await chat.say("99")
    assert "There is no answer number 99" in chat.text
    await chat.press("Send report")
    reference = REFERENCE.search(chat.text)
    assert reference is not None
    assert record_of(await world.case(reference.group(0)))["city"] == "Kuala Lumpur"


async def test_changing_the_category_keeps_the_answers_that_fit(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    for _ in range(40):
        step = await chat.step()
        if step is None:
            break
        await chat.answer(step, "id")
    await chat.say("1")  # field 1 is the problem itself
    assert "Pengaduan Anda tentang apa" in chat.text
    await chat.press("Kontrak kerja")
    progress = await chat.progress()
    assert progress is not None and progress.flow == "contract_info"
    assert progress.slots["name"] == "Ani Susanti dari Kowloon" and "wage" not in progress.slots
    assert (await chat.step()).id == "issue"  # type: ignore[union-attr]


async def test_the_answers_in_progress_are_encrypted_at_rest(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "country", "id")
    async with world.runtime.sessions() as session:
        state, flow = (await session.execute(text("SELECT state, flow FROM conversations"))).one()
    assert "Ani Susanti" not in str(state) and "Ani Susanti" not in flow
    assert "Ani Susanti" in world.runtime.cipher.decrypt(flow)  # kept, sealed


async def test_deleting_my_data_mid_flow_deletes_the_report_too(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("hapus data saya")
    assert "Mau saya hapus" in chat.text
    await chat.press("Ya, hapus")
    assert "sudah dihapus" in chat.text
    assert await chat.progress() is None


async def test_a_saved_report_is_mentioned_when_the_worker_comes_back_to_the_menu(
    chat: Chat,
) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("/menu")
    assert chat.replies[0].text.startswith("Laporan Anda tersimpan") and ". Gaji" in chat.text
    await chat.say("halo")
    assert "Laporan Anda tersimpan" in chat.text and ". Gaji" in chat.replies[-1].text
    # "make a complaint" in the menu, typed: this one goes on
    await chat.say(_number(chat.replies[-1].text, "Lapor"))
    assert chat.replies[-1].text.startswith("Di kota atau daerah mana")


async def test_typed_numbers_match_the_buttons_as_whatsapp_numbers_them(chat: Chat) -> None:
    await chat.say("/flow:start:working_conditions")
    await chat.say("1")  # consent: "Ya, saya setuju"
    await chat.say("1")  # issue: no rest day
    step = await chat.step()
    assert step is not None and step.id == "rest_days" and step.type == "number"
    assert "Lewati" not in chat.buttons  # "1. Lewati" would eat the answer 1
    await chat.say("1")
    assert (await chat.progress()).slots["rest_days"] == 1  # type: ignore[union-attr]
    await until(chat, "city", "id")
    await chat.say("1")  # the only button is "1. Lewati"
    assert "city" in (await chat.progress()).skipped  # type: ignore[union-attr]


async def test_the_reference_is_announced_once_by_the_case_desk(chat: Chat, world: World) -> None:
    await chat.say("/flow:start:wages_unpaid")
    reference = await chat.finish("id")
    case = await world.case(reference)
    told = [r for r in chat.replies if reference in r.text]
    assert len(told) == 1 and chat.replies[0] is told[0]
    assert told[0].text.startswith("Terima kasih. Laporan Anda sudah dikirim ke petugas.")
    assert [q.payload for q in told[0].quick_replies] == ["/intent:talk_to_human", "/menu"]
    assert record_of(case)["reference"] == case.reference == reference
