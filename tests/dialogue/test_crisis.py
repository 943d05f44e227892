"""The crisis reply: a worker who writes of ending their life gets the crisis lines of their
country and of Indonesia, a person now, and an urgent case (the "emergency" event)."""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.dialogue.decision import Emergency
from bot.dialogue.policy import Decision, Policy, Turn
from bot.dialogue.state import DialogueState, Profile
from bot.nlu.types import IntentScore, NluResult
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy(Content.load(PROJECT_ROOT), threshold=0.5)


def say(policy: Policy, text: str, lang: str, country: str | None = None) -> Decision:
    score = IntentScore("out_of_scope", 0.9)  # whatever the classifier makes of it
    profile = Profile(language=lang, language_chosen=True, country=country)
    return policy.decide(
        Turn(text, NluResult(text, score, (score,), ()), lang), profile, DialogueState()
    )


def test_crisis_reply_in_indonesian_for_the_workers_country(policy: Policy) -> None:
    d = say(policy, "sy capek hidup, pengen mati aja", "id", "HK")
    [reply] = d.replies
    assert d.intent == "self_harm"
    assert "tidak sendirian" in reply.text
    assert "18111" in reply.text and "2896 0000" in reply.text  # Hong Kong's lines
    assert "healing119.id" in reply.text  # Indonesia's line
    assert "999" in reply.text  # and the emergency number, in case life is in danger now
    assert "15555" not in reply.text  # not another country's
    assert [q.payload for q in reply.quick_replies] == ["/intent:talk_to_human"]
    assert reply.quick_replies[0].title == "Bicara dengan petugas sekarang"
    assert Emergency("HK", category="self_harm") in d.events


def test_crisis_reply_in_english_for_the_workers_country(policy: Policy) -> None:
    d = say(policy, "I don't want to live anymore", "en", "MY")
    [reply] = d.replies
    assert "You are not alone" in reply.text
    assert "15555" in reply.text and "healing119.id" in reply.text
    assert "not checked on an official site" in reply.text  # Malaysia's line is unconfirmed
    assert reply.quick_replies[0].title == "Talk to a person now"


@pytest.mark.parametrize(
    ("text", "lang"), [("mending sy mati", "id"), ("I want to end it all", "en")]
)
def test_without_a_country_indonesia_first_then_every_country(
    policy: Policy, text: str, lang: str
) -> None:
    d = say(policy, text, lang)
    [reply] = d.replies
    lines = reply.text.splitlines()
    indonesia = next(i for i, line in enumerate(lines) if "healing119.id" in line)
    numbers = ["1767", "1925", "15555", "18111", "937"]
    places = [next(i for i, line in enumerate(lines) if n in line) for n in numbers]
    assert indonesia < places[0] and places == sorted(places)  # shortest number first
    assert d.state.awaiting is None  # no question back in a crisis
    assert Emergency(None, category="self_harm") in d.events


def test_an_emergency_is_not_answered_as_a_crisis(policy: Policy) -> None:
    d = say(policy, "tolong sy dikunci majikan", "id", "MY")
    assert d.intent == "emergency" and d.replies[0].text.startswith("🚨")
    assert Emergency("MY") in d.events
