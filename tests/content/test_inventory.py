"""The content page's figures: texts in both languages, translation coverage, reviews due,
sources, and `helpline check`'s problems placed in the file they belong to."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.content.inventory import content_paths, find, inspect, inspect_text, is_content_path
from bot.content.problems import Problem
from bot.content.publishing import check_content_files
from tests.content.conftest import Flows

# A made-up answer: three texts (one without English), a file date and a fact's own date.
FIXTURE = """\
# yaml-language-server: $schema=../schema/answer.schema.json
intent: wages_unpaid
reviewed: 2026-01-10
sources:
  - url: https://example.org/a
    title: Source A
  - title: Source B without a URL
text:
  id: Satu
  en: One
next:
  id: Dua
steps:
  - id: wage
    question: {id: Tiga, en: Three}
    reviewed: 2026-11-01
"""


def test_texts_coverage_reviews_and_sources_of_one_file() -> None:
    entry = inspect_text(Path("flows/answers/wages_unpaid.yml"), FIXTURE)
    assert [(t.name, t.line, t.id, t.en) for t in entry.texts] == [
        ("text", 8, "Satu", "One"),
        ("next", 11, "Dua", None),
        ("steps.wage.question", 15, "Tiga", "Three"),
    ]
    assert entry.coverage == 2 / 3
    assert [(r.name, r.line, r.on) for r in entry.reviewed] == [
        ("reviewed", 3, date(2026, 1, 10)),
        ("steps.wage", 16, date(2026, 11, 1)),
    ]
    # 2026-11-23: the file's date is 317 days old, the step's 22.
    due = entry.due(date(2026, 11, 23), 180)
    assert [r.name for r in due] == ["reviewed"]
    assert entry.due(date(2026, 11, 23), 400) == []
    assert [(s.line, s.title, s.url) for s in entry.sources] == [
        (5, "Source A", "https://example.org/a"),
        (7, "Source B without a URL", None),
    ]


def test_a_text_is_found_again_by_its_name() -> None:
    from ruamel.yaml import YAML

    data = YAML(typ="rt").load(FIXTURE)
    assert find(data, "steps.wage.question") == ("steps", 0, "question")
    assert find(data, "steps.salary.question") is None
    assert find(data, "text") == ("text",)


def test_every_content_file_is_listed_and_nothing_outside_flows(flows: Flows) -> None:
    listed = [p.as_posix() for p in content_paths(flows.root)]
    for expected in (
        "flows/answers/wages_unpaid.yml",
        "flows/complaints/common.yml",
        "flows/countries/MY.yml",
        "flows/contacts.yml",
        "flows/facts.yml",
        "flows/support.yml",
        "flows/menu.yml",
        "flows/snippets.yml",
        "flows/canned_replies.yml",
    ):
        assert expected in listed
    assert not any("schema" in p for p in listed)
    assert is_content_path("flows/answers/new_intent.yml")
    for outside in (
        "flows/../bot/cli.py",
        "/etc/passwd",
        "flows/schema/answer.schema.json",
        "flows/answers/sub/x.yml",
        "nlu_data/id/x.yml",
        "flows/answers/../../x.yml",
    ):
        assert not is_content_path(outside), outside


def test_the_checks_problems_land_in_their_file(flows: Flows) -> None:
    line = flows.replace(
        "flows/answers/wages_unpaid.yml", "intent: wages_unpaid", "intent: no_such"
    )
    flows.replace("flows/menu.yml", "{id: Ingin pulang, en: Going home}", "{id: Ingin pulang}")
    files = {f.path.as_posix(): f for f in inspect(flows.root, check_content_files(flows.root))}
    wages = files["flows/answers/wages_unpaid.yml"]
    assert any(
        p.line == line and "unknown intent 'no_such'" in p.message and p.severity == "error"
        for p in wages.problems
    ), wages.problems
    assert wages.errors >= 1
    assert not any("no_such" in p.message for p in files["flows/facts.yml"].problems)
    menu = files["flows/menu.yml"]
    assert menu.coverage is not None and 0 < menu.coverage < 1
    assert [t.name for t in menu.texts if not t.translated] == ["items.repatriation.label"]
    # The untouched files have every text in both languages.
    assert files["flows/canned_replies.yml"].coverage == 1.0


def test_problems_of_other_paths_are_not_attached(flows: Flows) -> None:
    stray = Problem(Path("nlu_data/id"), None, "not a content file")
    files = inspect(flows.root, [stray])
    assert all(stray not in f.problems for f in files)
