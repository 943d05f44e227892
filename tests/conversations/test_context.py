"""The policy's context in whole conversations (issue 12): several problems in one message,
follow-ups, where the worker is, a language switch carrying a question, another's case
reference, a thumbs-up. Real engine, trained NLU, real content; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from bot.messages import Reply

from .conftest import Say, joined

PASSPORT_ID = "🛂 Paspor Anda adalah milik Anda"
PASSPORT_EN = "🛂 Your passport belongs to you"
WAGES_ID = "💰 Gaji adalah hak Anda"
HOURS_EN = "Working hours, rest days, leave and facilities"
HOME_ID = "🏠 Pulang dengan aman adalah hak Anda"
FEES_EN = "By law, migrant workers may not be charged placement costs"
OUT_OF_SCOPE_ID = "Maaf, saya hanya bisa membantu soal bekerja di luar negeri"
NOT_UNDERSTOOD_ID = "Maaf, saya tidak mengerti"


def _offered(replies: list[Reply]) -> set[str]:
    return {q.payload for r in replies for q in r.quick_replies}


# Several problems in one message ---------------------------------------------------------


async def test_passport_and_wages_answers_the_passport_first_and_offers_wages(
    worker: Callable[[str], Say],
) -> None:
    say = worker("multi-1")
    replies = await say("majikan sy tahan paspor, gaji jg blm dibayar 2 bln. sy di malaysia")
    text = joined(replies)
    assert text.startswith(PASSPORT_ID)  # documents before wages
    assert "Malaysia" in text  # "sy di malaysia" is where they are: no country question
    assert "negara mana" not in text
    assert WAGES_ID not in text  # one answer, the other offered
    assert "/intent:wages_unpaid" in _offered(replies)
    assert "gaji tidak dibayar" in text.lower()
    # The offered topic is answered when tapped.
    assert WAGES_ID in joined(await say("/intent:wages_unpaid"))


async def test_passport_and_hours_in_english(worker: Callable[[str], Say]) -> None:
    say = worker("multi-2")
    replies = await say("my agent took my passport and I work 18 hours a day without a day off")
    text = joined(replies)
    assert text.startswith(PASSPORT_EN)
    assert HOURS_EN not in text
    assert "/intent:working_conditions" in _offered(replies)
    assert "You also wrote about: working hours and rest days" in text


async def test_going_home_and_wages_answers_wages_and_offers_going_home(
    worker: Callable[[str], Say],
) -> None:
    say = worker("multi-3")
    replies = await say("sy mau pulang tp gaji blm dibayar, sy di arab")
    text = joined(replies)
    assert text.startswith(WAGES_ID)
    assert "Arab" in text and "negara mana" not in text
    assert "/intent:repatriation" in _offered(replies)
    assert HOME_ID in joined(await say("/intent:repatriation"))


async def test_one_problem_is_answered_as_before(worker: Callable[[str], Say]) -> None:
    say = worker("multi-4")
    replies = await say("gaji sy blm dibayar 3 bln, sy di taiwan")
    text = joined(replies)
    assert text.startswith(WAGES_ID)
    assert "Anda juga menulis" not in text
    assert _offered(replies) == {"/intent:report_problem", "/intent:talk_to_human", "/menu"}


# Follow-ups ---------------------------------------------------------------------------------


async def test_terus_gmn_after_a_rights_answer_gives_the_next_steps(
    worker: Callable[[str], Say],
) -> None:
    for n, follow_up in enumerate(("terus gmn?", "trus aku hrs gmn")):
        say = worker(f"follow-id-{n}")
        await say("sy di taiwan")
        assert WAGES_ID in joined(await say("gaji sy blm dibayar 3 bln"))
        replies = await say(follow_up)
        text = joined(replies)
        assert OUT_OF_SCOPE_ID not in text and "1. DARURAT" not in text
        assert "soal gaji tidak dibayar atau dipotong" in text
        assert {"/intent:report_problem", "/intent:talk_to_human", "/intent:contact_info"} <= (
            _offered(replies)
        )
        # "ya" then means: report it.
        assert "DARURAT" not in joined(await say("ya"))


async def test_what_can_i_do_about_it_in_english(worker: Callable[[str], Say]) -> None:
    for n, follow_up in enumerate(("what can I do about it?", "then what?")):
        say = worker(f"follow-en-{n}")
        await say("I work in Hong Kong")
        assert PASSPORT_EN in joined(await say("my employer keeps my passport"))
        text = joined(await say(follow_up))
        assert "What you can do next about a passport or documents held" in text
        assert "1. EMERGENCY" not in text


async def test_a_question_about_something_else_is_not_a_follow_up(
    worker: Callable[[str], Say],
) -> None:
    say = worker("follow-other")
    await say("sy di taiwan")
    await say("gaji sy blm dibayar 3 bln")
    text = joined(await say("majikan sy tahan paspor"))
    assert text.startswith(PASSPORT_ID)
    assert "Yang bisa Anda lakukan sekarang" not in text


# Country memory -----------------------------------------------------------------------------


async def test_a_place_named_in_passing_does_not_move_the_worker(
    worker: Callable[[str], Say],
) -> None:
    say = worker("country-1")
    assert "Taiwan" in joined(await say("sy di taiwan"))
    weather = joined(await say("cuaca di hongkong bsk gmn?"))
    assert "Hong Kong" not in weather
    assert OUT_OF_SCOPE_ID in weather
    wages = joined(await say("gaji sy blm dibayar"))
    assert "1955" in wages and "Hong Kong:" not in wages  # still Taiwan's answer


async def test_saying_they_are_somewhere_else_moves_the_worker(
    worker: Callable[[str], Say],
) -> None:
    say = worker("country-2")
    await say("sy di taiwan")
    for n, text in enumerate(("kerja di HK", "I work in Singapore")):
        noted = joined(await say(text))
        assert ("Hong Kong" if n == 0 else "Singapore") in noted


# Language switch carrying a question --------------------------------------------------------


async def test_switch_to_english_and_answer_the_question(worker: Callable[[str], Say]) -> None:
    say = worker("lang-q")
    await say("halo kak")
    text = joined(await say("can you answer in english? my agency takes half my salary"))
    assert "I will write in English" in text
    assert FEES_EN in text or "Your wage is your right" in text
    assert "1. EMERGENCY" not in text  # the answer, not the menu


# Case status of a reference that is not the worker's ---------------------------------------


async def test_a_reference_that_is_not_this_chats_is_not_found(
    worker: Callable[[str], Say],
) -> None:
    say = worker("status-id")
    text = joined(await say("status kasus HL-2S5BD8"))
    assert "HL-2S5BD8 tidak ada di chat ini" in text
    assert "KemenP2MI" in text
    assert "tulis nomor referensi" not in text  # not asked for what they just wrote

    say = worker("status-en")
    await say("hello, I work in Malaysia")
    text = joined(await say("what is the status of case HL-2S5BD8?"))
    assert "could not find case HL-2S5BD8 in this chat" in text
    assert "KemenP2MI" in text


# A thumbs-up ---------------------------------------------------------------------------------


async def test_a_thumbs_up_is_thanks_or_yes(worker: Callable[[str], Say]) -> None:
    say = worker("thumbs")
    await say("sy di taiwan")
    for sign in ("👍", "ok 👍", "🙏"):
        text = joined(await say(sign))
        assert NOT_UNDERSTOOD_ID not in text
    await say("gaji sy blm dibayar 3 bln")
    # To "report it?" a thumbs-up is yes: the report starts.
    assert "laporan" in joined(await say("👍")).lower()
