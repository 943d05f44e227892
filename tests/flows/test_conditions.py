"""The `when:` language: parsed into a tree, never evaluated as Python."""

from __future__ import annotations

import pytest

from bot.dialogue.flows.conditions import ConditionError, parse

ANSWERS = {
    "agency_known": True,
    "category": "document_withheld",
    "owed": {"amount": "4500", "currency": "MYR"},
    "kind": "physical",
    "hours": 16,
    "city": "",
}


@pytest.mark.parametrize(
    ("source", "holds"),
    [
        ("agency_known == true", True),
        ("agency_known != true", False),
        ("category in [document_withheld, repatriation]", True),
        ("category not in [document_withheld]", False),
        ("owed.currency == MYR", True),
        ("owed.amount > 1000 and owed.amount <= 4500", True),
        ("hours >= 12", True),
        ("kind == 'physical' or kind == sexual", True),
        ("not (agency_known and hours < 10)", True),
        ("agency_known", True),
        ("city", False),  # answered but empty
        ("missing", False),  # not answered
        ("missing != true", True),
        ("missing > 3", False),  # unanswered is neither more nor less
    ],
)
def test_conditions_over_answers(source: str, holds: bool) -> None:
    assert parse(source).holds(ANSWERS) is holds


@pytest.mark.parametrize(
    "source",
    ["agency_known ==", "== true", "a in b", "a in [x", "__import__('os')", "a == b c", "true"],
)
def test_what_is_not_a_condition_is_refused(source: str) -> None:
    with pytest.raises(ConditionError):
        parse(source)


def test_comparisons_name_the_answers_they_use() -> None:
    condition = parse("a == 1 and (b.part in [x, y] or not c)")
    assert [c.ref.path for c in condition.comparisons()] == [("a",), ("b", "part"), ("c",)]
