"""Case statuses, priorities, sources and outcomes: the strings rows already hold."""

from __future__ import annotations

from bot.cases.alerts import NoticeKind
from bot.cases.status import OUTCOMES, STATUS_LABELS, Outcome, Priority, Source, Status
from bot.dialogue.cases import STATUS_TEXT


def test_stored_names_are_unchanged() -> None:
    # Existing rows hold these strings: renaming a member needs a data migration.
    assert [str(s) for s in Status] == [
        "new",
        "in_progress",
        "waiting",
        "referred",
        "resolved",
        "closed",
    ]
    assert [str(p) for p in Priority] == ["urgent", "normal"]
    assert [str(s) for s in Source] == ["complaint", "talk_to_human", "emergency"]
    assert set(map(str, Outcome)) == {
        "resolved",
        "referred_out",
        "advice_given",
        "unreachable",
        "withdrawn",
        "duplicate",
        "out_of_mandate",
        "data_deleted",
    }
    assert [str(k) for k in NoticeKind] == [
        "urgent",
        "overdue",
        "assigned",
        "unclaimed",
        "referred",
        "accepted",
        "declined",
        "unanswered",
    ]


def test_every_status_and_outcome_reads_as_words() -> None:
    assert set(STATUS_LABELS) == set(Status)  # officers
    assert set(STATUS_TEXT) == set(Status)  # workers asking for their case's status
    assert set(OUTCOMES) == set(Outcome)
