"""The policy's handler table against the intent catalogue (bot/intents.py)."""

from __future__ import annotations

from bot import intents
from bot.content import Content
from bot.dialogue.policy import ANSWERED_FROM_CONTENT, HANDLERS, Policy, Turn
from bot.dialogue.state import DialogueState, Profile
from bot.settings import PROJECT_ROOT
from tests.fakes import TinyContent


def test_every_intent_has_a_handler_or_an_answer_from_the_content() -> None:
    handled, answered = set(HANDLERS), set(ANSWERED_FROM_CONTENT)
    assert not handled & answered, "an intent is either handled or answered, not both"
    assert handled | answered == set(intents.ALL)


def test_the_content_answers_every_intent_left_to_it() -> None:
    content = Content.load(PROJECT_ROOT)
    assert [i for i in sorted(ANSWERED_FROM_CONTENT) if not content.has_answer(i)] == []


def test_the_default_language_speaks_first() -> None:
    """Before the worker's language is known (HELPLINE_DEFAULT_LANGUAGE)."""
    for lang, label in (("en", "Wages"), ("id", "Gaji")):
        policy = Policy(TinyContent(), threshold=0.5, default_language=lang)
        d = policy.decide(Turn("/menu", None, None), Profile(), DialogueState())
        assert d.profile.language == lang
        assert label in d.replies[0].text
