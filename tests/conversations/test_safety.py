"""Danger as workers write it, held as whole conversations through the real engine (trained NLU,
real content, SQLite and PostgreSQL): what was tried by hand in `helpline chat` and the web chat
while issue 10 was built."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.runtime import Runtime
from bot.storage.models import Case

from .conftest import Say, joined

KEMLU = "+62 812 9007 0027"


async def cases(runtime: Runtime) -> list[Case]:
    async with runtime.engine.sessions() as session:
        return list((await session.scalars(select(Case).order_by(Case.id))).all())


async def test_several_problems_with_danger_among_them_then_the_country(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("tini")
    first = await say("gaji sy blm dibayar 3 bln, hp diambil majikan, gk boleh keluar rumah")
    assert first[0].text.startswith("🚨")
    assert "Malaysia: 999" in first[0].text and KEMLU in first[0].text  # every country, no guess
    (case,) = await cases(runtime)
    assert case.priority == "urgent" and case.reference in joined(first)
    # Told where she is, she gets that country's numbers and mission, not the menu.
    then = joined(await say("sy di malaysia"))
    assert "999" in then and "+60 17-668 8032" in then and KEMLU in then
    assert "Hong Kong" not in then
    assert len(await cases(runtime)) == 1  # no second case for the same emergency


async def test_crisis_in_english_then_the_country_gives_that_countrys_line_first(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("wati")
    first = joined(await say("i dont want to live anymore"))
    assert "not alone" in first and "1767" in first and "18111" in first
    then = await say("im in singapore")
    text = joined(then)
    assert "1767" in text and "18111" not in text  # Singapore's line, not every country's
    assert text.index("1767") < text.index("healing119.id")
    assert any(q.payload == "/intent:talk_to_human" for r in then for q in r.quick_replies)
    (case,) = await cases(runtime)
    assert case.category == "self_harm" and case.priority == "urgent"


async def test_danger_in_the_middle_of_a_complaint_pauses_it_and_opens_an_urgent_case(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("yuni")
    await say("sy kerja di taiwan")
    await say("gaji sy blm dibayar 4 bln")
    assert "setuju" in joined(await say("/intent:affirm"))  # yes, report it: consent asked
    assert "setuju" not in joined(await say("/intent:affirm"))  # consent given: first question
    replies = await say("sy dikunci di kamar skrg")
    text = joined(replies)
    assert replies[0].text.startswith("🚨") and "110" in replies[0].text  # Taiwan's police
    assert "tersimpan" in text  # the report in progress is kept
    assert any(c.priority == "urgent" for c in await cases(runtime))


async def test_everyday_lookalikes_get_no_emergency(
    worker: Callable[[str], Say], runtime: Runtime
) -> None:
    say = worker("zaki")
    for text in (
        "kunci motor sy hilang gmn",
        "mati lampu di asrama dr kmrn",
        "majikan pukul 9 malam baru pulang",
        "my phone died, talk later",
    ):
        replies = await say(text)
        assert not any(r.text.startswith("🚨") for r in replies), text
    assert await cases(runtime) == []


async def test_scalding_and_selling_in_workers_words(worker: Callable[[str], Say]) -> None:
    for user, text in (
        ("ayu", "aq disiram air panas sm nyonya"),
        ("bunga", "sy dioper ke majikan lain tanpa kontrak, katanya udh dibayar ke agen"),
        ("cici", "my agent keeps my passport and sold me to another boss, i cant go out"),
        ("dina", "tlg sy skrg"),
    ):
        replies = await worker(user)(text)
        assert replies[0].text.startswith("🚨"), text


async def test_emergency_is_the_first_menu_item_and_answers_with_numbers(
    worker: Callable[[str], Say],
) -> None:
    say = worker("euis")
    menu = joined(await say("halo"))
    assert "1. DARURAT" in menu
    assert (await say("1"))[0].text.startswith("🚨")


async def test_the_trafficking_answer_starts_with_numbers_without_a_country(
    worker: Callable[[str], Say],
) -> None:
    say = worker("fani")
    replies = await say("/intent:trafficking_scam")
    first = replies[0].text
    assert first.startswith("🚨") and KEMLU in first
    assert "Informasi umum, bukan nasihat hukum" in joined(replies)
