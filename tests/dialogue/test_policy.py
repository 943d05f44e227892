"""The dialogue's decisions, without storage: language, country, menu, danger, not understood."""

from __future__ import annotations

import pytest

from bot.dialogue.cases import CaseContext, CaseFact
from bot.dialogue.decision import ChatCleared, Emergency, ForgetMe, HandoffRequested
from bot.dialogue.policy import Policy, Turn
from bot.dialogue.state import DialogueState, Profile
from bot.messages import Action
from bot.nlu.types import Entity, IntentScore, NluResult
from tests.fakes import TinyContent


def nlu(text: str, intent: str, confidence: float = 0.9, country: str | None = None) -> NluResult:
    entities = (Entity("country", country, country.lower(), 0, 2),) if country else ()
    score = IntentScore(intent, confidence)
    return NluResult(text, score, (score,), entities)


@pytest.fixture
def policy() -> Policy:
    return Policy(TinyContent(), threshold=0.5)


def decide(
    policy: Policy,
    text: str,
    result: NluResult | None,
    *,
    lang: str | None = "id",
    profile: Profile | None = None,
    state: DialogueState | None = None,
):  # type: ignore[no-untyped-def]
    return policy.decide(Turn(text, result, lang), profile or Profile(), state or DialogueState())


def test_greeting_gives_the_numbered_menu(policy: Policy) -> None:
    d = decide(policy, "halo", nlu("halo", "greet"))
    assert "1. Gaji" in d.replies[-1].text
    assert d.replies[-1].quick_replies[0].payload == "/intent:wages_unpaid"


def test_a_typed_number_picks_from_the_menu(policy: Policy) -> None:
    d = decide(policy, "1", None)
    assert d.intent == "wages_unpaid"


def test_country_specific_answer_asks_the_country_then_answers_for_it(policy: Policy) -> None:
    first = decide(policy, "gaji blm dibayar", nlu("gaji blm dibayar", "wages_unpaid"))
    assert first.state.awaiting == "country" and first.state.pending_intent == "wages_unpaid"
    assert "[wages_unpaid/id/None]" in first.replies[0].text
    second = decide(policy, "2", None, profile=first.profile, state=first.state)
    assert second.profile.country == "TW"
    assert any("[wages_unpaid/id/TW]" in r.text for r in second.replies)


def test_country_named_in_the_message_is_remembered(policy: Policy) -> None:
    d = decide(policy, "sy di taiwan gaji blm dibayar", nlu("x", "wages_unpaid", country="TW"))
    assert d.profile.country == "TW"
    assert "[wages_unpaid/id/TW]" in d.replies[0].text
    assert d.state.awaiting == "complaint_offer"


@pytest.mark.parametrize(
    ("text", "country"),
    [("sy di taiwan", "taiwan"), ("kerja di MY", "MY"), ("I'm in Malaysia now", "Malaysia")],
)
def test_a_message_that_only_says_where_they_work_answers_the_country_question(
    policy: Policy, text: str, country: str
) -> None:
    asked = decide(policy, "gaji blm dibayar", nlu("gaji blm dibayar", "wages_unpaid"))
    start = text.index(country)
    code = {"taiwan": "TW", "MY": "MY", "Malaysia": "MY"}[country]
    said = NluResult(
        text,
        IntentScore("legal_status", 0.9),  # whatever the classifier makes of it
        (IntentScore("legal_status", 0.9),),
        (Entity("country", code, country, start, start + len(country)),),
    )
    d = decide(policy, text, said, profile=asked.profile, state=asked.state)
    assert d.profile.country == code
    assert any(f"[wages_unpaid/id/{code}]" in r.text for r in d.replies)
    assert not any("[legal_status" in r.text for r in d.replies)


def test_indonesia_is_not_a_work_country(policy: Policy) -> None:
    d = decide(policy, "mau pulang ke indonesia", nlu("x", "repatriation", country="ID"))
    assert d.profile.country is None


def test_language_follows_detection_until_chosen(policy: Policy) -> None:
    d = decide(policy, "hello", nlu("hello", "greet"), lang="en")
    assert d.profile.language == "en"
    chosen = decide(
        policy, "pakai bahasa indonesia", nlu("x", "change_language"), lang="id", profile=d.profile
    )
    assert chosen.profile.language == "id" and chosen.profile.language_chosen
    after = decide(policy, "my salary", nlu("x", "wages_unpaid"), lang="en", profile=chosen.profile)
    assert after.profile.language == "id"


def test_unknown_language_keeps_the_previous_one(policy: Policy) -> None:
    d = decide(policy, "ok", nlu("ok", "affirm"), lang=None, profile=Profile(language="en"))
    assert d.profile.language == "en"


def test_emergency_reply_comes_first(policy: Policy) -> None:
    d = decide(policy, "tolong", nlu("tolong", "emergency"), profile=Profile(country="MY"))
    assert d.replies[0].text == "EMERGENCY MY"
    assert Emergency("MY") in d.events


def test_danger_words_win_over_the_classifier(policy: Policy) -> None:
    d = decide(policy, "sy dikunci majikan skrg", nlu("x", "working_conditions"))
    assert d.replies[0].text.startswith("EMERGENCY")


def test_danger_is_checked_even_when_not_understood(policy: Policy) -> None:
    d = decide(policy, "sy dikunci majikan", nlu("x", "out_of_scope", 0.1))
    assert d.intent == "emergency"
    # Self-harm is danger too, with its own reply (tests/dialogue/test_crisis.py).
    d = decide(policy, "mau bunuh diri", nlu("x", "out_of_scope", 0.1))
    assert d.intent == "self_harm"


def test_low_confidence_is_not_understood_and_offers_a_person(policy: Policy) -> None:
    d = decide(policy, "asdf qwer", nlu("x", "wages_unpaid", 0.2))
    assert d.intent is None
    assert {q.payload for q in d.replies[0].quick_replies} == {"/intent:talk_to_human", "/menu"}
    again = decide(policy, "zzz", nlu("x", "greet", 0.1), state=d.state)
    assert again.state.misunderstood == 2
    assert again.replies[0].text != d.replies[0].text


def test_out_of_scope_is_recognised(policy: Policy) -> None:
    d = decide(policy, "cuaca besok?", nlu("x", "out_of_scope"))
    assert d.intent == "out_of_scope"
    assert "1. Gaji" in d.replies[0].text


def test_affirm_after_an_answer_starts_a_report(policy: Policy) -> None:
    state = DialogueState(awaiting="complaint_offer", pending_intent="wages_unpaid")
    d = decide(policy, "iya", nlu("iya", "affirm"), state=state)
    assert d.intent == "report_problem"


def test_talk_to_human_records_a_request(policy: Policy) -> None:
    d = decide(policy, "mau bicara dengan petugas", nlu("x", "talk_to_human"))
    assert d.events and isinstance(d.events[0], HandoffRequested)


def test_delete_needs_confirmation(policy: Policy) -> None:
    ask = decide(
        policy, "hapus data saya", nlu("x", "delete_my_data"), profile=Profile(country="HK")
    )
    assert ask.state.awaiting == "delete_confirm" and not ask.events
    no = decide(policy, "tidak", nlu("x", "deny"), profile=ask.profile, state=ask.state)
    assert not no.events and no.profile.country == "HK"
    yes = decide(policy, "ya", nlu("x", "affirm"), profile=ask.profile, state=ask.state)
    assert yes.events == (ForgetMe(),) and yes.profile.country is None


def test_empty_message_with_a_photo_is_acknowledged(policy: Policy) -> None:
    d = policy.decide(Turn("", None, None, has_attachments=True), Profile(), DialogueState())
    assert d.replies and d.intent is None


@pytest.mark.parametrize(
    ("lang", "question", "yes"),
    [
        ("id", "Hapus chat ini dari HP Anda?", "Ya, hapus chat"),
        ("en", "Delete this chat from your phone?", "Yes, delete the chat"),
    ],
)
def test_delete_chat_asks_first_then_clears_the_screen_only(
    policy: Policy, lang: str, question: str, yes: str
) -> None:
    profile = Profile(language=lang, language_chosen=True, country="HK")
    ask = decide(policy, "hapus chat", None, profile=profile)
    assert ask.intent == "delete_chat" and not ask.events
    assert question in ask.replies[0].text
    assert [(q.title, q.payload) for q in ask.replies[0].quick_replies][0] == (
        yes,
        "/intent:affirm",
    )
    assert all(r.action is None for r in ask.replies)

    done = decide(policy, "/intent:affirm", None, profile=ask.profile, state=ask.state)
    assert done.events == (ChatCleared(),)
    assert [r.action for r in done.replies] == [Action.CLEAR_CHAT]
    # Unlike "delete my data", what we know of the worker stays.
    assert done.profile.country == "HK" and done.state.awaiting is None


def test_delete_chat_no_deletes_nothing(policy: Policy) -> None:
    ask = decide(policy, "delete the messages", None)
    no = decide(policy, "tidak", nlu("tidak", "deny"), profile=ask.profile, state=ask.state)
    assert not no.events and all(r.action is None for r in no.replies)
    assert "tidak ada yang saya hapus" in no.replies[0].text


def test_delete_chat_and_delete_my_data_stay_apart(policy: Policy) -> None:
    data = decide(policy, "hapus data saya", nlu("hapus data saya", "delete_my_data"))
    assert data.state.awaiting == "delete_confirm"
    chat = decide(policy, "hapus percakapan", None)
    assert chat.state.awaiting == "clear_chat_confirm"
    # Yes to one question does the thing it asked, not the other.
    assert decide(policy, "ya", nlu("ya", "affirm"), state=data.state).events == (ForgetMe(),)
    assert decide(policy, "ya", nlu("ya", "affirm"), state=chat.state).events == (ChatCleared(),)


def test_delete_chat_is_answered_while_an_officer_holds_the_chat(policy: Policy) -> None:
    held = CaseContext(officer_holds=True)
    other = policy.decide(
        Turn("gaji", nlu("gaji", "wages_unpaid"), "id", cases=held), Profile(), DialogueState()
    )
    assert other.replies == ()  # the officer answers
    ask = policy.decide(Turn("hapus chat", None, "id", cases=held), Profile(), DialogueState())
    yes = policy.decide(Turn("/intent:affirm", None, "id", cases=held), ask.profile, ask.state)
    assert [r.action for r in yes.replies] == [Action.CLEAR_CHAT]


@pytest.mark.parametrize("text", ["ya hapus", "iya hapus aja", "yes delete", "ok hapus"])
def test_yes_delete_answers_the_chat_question_not_the_data_one(policy: Policy, text: str) -> None:
    ask = decide(policy, "hapus chat", None)
    yes = decide(policy, text, nlu(text, "delete_my_data"), state=ask.state)
    assert yes.events == (ChatCleared(),)


def test_naming_data_while_asked_about_the_chat_is_the_data_question(policy: Policy) -> None:
    ask = decide(policy, "hapus chat", None)
    text = "hapus data saya juga"
    data = decide(policy, text, nlu(text, "delete_my_data"), state=ask.state)
    assert data.state.awaiting == "delete_confirm" and not data.events


def test_a_reference_not_of_this_chat_is_not_found_and_ones_own_is(policy: Policy) -> None:
    cases = CaseContext(cases=(CaseFact("HL-7KQ2MX", "new", "BP3MI"),))
    other = "status kasus HL-2S5BD8"
    d = policy.decide(
        Turn(other, nlu(other, "case_status"), "id", cases=cases), Profile(), DialogueState()
    )
    assert "HL-2S5BD8" in d.replies[0].text and "HL-7KQ2MX (BP3MI)" not in d.replies[0].text
    own = "status kasus HL-7KQ2MX"
    d = policy.decide(Turn(own, None, "id", cases=cases), Profile(), DialogueState())
    assert "HL-7KQ2MX (BP3MI)" in d.replies[0].text


def test_several_problems_most_urgent_first_others_offered(policy: Policy) -> None:
    text = "gaji blm dibayar, majikan pukul sy"
    parts = (nlu("gaji blm dibayar", "wages_unpaid"), nlu("majikan pukul sy", "abuse_violence"))
    d = policy.decide(
        Turn(text, nlu(text, "wages_unpaid"), "id", clauses=parts),
        Profile(country="MY"),
        DialogueState(),
    )
    assert d.intent == "abuse_violence" and "[abuse_violence/id/MY]" in d.replies[0].text
    assert any(q.payload == "/intent:wages_unpaid" for r in d.replies for q in r.quick_replies)
    assert d.state.last_intent == "abuse_violence"
    # A part the classifier is unsure of names no second problem.
    unsure = (parts[0], nlu("majikan pukul sy", "abuse_violence", 0.45))
    d = policy.decide(
        Turn(text, nlu(text, "wages_unpaid"), "id", clauses=unsure),
        Profile(country="MY"),
        DialogueState(),
    )
    assert d.intent == "wages_unpaid" and len(d.replies) == 1


def test_a_follow_up_while_the_country_question_waits_gives_the_next_steps(
    policy: Policy,
) -> None:
    first = decide(policy, "gaji blm dibayar", nlu("gaji blm dibayar", "wages_unpaid"))
    assert first.state.awaiting == "country"
    d = decide(
        policy,
        "then what?",
        nlu("then what?", "help", 0.4),
        profile=first.profile,
        state=first.state,
    )
    assert d.intent == "wages_unpaid" and d.state.awaiting == "complaint_offer"
    assert any(q.payload == "/intent:report_problem" for q in d.replies[0].quick_replies)


def test_a_language_asked_for_beside_a_question_switches_and_answers_it(policy: Policy) -> None:
    # The whole message reads as the question; one of its parts asks for Indonesian.
    text = "bisa pake bahasa indonesia? paspor sy ditahan majikan"
    parts = (
        nlu("bisa pake bahasa indonesia", "change_language", 0.98),
        nlu("paspor sy ditahan majikan", "document_withheld", 0.99),
    )
    d = policy.decide(
        Turn(text, nlu(text, "document_withheld", 0.77), "en", clauses=parts),
        Profile(language="en", language_chosen=True, country="HK"),
        DialogueState(),
    )
    assert d.profile.language == "id" and d.profile.language_chosen
    assert d.intent == "document_withheld"
    assert any("[document_withheld/id/HK]" in r.text for r in d.replies)


def test_abuse_heard_in_the_weather_gets_no_abuse_answer(policy: Policy) -> None:
    text = "got hit by the rain on my day off"
    d = decide(policy, text, nlu(text, "abuse_violence", 0.72), lang="en")
    assert d.intent == "out_of_scope" and not d.events
    assert not any("[abuse_violence" in r.text for r in d.replies)
    real = "my employer hit me in the rain"
    d = decide(policy, real, nlu(real, "abuse_violence", 0.72), lang="en")
    assert d.intent in ("abuse_violence", "emergency")  # a real blow keeps its answer


def test_each_point_of_a_numbered_list_counts_as_a_problem(policy: Policy) -> None:
    text = "kak mau tanya 2 hal. 1 paspor sy ditahan agen. 2 sy blm digaji"
    parts = (
        nlu("kak mau tanya 2 hal", "out_of_scope", 0.2),
        nlu("paspor sy ditahan agen", "document_withheld", 0.98),
        nlu("sy blm digaji", "wages_unpaid", 0.57),  # clear enough for a point of a list
    )
    d = policy.decide(
        Turn(text, nlu(text, "document_withheld", 0.6), "id", clauses=parts),
        Profile(country="MY"),
        DialogueState(),
    )
    assert d.intent == "document_withheld"
    assert any(q.payload == "/intent:wages_unpaid" for r in d.replies for q in r.quick_replies)


def test_a_follow_up_after_a_contact_question_is_still_about_the_topic(policy: Policy) -> None:
    profile = Profile(country="HK")
    first = decide(policy, "paspor dipegang agen", nlu("x", "document_withheld"), profile=profile)
    second = decide(
        policy, "nomor kjri", nlu("x", "contact_info"), profile=profile, state=first.state
    )
    third = decide(policy, "trus gmn", nlu("trus gmn", "out_of_scope", 0.4), state=second.state)
    assert third.intent == "document_withheld" and third.state.awaiting == "complaint_offer"
    # Something else in between ends the topic.
    other = decide(policy, "halo", nlu("halo", "greet"), profile=profile, state=first.state)
    fourth = decide(policy, "trus gmn", nlu("trus gmn", "out_of_scope", 0.4), state=other.state)
    assert fourth.intent != "document_withheld"


def test_a_part_without_a_word_of_any_problem_must_be_clear(policy: Policy) -> None:
    text = "saya mau pulang ke indonesia tapi tidak boleh"
    parts = (
        nlu("saya mau pulang ke indonesia", "repatriation", 0.97),
        nlu("tidak boleh", "working_conditions", 0.63),  # grammar, no problem of its own
    )
    d = policy.decide(
        Turn(text, nlu(text, "repatriation", 0.99), "id", clauses=parts),
        Profile(country="MY"),
        DialogueState(),
    )
    assert d.intent == "repatriation" and len(d.replies) == 1
