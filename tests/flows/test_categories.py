"""A complaint per category, in each language, from the first message to the reference number.

Each conversation also gives one wrong answer (explained, with an example, and asked again),
goes back once, and skips a question where that is allowed.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import intents
from bot.storage.models import Event
from tests.flows.conftest import WORDS, Chat, World, record_of

WRONG = "xq zz"  # fits no structured answer
EXAMPLE = {
    "id": ("contoh", "tombol", "ya atau tidak"),
    "en": ("for example", "button", "yes or no"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("category", intents.RIGHTS)
async def test_a_complaint_from_first_message_to_reference(
    chat: Chat, world: World, category: str, lang: str
) -> None:
    await chat.start_about(category, lang)
    flow = world.library.for_category(category)
    assert flow is not None
    assert flow.title[lang] in chat.text  # the category is taken from what they said

    wrong_given = went_back = skipped = False
    for _ in range(60):
        step = await chat.step()
        if step is None:
            break
        if not wrong_given and step.type not in ("text", "consent", "attachment"):
            question = chat.replies[-1].text
            await chat.say(WRONG)
            wrong_given = True
            assert any(word in chat.text.lower() for word in EXAMPLE[lang]), chat.text
            assert chat.replies[-1].text.startswith(question.splitlines()[0])
            assert (await chat.step()) == step
            continue
        progress = await chat.progress()
        assert progress is not None
        if not went_back and len(progress.history) >= 2:
            answered = dict(progress.slots)
            await chat.say(WORDS[lang]["back"])
            went_back = True
            previous = await chat.step()
            assert previous is not None and previous.id == progress.history[-1]
            assert ("sebelumnya" if lang == "id" else "Your answer was") in chat.text
            assert (await chat.progress()).slots == answered  # type: ignore[union-attr]
            continue
        if not skipped and step.skip and step.type != "attachment":
            await chat.say(WORDS[lang]["skip"])
            skipped = True
            assert step.id in (await chat.progress()).skipped  # type: ignore[union-attr]
            continue
        await chat.answer(step, lang)
    assert wrong_given and went_back and skipped, (wrong_given, went_back, skipped, chat.text)

    summary = chat.text
    assert ("Mohon periksa" if lang == "id" else "Please check") in summary
    assert flow.title[lang] in summary
    reference = await chat.finish(lang)

    case = await world.case(reference)
    assert case.source == "complaint" and case.category == category
    record = record_of(case)
    assert record["reference"] == reference and record["language"] == lang
    assert record["flow_version"] == flow.version
    assert "description" in record
    # The consent step is no answer of the form: it is kept as when and to what they agreed.
    assert record["consent"]["answer"] == "yes" and record["consent"]["at"]
    assert record["consent"]["flow_version"] == flow.version
    assert await chat.progress() is None
    async with world.runtime.sessions() as session:
        data = (
            await session.scalars(select(Event.data).where(Event.kind == "complaint_submitted"))
        ).one()
    assert data["reference"] == reference and "record" not in data  # personal data only on the case
