"""Danger-related answers (`safety: emergency`): `check` fails unless the numbers come first,
for every country and for no country, in both languages, and every number has a source."""

from __future__ import annotations

from bot.content import Problem

from .conftest import Flows

ABUSE = "flows/answers/abuse_violence.yml"
DANGER = {
    f"flows/answers/{i}.yml"
    for i in ("emergency", "abuse_violence", "trafficking_scam", "legal_status")
}
SAFETY_LINE = (
    "safety: emergency  # starts with {{ emergency_numbers }}; `helpline check` enforces it\n"
)


def files(problems: list[Problem]) -> set[str]:
    return {p.path.as_posix() for p in problems}


def test_the_real_danger_answers_pass(flows: Flows) -> None:
    assert flows.errors() == []


def test_a_danger_answer_without_the_numbers_fails_everywhere(flows: Flows) -> None:
    flows.replace(ABUSE, "  id: |\n    {{ emergency_numbers }}\n\n", "  id: |\n")
    errors = flows.errors()
    assert files(errors) == {ABUSE}
    messages = [p.message for p in errors]
    assert all("must start with the emergency numbers" in m for m in messages)
    assert all("(lang=id, " in m and "lang=en" not in m for m in messages)  # the id text only
    assert any("lang=id, every country" in m for m in messages)  # Kemlu
    assert any("contacts.kemlu_hotline" in m for m in messages)
    assert any("TW mission.phone" in m for m in messages)
    assert all(p.line == flows.line_of(ABUSE, "  id: |") for p in errors)


def test_numbers_after_the_text_are_not_first(flows: Flows) -> None:
    flows.replace(ABUSE, "  en: |\n    {{ emergency_numbers }}\n\n", "  en: |\n")
    women = "    For women: {{ support.solidaritas_perempuan.label }} handles {{ support.solidaritas_perempuan }}.\n"
    flows.replace(ABUSE, women, women + "\n    {{ emergency_numbers }}\n")
    errors = flows.errors()
    assert files(errors) == {ABUSE}
    assert all("(lang=en, " in p.message and "lang=id" not in p.message for p in errors)
    assert any("lang=en, every country" in p.message for p in errors)


def test_a_country_missing_from_the_list_without_a_country_fails(flows: Flows) -> None:
    for _ in range(2):  # both languages
        flows.path("flows/snippets.yml").write_text(
            flows.path("flows/snippets.yml")
            .read_text(encoding="utf-8")
            .replace('["MY", "HK", "SA", "SG", "TW"]', '["MY", "HK", "SA", "SG"]', 1),
            encoding="utf-8",
        )
    errors = flows.errors()
    assert files(errors) == DANGER  # every danger-related answer, not only emergency
    for problem in errors:
        assert "TW emergency." in problem.message
        assert "country none" in problem.message and "every country" not in problem.message


def test_the_mission_missing_for_a_country_fails(flows: Flows) -> None:
    flows.replace(
        "flows/snippets.yml",
        "    🚨 Emergency in {{ country }}: {{ country.emergency }}\n"
        "    {{ country.mission.name }}: {{ country.mission.phone }}\n",
        "    🚨 Emergency in {{ country }}: {{ country.emergency }}\n",
    )
    errors = flows.errors()
    assert files(errors) == DANGER
    assert all("mission.phone" in p.message and "(lang=en, country " in p.message for p in errors)
    assert not any("lang=id" in p.message or "none" in p.message for p in errors)
    assert len(errors) == len(DANGER) * 5  # each answer, each of the five countries


def test_kemlu_missing_in_one_language_fails(flows: Flows) -> None:
    flows.replace(
        "flows/snippets.yml",
        "    Kemlu 24 jam: {{ contacts.kemlu_hotline }}\n    {% endif %}\n  en:",
        "    {% endif %}\n  en:",
    )
    errors = flows.errors()
    assert files(errors) == DANGER
    assert all("contacts.kemlu_hotline" in p.message for p in errors)
    assert all("lang=id, country none" in p.message for p in errors)


def test_a_typed_number_without_a_source_fails(flows: Flows) -> None:
    line = flows.line_of(ABUSE, "  id: |")
    flows.replace(
        ABUSE,
        "    Untuk perempuan:",
        "    Telepon pusat krisis +62 811 000 000.\n    Untuk perempuan:",
    )
    errors = flows.errors()
    assert [(p.path.as_posix(), p.line) for p in errors] == [(ABUSE, line)]
    assert "'+62 811 000 000'" in errors[0].message and "no fact with a source" in errors[0].message
    assert "lang=id, every country" in errors[0].message


def test_a_number_from_a_fact_is_fine(flows: Flows) -> None:
    flows.replace(
        ABUSE,
        "    Untuk perempuan:",
        "    {{ contacts.call_centre_abroad.label }}: {{ contacts.call_centre_abroad }}\n"
        "    Untuk perempuan:",
    )
    assert flows.errors() == []


def test_other_answers_are_not_held_to_the_rule(flows: Flows) -> None:
    flows.replace(
        "flows/answers/social_security.yml",
        "    Masalah klaim BPJS",
        "    Info: 1500-910.\n    Masalah klaim BPJS",
    )
    assert flows.errors() == []


def test_the_list_is_data_an_editor_sees(flows: Flows) -> None:
    flows.replace(ABUSE, SAFETY_LINE, "")
    flows.replace(ABUSE, "  id: |\n    {{ emergency_numbers }}\n\n", "  id: |\n")
    assert flows.errors() == []  # no longer danger-related: the editor removed the marker
    flows.replace(ABUSE, "intent: abuse_violence\n", "intent: abuse_violence\nsafety: urgent\n")
    errors = flows.errors()
    assert [(p.path.as_posix(), p.line) for p in errors] == [(ABUSE, 3)]
    assert errors[0].message.startswith("safety:")


def test_the_snippets_file_needs_the_legal_note(flows: Flows) -> None:
    text = flows.path("flows/snippets.yml").read_text(encoding="utf-8")
    flows.write("flows/snippets.yml", text[: text.index("\nlegal_note:")])
    errors = flows.errors()
    assert files(errors) == {"flows/snippets.yml"}
    assert "legal_note" in errors[0].message
