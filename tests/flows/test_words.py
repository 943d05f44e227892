"""A complaint flow answered in workers' own words, through the real engine and database."""

from __future__ import annotations

import pytest

from tests.flows.conftest import REFERENCE, Chat, World, record_of, until


async def test_a_city_is_an_answer_not_a_command(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "city", "id")
    await chat.say("Jeddah")
    progress = await chat.progress()
    assert progress is not None and not progress.paused
    assert progress.slots["city"] == "Jeddah"
    assert (await chat.step()).id == "employer"  # type: ignore[union-attr]


@pytest.mark.parametrize("said", ["batal", "batal ya", "Batal aja!", "cancel dong", "tolong batal"])
async def test_cancel_said_politely_is_still_cancel(chat: Chat, said: str) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say(said)
    assert "Mau berhenti" in chat.text


async def test_a_word_inside_an_answer_is_not_a_command(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "employer", "id")
    await chat.say("Stop and Shop Sdn Bhd")
    progress = await chat.progress()
    assert progress is not None and progress.slots["employer"] == "Stop and Shop Sdn Bhd"


@pytest.mark.parametrize(
    "said",
    ["gk tau", "ga tau", "tidak tahu", "nggak tahu", "lupa", "i don't know", "dunno", "not sure"],
)
async def test_dont_know_answers_an_optional_question_as_unknown(chat: Chat, said: str) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_licence", "id")
    await chat.say(said)
    progress = await chat.progress()
    assert progress is not None
    assert "agency_licence" not in progress.slots and "agency_licence" in progress.unknown
    assert (await chat.step()).id == "safe_now"  # type: ignore[union-attr]


@pytest.mark.parametrize("said", ["skip", "lewat", "lewati aja"])
async def test_skip_words_skip_an_optional_question(chat: Chat, said: str) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_licence", "id")
    await chat.say(said)
    progress = await chat.progress()
    assert progress is not None and "agency_licence" in progress.skipped
    assert "agency_licence" not in progress.slots


async def test_dont_know_is_shown_in_the_summary_and_the_record(chat: Chat, world: World) -> None:
    await chat.say("/lang:en")
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_licence", "en")
    await chat.say("i don't know")
    reference = await chat.finish("en")
    assert reference
    record = record_of(await world.case(reference))
    assert record["agency_licence"] is None and record["not_known"] == ["agency_licence"]


async def test_dont_know_in_the_indonesian_summary(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_licence", "id")
    await chat.say("gk tau")
    for _ in range(20):
        step = await chat.step()
        if step is None:
            break
        await chat.answer(step, "id")
    assert "Izin agensi: (tidak tahu)" in chat.text


async def test_dont_know_to_a_required_question_says_it_is_needed(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "unpaid_for", "id")
    await chat.say("gk tau")
    assert "perlu" in chat.text.lower() and "Bicara dengan petugas" in chat.buttons
    assert (await chat.step()).id == "unpaid_for"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("iya", True), ("iyaa", True), ("ya", True), ("yaa", True), ("y", True),
        ("betul", True), ("benar", True), ("bener", True), ("aman", True), ("gpp", True),
        ("udah", True), ("sudah", True), ("ok", True), ("oke", True), ("yes", True),
        ("yep", True), ("sure", True), ("aman kok", True),
        ("nggak", False), ("ngga", False), ("gak", False), ("ga", False), ("enggak", False),
        ("tdk", False), ("blm", False), ("no", False), ("nope", False),
        ("gak aman", False), ("tidak aman", False),
    ],
)  # fmt: skip
async def test_yes_and_no_in_common_forms(chat: Chat, said: str, value: bool) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "safe_now", "id")
    await chat.say(said)
    progress = await chat.progress()
    assert progress is not None and progress.slots.get("safe_now") is value, chat.text


async def test_yes_with_the_agency_name_fills_the_next_question(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_known", "id")
    await chat.say("ya, PT Sinar Jaya Abadi")
    progress = await chat.progress()
    assert progress is not None
    assert progress.slots["agency_known"] is True
    assert progress.slots["agency_name"] == "PT Sinar Jaya Abadi"
    assert (await chat.step()).id == "agency_licence"  # type: ignore[union-attr]
    assert "nama agensi" not in chat.text.lower()


async def test_a_bare_yes_still_asks_the_next_question(chat: Chat) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "agency_known", "id")
    await chat.say("iya")
    assert (await chat.step()).id == "agency_name"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("setengah tahun", {"amount": 6, "unit": "month"}),
        ("satu setengah bulan", {"amount": 1.5, "unit": "month"}),
        ("a year and a half", {"amount": 18, "unit": "month"}),
    ],
)
async def test_durations_in_words(chat: Chat, said: str, value: dict[str, object]) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "unpaid_for", "id")
    await chat.say(said)
    progress = await chat.progress()
    assert progress is not None and progress.slots["unpaid_for"] == value


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("rm 6rb", {"amount": "6000", "currency": "MYR"}),
        ("6k ringgit", {"amount": "6000", "currency": "MYR"}),
    ],
)
async def test_amounts_in_words(chat: Chat, said: str, value: dict[str, object]) -> None:
    await chat.say("/flow:start:wages_unpaid")
    await until(chat, "wage", "id")
    await chat.say(said)
    progress = await chat.progress()
    assert progress is not None and progress.slots["wage"] == value


async def _to_summary(chat: Chat, lang: str, said: dict[str, str]) -> None:
    """Answer every question up to the summary, some of them as given."""
    for _ in range(40):
        step = await chat.step()
        if step is None:
            return
        if step.id in said:
            await chat.say(said[step.id])
        else:
            await chat.answer(step, lang)
    raise AssertionError("never reached the summary")


@pytest.mark.parametrize(
    ("lang", "fix", "step", "value"),
    [
        ("id", "eh salah, 5 bulan bukan 4", "unpaid_for", {"amount": 5, "unit": "month"}),
        ("id", "bukan 4 bulan tapi 5", "unpaid_for", {"amount": 5, "unit": "month"}),
        ("id", "nama sy Ani bukan Ana", "name", "Ani"),
        ("id", "negara nya malaysia bukan singapura", "country", "MY"),
        ("en", "sorry, it's 5 months not 4", "unpaid_for", {"amount": 5, "unit": "month"}),
    ],
)
async def test_a_correction_in_words_at_the_summary(
    chat: Chat, lang: str, fix: str, step: str, value: object
) -> None:
    if lang == "en":
        await chat.say("/lang:en")
    await chat.say("/flow:start:wages_unpaid")
    await _to_summary(chat, lang, {"unpaid_for": "4 bulan", "name": "Ana", "country": "Singapura"})
    assert (await chat.progress()).step == "summary"  # type: ignore[union-attr]
    await chat.say(fix)
    progress = await chat.progress()
    assert progress is not None and progress.step == "summary", chat.text
    assert progress.slots[step] == value
    check = "periksa laporan Anda" if lang == "id" else "Please check your report"
    assert check in chat.text  # the updated summary, asked again
    assert not REFERENCE.search(chat.text)  # not sent before the worker confirms
