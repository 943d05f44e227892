"""The content in flows/ as shipped: no errors, every combination renders and reads well."""

from __future__ import annotations

import re

import pytest

from bot import intents
from bot.content import Content, check
from bot.content.checks import ANSWERED
from bot.content.rendering import MAX_CHARS

from .conftest import ROOT, TODAY

COUNTRIES = (None, "MY", "TW", "HK", "SG", "SA", "JP", "AE")


def test_real_flows_have_no_errors() -> None:
    errors = [p for p in check(ROOT, TODAY) if p.severity == "error"]
    assert errors == [], "\n".join(map(str, errors))


def test_warnings_are_only_missing_urls() -> None:
    # Everything else (length, dates, editor hints) is clean; URLs wait for editors.
    warnings = [p for p in check(ROOT, TODAY) if p.severity == "warning"]
    assert [str(w) for w in warnings if "has no URL" not in w.message] == []


def test_every_required_intent_is_answered(content: Content) -> None:
    assert {*intents.RIGHTS, "emergency", "report_problem", "case_status"} <= set(ANSWERED)
    for intent in ANSWERED:
        assert content.has_answer(intent), intent
    assert not content.has_answer("greet")


@pytest.mark.parametrize("intent", ANSWERED)
@pytest.mark.parametrize("lang", intents.LANGUAGES)
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_combination_renders(
    content: Content, intent: str, lang: str, country: str | None
) -> None:
    answer = content.answer(intent, lang, country)
    assert answer.intent == intent
    assert answer.text.strip() == answer.text and answer.text
    assert len(answer.text) <= MAX_CHARS
    assert "{{" not in answer.text and "{%" not in answer.text
    assert "\n\n\n" not in answer.text
    assert answer.sources and all(s.title for s in answer.sources)
    assert any(s.url for s in answer.sources)
    assert answer.reviewed is not None


@pytest.mark.parametrize("intent", ANSWERED)
def test_indonesian_uses_anda_not_kamu(content: Content, intent: str) -> None:
    for country in COUNTRIES:
        text = content.answer(intent, "id", country).text
        assert not re.search(r"\bkamu\b", text, re.IGNORECASE), text


def test_languages_differ(content: Content) -> None:
    for intent in ANSWERED:
        assert content.answer(intent, "id", None).text != content.answer(intent, "en", None).text


def test_country_facts_reach_the_answer(content: Content) -> None:
    assert "HK$5.100" in content.answer("wages_unpaid", "id", "HK").text
    assert "HK$5,100" in content.answer("wages_unpaid", "en", "HK").text
    assert "1955" in content.answer("working_conditions", "en", "TW").text
    malaysia = content.answer("document_withheld", "en", "MY")
    assert "keeping another person's passport is an offence" in malaysia.text
    # The law's name and article stay out of the text, in the source a reader can open.
    assert "Passports Act" not in malaysia.text
    assert any("Passports Act 1966" in source.title for source in malaysia.sources)
    assert "HK$" not in content.answer("wages_unpaid", "en", None).text


def test_country_specific_means_the_answer_would_change(content: Content) -> None:
    general = content.answer("wages_unpaid", "en", None)
    assert general.country_specific and general.country is None
    local = content.answer("wages_unpaid", "en", "HK")
    assert local.country == "HK" and not local.country_specific
    assert local.text != general.text
    social = content.answer("social_security", "en", None)
    assert not social.country_specific


def test_a_country_without_facts_gets_the_general_answer(content: Content) -> None:
    elsewhere = content.answer("wages_unpaid", "id", "JP")
    assert elsewhere.text == content.answer("wages_unpaid", "id", None).text
    # The country is known: asking for it again would change nothing.
    assert elsewhere.country is None and not elsewhere.country_specific


def test_answers_carry_the_sources_of_the_facts_they_show(content: Content) -> None:
    answer = content.answer("wages_unpaid", "en", "HK")
    urls = {s.url for s in answer.sources}
    assert any(url and "mondaq.com" in url for url in urls)  # the HK wage fact
    assert any(url and "agenparl.eu" in url for url in urls)  # the HK labour hotline
    general = content.answer("wages_unpaid", "en", None)
    assert not any(s.url and "mondaq.com" in s.url for s in general.sources)


def test_answers_end_with_what_to_do_next(content: Content) -> None:
    for intent in ANSWERED:
        for lang, word in (("id", "Ketik"), ("en", "Type")):
            paragraphs = content.answer(intent, lang, "HK").text.split("\n\n")
            if intent in intents.RIGHTS:  # then the legal note, last
                paragraphs.pop()
            last = paragraphs[-1]
            assert re.search(rf"{word}|Telepon|Call", last, re.IGNORECASE), (intent, lang, last)


@pytest.mark.parametrize("lang", intents.LANGUAGES)
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_rights_answer_closes_with_the_legal_note_once(
    content: Content, lang: str, country: str | None
) -> None:
    note = {"id": "bukan nasihat hukum", "en": "not legal advice"}[lang]
    for intent in ANSWERED:
        text = content.answer(intent, lang, country).text
        if intent in intents.RIGHTS:
            assert note in text.split("\n\n")[-1] and text.count(note) == 1, (intent, text)
        else:
            assert note not in text, intent


DANGER = ("emergency", "abuse_violence", "trafficking_scam", "legal_status")


@pytest.mark.parametrize("intent", DANGER)
@pytest.mark.parametrize("lang", intents.LANGUAGES)
@pytest.mark.parametrize("country", COUNTRIES)
def test_danger_answers_start_with_the_numbers(
    content: Content, intent: str, lang: str, country: str | None
) -> None:
    opening = content.answer(intent, lang, country).text.split("\n\n")[0]
    assert opening.startswith("🚨") and "+62 812 9007 0027" in opening  # Kemlu 24h
    known = country if country in content.country_codes() else None
    assert content.emergency(lang, known).startswith(opening)  # the very same numbers
    local = {"MY": "999", "HK": "999", "SG": "995", "TW": "113", "SA": "911"}
    for code in [known] if known else content.country_codes():
        assert local[code] in opening, code


def test_the_danger_related_answers_are_marked_in_their_files() -> None:
    marked = sorted(
        path.stem
        for path in (ROOT / "flows/answers").glob("*.yml")
        if "\nsafety: emergency" in path.read_text(encoding="utf-8")
    )
    assert marked == sorted(DANGER)


def test_rights_answers_offer_a_complaint(content: Content) -> None:
    number = next(i.number for i in content.menu("id") if i.intent == "report_problem")
    for intent in intents.RIGHTS:
        if intent == "migrate_safely":
            continue  # before departure: nothing to complain about yet
        text = content.answer(intent, "id", None).text
        assert re.search(rf"\b{number} untuk (membuat pengaduan|melapor)", text), intent


def test_menu(content: Content) -> None:
    for lang in intents.LANGUAGES:
        items = content.menu(lang)
        assert [i.number for i in items] == [str(n) for n in range(1, len(items) + 1)]
        assert {i.intent for i in items} >= {
            "wages_unpaid",
            "document_withheld",
            "abuse_violence",
            "repatriation",
            "report_problem",
            "contact_info",
            "talk_to_human",
            "emergency",
        }
        assert all(i.intent in intents.ALL and i.label for i in items)
    assert content.menu("id")[0].label != content.menu("en")[0].label


def test_countries(content: Content) -> None:
    assert content.country_codes() == ["HK", "MY", "SA", "SG", "TW"]
    assert content.country_label("HK", "id") == "Hong Kong"
    assert content.country_label("SA", "id") == "Arab Saudi"
    assert content.country_label("sa", "en") == "Saudi Arabia"
    assert content.country_label("JP", "id") == "Jepang"  # Babel's name for the rest


def test_language_and_country_are_normalised(content: Content) -> None:
    assert content.answer("wages_unpaid", "en", "hk").country == "HK"
    assert (
        content.answer("wages_unpaid", "xx", None).text
        == content.answer("wages_unpaid", "id", None).text
    )


def test_unknown_intent_is_a_key_error(content: Content) -> None:
    with pytest.raises(KeyError):
        content.answer("weather", "id", None)
