"""'Find support': the directory's services by the worker's place and the kind asked."""

from __future__ import annotations

import pytest

from bot.dialogue.decision import Emergency
from bot.dialogue.policy import Policy, Turn
from bot.dialogue.state import Awaiting, DialogueState, Profile
from bot.nlu.entities import extract_entities
from bot.nlu.types import IntentScore, NluResult
from tests.conftest import Loaded


def nlu(text: str, intent: str = "find_support", confidence: float = 0.9) -> NluResult:
    score = IntentScore(intent, confidence)
    return NluResult(text, score, (score,), extract_entities(text))


@pytest.fixture
def policy(loaded: Loaded) -> Policy:
    return Policy(loaded.content, threshold=0.3)


def say(policy: Policy, text: str, profile: Profile, state: DialogueState, **kw):  # type: ignore[no-untyped-def]
    turn = Turn(text, nlu(text, **kw), profile.language)
    return policy.decide(turn, profile, state)


def test_a_city_and_a_kind_in_the_message_are_answered_at_once(policy: Policy) -> None:
    decision = say(policy, "ada shelter di KL gk?", Profile("id"), DialogueState())
    text = decision.replies[0].text
    assert decision.intent == "find_support"
    assert text.index("Penampungan KBRI Kuala Lumpur") < text.index("Kemensos")
    assert "+60 17-668 8032" in text
    assert decision.profile.country == "MY"
    assert decision.state.extra["city"] == {"id": "kuala_lumpur", "country": "MY"}


def test_a_country_named_is_used_over_the_one_remembered(policy: Policy) -> None:
    decision = say(policy, "need a lawyer in taiwan", Profile("en", country="HK"), DialogueState())
    text = decision.replies[0].text
    assert "1955" in text and "JBMI" not in text


def test_the_remembered_country_is_used(policy: Policy) -> None:
    decision = say(policy, "butuh psikolog", Profile("id", country="HK"), DialogueState())
    assert "18111" in decision.replies[0].text
    assert "konseling" in decision.replies[0].text


def test_an_unknown_place_is_asked_once_then_answered(policy: Policy) -> None:
    first = say(policy, "sy butuh psikolog", Profile("id"), DialogueState())
    assert first.state.awaiting == Awaiting.COUNTRY
    assert len(first.replies) == 1 and "negara mana" in first.replies[0].text.lower()
    second = say(policy, "taiwan", first.profile, first.state, intent="out_of_scope")
    text = "\n".join(r.text for r in second.replies)
    assert second.profile.country == "TW"
    assert "1925" in text  # the counselling asked before, for Taiwan
    assert second.state.awaiting is None
    assert "support_kind" not in second.state.extra


def test_asking_for_a_shelter_because_of_violence_is_an_emergency(
    policy: Policy, loaded: Loaded
) -> None:
    text = "tolong sy butuh shelter, majikan pukul sy tiap hari"
    clauses = (nlu("tolong sy butuh shelter"), nlu("majikan pukul sy tiap hari", "abuse_violence"))
    turn = Turn(text, nlu(text, confidence=0.41), "id", clauses=clauses)
    decision = policy.decide(turn, Profile("id", country="MY"), DialogueState())
    assert decision.intent == "emergency"
    assert decision.replies[0].text == loaded.content.emergency("id", "MY")
    assert any(isinstance(e, Emergency) for e in decision.events)
    # The shelters follow the emergency numbers.
    assert "Penampungan KBRI Kuala Lumpur" in decision.replies[-1].text


def test_asking_for_a_lawyer_after_violence_gets_the_violence_answer_first(
    policy: Policy, loaded: Loaded
) -> None:
    text = "sy dipukul majikan, perlu pengacara"
    clauses = (nlu("sy dipukul majikan", "abuse_violence"), nlu("perlu pengacara"))
    turn = Turn(text, nlu(text, confidence=0.5), "id", clauses=clauses)
    decision = policy.decide(turn, Profile("id", country="HK"), DialogueState())
    assert decision.intent == "abuse_violence"
    assert "999" in decision.replies[0].text.split("\n\n")[0]
