"""Conversations as workers have them, in Indonesian and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from bot.storage.models import Worker

from .conftest import Say, joined


def _number(menu: str, label: str) -> str:
    """The number the menu gives the item starting with label ("3. Gaji ..." -> "3")."""
    return next(line.split(". ")[0] for line in menu.splitlines() if f". {label}" in line)


async def test_greeting_in_indonesian_gives_a_numbered_menu(worker: Callable[[str], Say]) -> None:
    say = worker("ani")
    replies = await say("assalamualaikum kak")
    text = joined(replies)
    assert "Halo" in text and "1. DARURAT" in text  # emergency is always the first item
    assert _number(text, "Gaji") != "1"
    menu = replies[-1]
    assert any(q.payload == "/intent:wages_unpaid" for q in menu.quick_replies)


async def test_menu_number_then_country_then_answer_for_that_country(
    worker: Callable[[str], Say],
) -> None:
    say = worker("budi")
    wages = _number(joined(await say("halo")), "Gaji")
    first = joined(await say(wages))  # typed, as on WhatsApp
    assert "Gaji adalah hak Anda" in first
    assert "negara mana" in first  # the country question
    taiwan = next(line.split(".")[0] for line in first.splitlines() if line.endswith(". Taiwan"))
    answer = joined(await say(taiwan))  # its number in the country list
    assert "Taiwan" in answer and "1955" in answer


async def test_the_country_question_answered_in_words(worker: Callable[[str], Say]) -> None:
    say = worker("bayu")
    assert "negara mana" in joined(await say("gaji sy blm dibyr 3 bln"))
    answer = joined(await say("sy di taiwan"))
    assert "Taiwan" in answer and "1955" in answer  # the wages answer, for Taiwan


async def test_country_mentioned_once_is_remembered(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("citra")
    await say("sy kerja di taiwan")
    text = joined(await say("gaji sy blm dibyr 3 bln"))
    assert "1955" in text  # Taiwan's complaint line, without asking the country again
    assert "negara mana" not in text
    contacts = joined(await say("nomor KBRI berapa"))
    assert "KDEI" in contacts or "Taipei" in contacts
    async with runtime.engine.sessions() as session:
        assert (await session.scalars(select(Worker.country))).one() == "TW"


async def test_english_is_detected_and_remembered(worker: Callable[[str], Say]) -> None:
    say = worker("dewi")
    text = joined(await say("my employer keeps my passport, I work in hong kong"))
    assert "passport" in text.lower()
    assert "Paspor" not in text
    later = joined(await say("ok"))  # too short to tell: stays English
    assert "Menu" in later or "Do you agree?" in later  # English, whatever it answers


async def test_switching_language_on_request(worker: Callable[[str], Say]) -> None:
    say = worker("eka")
    assert "Apa yang bisa saya bantu" in joined(await say("halo"))
    switched = joined(await say("english please"))
    assert "English" in switched and "1. EMERGENCY" in switched and "Wages unpaid" in switched
    # Chosen explicitly: an Indonesian word does not switch it back.
    assert "wage" in joined(await say("gaji saya belum dibayar")).lower()
    back = joined(await say("pakai bahasa indonesia"))
    assert "bahasa Indonesia" in back


async def test_emergency_numbers_come_first(worker: Callable[[str], Say]) -> None:
    say = worker("fitri")
    await say("saya kerja di malaysia")
    replies = await say("tolong sy dikunci majikan skrg")
    first = replies[0].text
    assert first.startswith("🚨")
    assert "999" in first and "+60 17-668 8032" in first and "+62 812 9007 0027" in first
    assert first.index("999") < first.index("+60 17-668 8032") < first.index("+62 812 9007 0027")


async def test_emergency_without_country_gives_every_countrys_numbers_and_kemlu_first(
    worker: Callable[[str], Say],
) -> None:
    say = worker("gita")
    first = (await say("help me now please he is hitting me"))[0].text
    numbers = first.split("\n\n")[0]  # the opening lines, before any other text
    assert first.startswith("🚨") and "+62 812 9007 0027" in numbers  # Kemlu 24h
    assert "Malaysia: 999" in numbers and "Saudi Arabia: 911" in numbers


async def test_not_understood_says_so_and_offers_a_person(worker: Callable[[str], Say]) -> None:
    say = worker("hana")
    replies = await say("xqzv pltk wrrr")
    assert "belum mengerti" in joined(replies)
    assert any(q.payload == "/intent:talk_to_human" for r in replies for q in r.quick_replies)


async def test_out_of_scope_is_recognised(worker: Callable[[str], Say]) -> None:
    say = worker("indra")
    text = joined(await say("siapa yang menang piala dunia 2022"))
    assert "hanya bisa membantu" in text


async def test_rights_answer_in_english_for_singapore(worker: Callable[[str], Say]) -> None:
    say = worker("joko")
    text = joined(await say("I work in singapore and my employer never gives me a day off"))
    assert "rest day" in text.lower()
    assert "1800-339-5505" in text  # MOM's helpline


async def test_talk_to_a_person_is_recorded(worker: Callable[[str], Say]) -> None:
    say = worker("kiki")
    text = joined(await say("saya mau bicara dengan petugas"))
    assert "petugas" in text
