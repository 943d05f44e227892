"""What keeps a worker safe in a complaint: the consent says who reads it, a call is only
arranged when the worker says it is safe, and the home province sends it to the right office."""

from __future__ import annotations

import pytest

from bot.cases.contact import call_advice
from tests.flows.conftest import Chat, World, record_of, until

CONSENT = {
    "id": ("NGO", "BP3MI", "Disnakertrans", "Kemlu", "KBRI/KJRI", "majikan atau agensi"),
    "en": ("NGO", "BP3MI", "Disnakertrans", "Kemlu", "KBRI/KJRI", "employer or agency"),
}
NOT_SAFE = {"id": "Tidak aman. Balas di chat ini saja", "en": "Not safe. Answer only in this chat"}
SOME_TIMES = {"id": "Aman, tapi hanya jam tertentu", "en": "Safe only at certain times"}
TEXT_ONLY = {
    "id": "Hanya pesan tulisan (SMS/WhatsApp), jangan pesan suara",
    "en": "Text only (SMS/WhatsApp), no voicemail",
}
CALL_FLOWS = ("abuse_violence", "trafficking_scam", "legal_status")


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_the_consent_names_every_reader_and_the_promise_about_the_employer(
    chat: Chat, lang: str
) -> None:
    await chat.start_about("abuse_violence", lang)
    assert (await chat.step()).type == "consent"  # type: ignore[union-attr]
    for name in CONSENT[lang]:
        assert name in chat.text, name


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_not_safe_to_call_means_no_phone_question(
    chat: Chat, world: World, lang: str
) -> None:
    await chat.start_about("abuse_violence", lang)
    await until(chat, "call_safe", lang)
    await chat.press(NOT_SAFE[lang])
    step = await chat.step()
    assert step is not None and step.id == "evidence"  # no number, no message question
    reference = await chat.finish(lang)
    record = record_of(await world.case(reference))
    assert record["call_safe"] == "not_safe"
    assert "phone" not in record and "leave_message" not in record
    assert call_advice(record) is not None and not call_advice(record).may_call  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_a_safe_time_and_a_message_rule_reach_the_officer(
    chat: Chat, world: World, lang: str
) -> None:
    await chat.start_about("trafficking_scam", lang)
    await until(chat, "call_safe", lang)
    await chat.press(SOME_TIMES[lang])
    when = "malam setelah jam 9" if lang == "id" else "evenings after 9 pm"
    assert (await chat.step()).id == "call_when"  # type: ignore[union-attr]
    await chat.say(when)
    assert (await chat.step()).id == "phone"  # type: ignore[union-attr]
    await chat.say("+60 12-345 6789")
    assert (await chat.step()).id == "leave_message"  # type: ignore[union-attr]
    await chat.press(TEXT_ONLY[lang])
    reference = await chat.finish(lang)
    advice = call_advice(record_of(await world.case(reference)))
    assert advice is not None and advice.may_call
    assert advice.text == f"Call OK: only {when}; no voicemail; SMS/WhatsApp OK"


def test_every_flow_that_asks_a_phone_in_danger_asks_about_calls_first(world: World) -> None:
    for flow_id in CALL_FLOWS:
        flow = world.library.get(flow_id)
        assert flow is not None
        ids = [s.id for s in flow.steps]
        assert ids.index("call_safe") < ids.index("phone") < ids.index("leave_message")
        phone = flow.step("phone")
        assert phone is not None and phone.when is not None
        assert not phone.when.holds({"call_safe": "not_safe"})
        assert phone.when.holds({"call_safe": "some_times"})


# Home province ----------------------------------------------------------------------------


def test_the_province_is_asked_exactly_where_routing_needs_it(world: World) -> None:
    """A flow asks the home province when a routing rule for its category routes by office."""
    directory = world.runtime.desk.directory
    by_office = {c for r in directory.routing.rules if r.office for c in r.categories or ()}
    assert by_office >= {"repatriation", "social_security", "lost_contact", "recruitment_fees"}
    for flow in world.library.flows():
        asks = any(s.type == "province" for s in flow.steps)
        assert asks == (flow.category in by_office), flow.id


@pytest.mark.parametrize(
    ("lang", "said", "province", "queue"),
    [
        ("id", "sy dr lombok timur", "nusa_tenggara_barat", "bp3mi-ntb-complaints"),
        ("en", "east jawa", "jawa_timur", "bp3mi-jatim-complaints"),
        ("id", "Indramayu", "jawa_barat", "bp3mi-jabar-complaints"),
        ("en", "skip", None, "kemenp2mi-complaints"),
    ],
)
async def test_a_repatriation_lands_with_the_office_of_the_home_province(
    chat: Chat, world: World, lang: str, said: str, province: str | None, queue: str
) -> None:
    await chat.start_about("repatriation", lang)
    await until(chat, "province", lang)
    await chat.say(said)
    reference = await chat.finish(lang)
    case = await world.case(reference)
    assert record_of(case).get("province") == province
    assert case.queue == queue
    assert ("home province unknown" in (case.routed_by or "")) == (province is None)


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_an_unknown_or_double_place_is_asked_again(chat: Chat, lang: str) -> None:
    await chat.start_about("repatriation", lang)
    await until(chat, "province", lang)
    await chat.say("kampung saya jauh")
    assert (await chat.step()).id == "province"  # type: ignore[union-attr]
    assert ("contoh" if lang == "id" else "for example") in chat.text.lower()
    await chat.say("lahir di cilacap tapi tinggal di jakarta")
    assert (await chat.step()).id == "province"  # type: ignore[union-attr]
    await chat.say("cilacap")
    assert (await chat.progress()).slots["province"] == "jawa_tengah"  # type: ignore[union-attr]
