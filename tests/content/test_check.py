"""Each kind of breakage is reported with the right file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content import Content, ContentError, Problem

from .conftest import Flows

ANSWER = "flows/answers/wages_unpaid.yml"


def where(problems: list[Problem]) -> list[tuple[str, int | None]]:
    return [(p.path.as_posix(), p.line) for p in problems]


def test_problem_prints_as_file_line_message() -> None:
    problem = Problem(Path("flows/answers/x.yml"), 12, "message")
    assert str(problem) == "flows/answers/x.yml:12: message"
    assert problem.severity == "error"
    assert str(Problem(Path("flows/menu.yml"), None, "m")) == "flows/menu.yml: m"
    assert str(Problem(Path("a.yml"), 3, "old", "warning")) == "a.yml:3: warning: old"


def test_the_copy_is_clean(flows: Flows) -> None:
    assert flows.errors() == []


def test_yaml_error(flows: Flows) -> None:
    line = flows.replace(ANSWER, "intent: wages_unpaid", "\tintent: wages_unpaid")
    errors = flows.errors()
    assert where(errors) == [(ANSWER, line)]
    assert errors[0].message.startswith("YAML error")


def test_duplicate_key_is_a_yaml_error(flows: Flows) -> None:
    flows.replace(ANSWER, "intent: wages_unpaid\n", "intent: wages_unpaid\nintent: other\n")
    errors = flows.errors()
    assert where(errors) == [(ANSWER, flows.line_of(ANSWER, "intent: other"))]
    assert "duplicate key" in errors[0].message


def test_schema_violation(flows: Flows) -> None:
    line = flows.replace("flows/countries/HK.yml", "reviewed: 2026-11-23", "reviewed: soon")
    errors = flows.errors()
    assert ("flows/countries/HK.yml", line) in where(errors)
    assert any(p.message.startswith("reviewed:") for p in errors)


def test_unquoted_number_gets_a_hint(flows: Flows) -> None:
    line = flows.replace("flows/countries/MY.yml", '    text: "999"', "    text: 999")
    errors = [p for p in flows.errors() if p.path.name == "MY.yml"]
    assert where(errors) == [("flows/countries/MY.yml", line)]
    assert "quotes" in errors[0].message


def test_missing_language(flows: Flows) -> None:
    flows.replace(
        "flows/answers/document_withheld.yml",
        "  en: Type {{ menu.report_problem }} to make a complaint, or {{ menu.talk_to_human }}"
        " to talk to a person.\n",
        "",
    )
    errors = flows.errors()
    assert where(errors) == [
        (
            "flows/answers/document_withheld.yml",
            flows.line_of("flows/answers/document_withheld.yml", "next:"),
        )
    ]
    assert errors[0].message == "next: missing language 'en' (English)"


def test_missing_language_in_a_fact(flows: Flows) -> None:
    flows.replace(
        "flows/countries/SG.yml",
        "      en: Your employer should not keep your passport.\n",
        "",
    )
    errors = [p for p in flows.errors() if p.path.name == "SG.yml"]
    assert where(errors) == [
        ("flows/countries/SG.yml", flows.line_of("flows/countries/SG.yml", "  passport:") + 1)
    ]
    assert "missing language 'en'" in errors[0].message


def test_missing_answer(flows: Flows) -> None:
    flows.path("flows/answers/case_status.yml").unlink()
    errors = flows.errors()
    assert where(errors) == [("flows/answers/case_status.yml", None)]
    assert errors[0].message == "no answer for intent 'case_status'"


def test_answer_for_unknown_intent(flows: Flows) -> None:
    text = flows.path("flows/answers/case_status.yml").read_text(encoding="utf-8")
    flows.write("flows/answers/weather.yml", text.replace("intent: case_status", "intent: weather"))
    errors = flows.errors()
    assert where(errors) == [("flows/answers/weather.yml", 2)]
    assert "unknown intent 'weather'" in errors[0].message


def test_intent_must_match_file_name(flows: Flows) -> None:
    line = flows.replace(ANSWER, "intent: wages_unpaid", "intent: case_status")
    errors = flows.errors()
    assert (ANSWER, line) in where(errors)
    assert any("does not match the file name" in p.message for p in errors)


def test_unresolvable_reference(flows: Flows) -> None:
    line = flows.replace(
        ANSWER,
        "    {{ country }}: {{ country.rights.minimum_wage }}\n    Mengadu",
        "    {{ country }}: {{ country.rights.minimum_wages }}\n    Mengadu",
    )
    errors = flows.errors()
    assert where(errors) == [(ANSWER, line)]
    assert "minimum_wages" in errors[0].message
    assert "lang=id, country HK, MY, SA, SG, TW" in errors[0].message


def test_reference_that_fails_without_a_country(flows: Flows) -> None:
    line = flows.replace(
        ANSWER,
        "    Keep proof: payslips",
        "    {{ country.mission.phone }}\n    Keep proof: payslips",
    )
    errors = flows.errors()
    assert where(errors) == [(ANSWER, line)]
    assert "lang=en, country none" in errors[0].message


def test_misspelt_contact(flows: Flows) -> None:
    line = flows.replace(
        "flows/answers/emergency.yml",
        "    KemenP2MI: {{ contacts.call_centre_abroad }}\n  en:",
        "    KemenP2MI: {{ contacts.call_centre_abro }}\n  en:",
    )
    errors = flows.errors()
    assert where(errors) == [("flows/answers/emergency.yml", line)]


def test_misspelt_contact_in_a_snippet(flows: Flows) -> None:
    line = flows.replace(
        "flows/snippets.yml",
        "    Kemlu 24h: {{ contacts.kemlu_hotline }}\n    {% endif %}\nlegal_note",
        "    Kemlu 24h: {{ contacts.kemlu_hotlin }}\n    {% endif %}\nlegal_note",
    )
    errors = flows.errors()
    assert where(errors) == [("flows/snippets.yml", line)]  # not once per answer using it
    assert "lang=en, country none" in errors[0].message


def test_template_syntax_error(flows: Flows) -> None:
    line = flows.replace(
        ANSWER,
        "    {% if country %}\n    {{ country }}: {{ country.rights.minimum_wage }}\n    Complain",
        "    {% iff country %}\n    {{ country }}: {{ country.rights.minimum_wage }}\n    Complain",
    )
    errors = flows.errors()
    assert where(errors) == [(ANSWER, line)]
    assert errors[0].message.startswith("template error")


def test_unknown_country_code_in_support(flows: Flows) -> None:
    flows.replace(
        "flows/support.yml",
        "    kind: [legal_aid]\n    country: HK",
        "    kind: [legal_aid]\n    country: XX",
    )
    errors = flows.errors()
    assert where(errors) == [("flows/support.yml", flows.line_of("flows/support.yml", "  jbmi:"))]
    assert "unknown country code 'XX'" in errors[0].message


def test_unknown_country_code_in_a_template(flows: Flows) -> None:
    line = flows.replace(
        "flows/answers/emergency.yml",
        "    KemenP2MI: {{ contacts.call_centre_abroad }}\n  en:",
        "    KemenP2MI: {{ contacts.call_centre_abroad }}\n"
        '    {% for code in ["MY", "XX"] %}{{ countries[code].emergency }}{% endfor %}\n  en:',
    )
    errors = flows.errors()
    assert where(errors) == [("flows/answers/emergency.yml", line + 1)]
    assert "unknown country code 'XX'" in errors[0].message


def test_unknown_country_code_as_a_file(flows: Flows) -> None:
    text = flows.path("flows/countries/SG.yml").read_text(encoding="utf-8")
    flows.write("flows/countries/XX.yml", text.replace("code: SG", "code: XX"))
    errors = flows.errors()
    assert where(errors) == [
        ("flows/countries/XX.yml", flows.line_of("flows/countries/XX.yml", "code:"))
    ]
    assert "unknown country code 'XX'" in errors[0].message


def test_country_code_must_match_file_name(flows: Flows) -> None:
    text = flows.path("flows/countries/SG.yml").read_text(encoding="utf-8")
    flows.write("flows/countries/JP.yml", text)
    errors = flows.errors()
    assert where(errors) == [
        ("flows/countries/JP.yml", flows.line_of("flows/countries/JP.yml", "code:"))
    ]


def test_missing_source(flows: Flows) -> None:
    line = flows.replace(
        "flows/contacts.yml",
        '    text: "+62 812 9007 0027"\n    source:\n'
        "      url: https://antaranews.com/berita/687775/kemlu-laporkan-jika-ada-hak-wni-dilanggar\n"
        "      title: Kemlu - laporkan jika ada hak WNI dilanggar (Antara)\n",
        '    text: "+62 812 9007 0027"\n',
    )
    errors = flows.errors()
    assert where(errors) == [
        ("flows/contacts.yml", flows.line_of("flows/contacts.yml", "  kemlu_hotline:"))
    ]
    assert "missing `source`" in errors[0].message
    assert line > 0


def test_answer_source_needs_a_url(flows: Flows) -> None:
    line = flows.replace(
        ANSWER,
        "  - url: https://pasal.id/peraturan/uu/uu-no-18-tahun-2017\n",
        "  - note: x\n",
    )
    errors = flows.errors()
    assert (ANSWER, line) in where(errors)


def test_fact_without_url_is_a_warning(flows: Flows) -> None:
    flows.replace(
        "flows/contacts.yml",
        "      url: https://antaranews.com/berita/687775/kemlu-laporkan-jika-ada-hak-wni-dilanggar\n",
        "",
    )
    problems = [p for p in flows.check() if p.path.name == "contacts.yml"]
    assert [(p.severity, p.line) for p in problems] == [
        ("warning", flows.line_of("flows/contacts.yml", "  kemlu_hotline:"))
    ]


def test_missing_reviewed_date(flows: Flows) -> None:
    flows.replace(ANSWER, "reviewed: 2026-12-01\n", "")
    errors = flows.errors()
    assert where(errors) == [(ANSWER, 2)]
    assert errors[0].message == "missing `reviewed` date (YYYY-MM-DD)"


def test_old_reviewed_date_is_a_warning(flows: Flows) -> None:
    line = flows.replace(ANSWER, "reviewed: 2026-12-01", "reviewed: 2025-10-01")
    assert flows.errors() == []
    warnings = [p for p in flows.check() if "12 months" in p.message]
    assert [(p.path.as_posix(), p.line, p.severity) for p in warnings] == [
        (ANSWER, line, "warning")
    ]


def test_every_file_ages(flows: Flows) -> None:
    warnings = [p for p in flows.check(today=date(2028, 1, 1)) if "12 months" in p.message]
    files = {p.path.as_posix() for p in warnings}
    assert {ANSWER, "flows/countries/HK.yml", "flows/contacts.yml", "flows/facts.yml"} <= files
    assert all(p.severity == "warning" and p.line for p in warnings)


def test_menu_unknown_intent(flows: Flows) -> None:
    line = flows.replace("flows/menu.yml", "intent: find_support", "intent: find_help")
    errors = flows.errors()
    assert where(errors) == [("flows/menu.yml", line)]
    assert "unknown intent 'find_help'" in errors[0].message


def test_menu_duplicate_number(flows: Flows) -> None:
    flows.replace("flows/menu.yml", 'number: "9"', 'number: "8"')
    errors = flows.errors()
    assert where(errors) == [
        ("flows/menu.yml", flows.line_of("flows/menu.yml", "intent: find_support"))
    ]
    assert "used twice" in errors[0].message


def test_missing_schema_hint_is_a_warning(flows: Flows) -> None:
    flows.replace(ANSWER, "# yaml-language-server: $schema=../schema/answer.schema.json\n", "")
    problems = [p for p in flows.check() if p.path.as_posix() == ANSWER]
    assert [(p.severity, p.line) for p in problems] == [("warning", 1)]


def test_missing_shared_file(flows: Flows) -> None:
    flows.path("flows/contacts.yml").unlink()
    errors = flows.errors()
    # Only the cause: answers that use contacts are not rendered against a missing file.
    assert where(errors) == [("flows/contacts.yml", None)]


def test_load_refuses_broken_content(flows: Flows) -> None:
    flows.path("flows/answers/case_status.yml").unlink()
    with pytest.raises(ContentError) as raised:
        Content.load(flows.root)
    assert where(raised.value.problems) == [("flows/answers/case_status.yml", None)]
    assert "flows/answers/case_status.yml: no answer" in str(raised.value)


def test_long_answer_is_a_warning(flows: Flows) -> None:
    flows.replace(
        ANSWER, "    Keep proof: payslips", "    " + "x" * 700 + "\n    Keep proof: payslips"
    )
    assert flows.errors() == []
    warnings = [p for p in flows.check() if "characters" in p.message]
    assert where(warnings) == [(ANSWER, flows.line_of(ANSWER, "text:") + 1)]


def test_error_in_a_next_line(flows: Flows) -> None:
    line = flows.replace(
        "flows/answers/emergency.yml",
        "  id: Telepon sekarang. Setelah aman, ketik {{ menu.report_problem }} untuk melapor.",
        "  id: Telepon sekarang. Setelah aman, ketik {{ menu.report }} untuk melapor.",
    )
    errors = flows.errors()
    assert where(errors) == [("flows/answers/emergency.yml", line)]
    assert "lang=id, every country" in errors[0].message


def test_command_line(flows: Flows, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.content.__main__ import main

    assert main([str(flows.root)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    flows.path("flows/answers/case_status.yml").unlink()
    assert main([str(flows.root)]) == 1
    assert "flows/answers/case_status.yml: no answer" in capsys.readouterr().err


def test_impossible_date(flows: Flows) -> None:
    line = flows.replace(ANSWER, "reviewed: 2026-12-01", "reviewed: 2026-13-45")
    errors = flows.errors()
    assert where(errors) == [(ANSWER, line)]
    assert errors[0].message.startswith("invalid date")


def test_quoted_dates_count_as_dates(flows: Flows) -> None:
    flows.replace(ANSWER, "reviewed: 2026-12-01", 'reviewed: "2026-12-01"')
    assert flows.errors() == []
    line = flows.replace(ANSWER, 'reviewed: "2026-12-01"', 'reviewed: "2026-02-30"')
    assert where(flows.errors()) == [(ANSWER, line)]
