"""Unconfirmed facts: shown only with their caveat, whatever a template does."""

from __future__ import annotations

import re

import pytest

from bot.content import Content
from bot.content.checks import ANSWERED, all_facts
from bot.content.loading import load
from bot.intents import LANGUAGES

from .conftest import ROOT, Flows

UNCONFIRMED = [f for f in all_facts(load(ROOT)[0]) if not f.confirmed]
DANGER = ("emergency", "abuse_violence", "trafficking_scam", "legal_status")


def test_the_domain_notes_unconfirmed_facts_are_unconfirmed() -> None:
    keys = {(f.path.name, f.key) for f in UNCONFIRMED}
    assert ("TW.yml", "mission.phone") in keys  # KDEI hotline, news sources 2020/2024
    assert ("TW.yml", "mission.office") in keys  # KDEI office, 2020
    assert ("SG.yml", "mission.phone") in keys  # KBRI Singapore, 2020
    assert ("SA.yml", "mission.phone") in keys  # KBRI Riyadh 2016 / KJRI Jeddah 2020
    assert ("SA.yml", "rights.placement_ban") in keys  # lifting announced in 2025, unconfirmed
    assert ("facts.yml", "facts.zero_cost_jobs") in keys  # amended regulation
    assert all(f.caveat for f in UNCONFIRMED)


def test_facts_confirmed_in_the_december_review_cite_a_url() -> None:
    facts = {(f.path.name, f.key): f for f in all_facts(load(ROOT)[0])}
    for key in [("SA.yml", "emergency.unified"), ("HK.yml", "rights.recruitment_fee")]:
        fact = facts[key]
        assert fact.confirmed and fact.caveat is None, key
        assert all(source.url for source in fact.sources), key
        assert fact.reviewed_line is not None and str(fact.reviewed) == "2026-12-01", key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unconfirmed_facts_always_carry_their_caveat(content: Content, lang: str) -> None:
    shown = 0
    for intent in ANSWERED:
        for country in (None, *content.country_codes()):
            text = content.answer(intent, lang, country).text
            for fact in UNCONFIRMED:
                # Every appearance of the fact (as a whole: "911" is not part of "19911").
                for match in re.finditer(rf"(?<![\w+]){re.escape(fact.text[lang])}(?!\w)", text):
                    shown += 1
                    after = text[match.end() :]
                    assert after.startswith(f" {fact.caveat[lang]}"), (fact.key, text)
    assert shown > 20  # the test looked at real cases


def test_every_saudi_fact_but_911_is_unconfirmed() -> None:
    saudi = [f for f in all_facts(load(ROOT)[0]) if f.path.name == "SA.yml"]
    assert [f.key for f in saudi if f.confirmed] == ["emergency.unified"]


@pytest.mark.parametrize(
    ("reference", "error"),
    [("phone.text", "UndefinedError"), ("phone._fact.text", "SecurityError")],
)
def test_a_template_cannot_reach_the_bare_text(flows: Flows, reference: str, error: str) -> None:
    line = flows.replace(
        "flows/snippets.yml",
        "    {{ country.mission.name }}: {{ country.mission.phone }}\n    Kemlu 24 jam",
        f"    {{{{ country.mission.name }}}}: {{{{ country.mission.{reference} }}}}\n    Kemlu 24 jam",
    )
    errors = flows.errors()
    assert [(p.path.as_posix(), p.line) for p in errors] == [("flows/snippets.yml", line)]
    assert "does not render" in errors[0].message and error in errors[0].message


def test_a_caveat_cut_by_a_filter_is_an_error(flows: Flows) -> None:
    flows.replace(
        "flows/snippets.yml",
        "    {{ country.mission.name }}: {{ country.mission.phone }}\n    Kemlu 24 jam",
        "    {{ country.mission.name }}: {{ country.mission.phone|string|truncate(20) }}\n    Kemlu 24 jam",
    )
    errors = flows.errors()
    danger = {f"flows/answers/{i}.yml" for i in DANGER}
    assert errors and {p.path.as_posix() for p in errors} == danger  # every answer using it
    messages = " ".join(p.message for p in errors)
    assert "mission.phone" in messages and "without its caveat" in messages
    assert "flows/countries/TW.yml" in messages or "flows/countries/SG.yml" in messages


def test_an_unconfirmed_fact_needs_a_caveat(flows: Flows) -> None:
    line = flows.replace(
        "flows/countries/SG.yml",
        "    confirmed: false\n    caveat:\n"
        "      id: (nomor 2020, mungkin sudah berubah; cek di aplikasi Safe Travel)\n"
        "      en: (number from 2020, may have changed; check in the Safe Travel app)\n",
        "    confirmed: false\n",
    )
    errors = flows.errors()
    assert [(p.path.as_posix(), p.line) for p in errors] == [
        ("flows/countries/SG.yml", flows.line_of("flows/countries/SG.yml", "  phone:"))
    ]
    assert "caveat" in errors[0].message
    assert line > 0


def test_confirming_a_fact_drops_its_caveat(flows: Flows) -> None:
    flows.replace("flows/countries/SG.yml", "    confirmed: false\n    caveat:", "    caveat:")
    assert flows.errors() == []
    content = Content.load(flows.root)
    text = content.emergency("en", "SG")
    assert "+65 9295 3964\n" in text and "may have changed" not in text
