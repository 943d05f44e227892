"""A case's statuses, priorities, sources and closing outcomes: the names stored and shown
(English labels marked for translation: translate them where they are shown).

StrEnums: a member is the very string stored in the database, so a stored "closed" equals
`Status.CLOSED` and no migration is needed; a misspelt member is a type error.
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # for the worker
    REFERRED = "referred"
    RESOLVED = "resolved"
    CLOSED = "closed"  # only by closing, with an outcome


class Priority(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class Source(StrEnum):
    """What opened the case."""

    COMPLAINT = "complaint"
    TALK_TO_HUMAN = "talk_to_human"
    EMERGENCY = "emergency"


class Outcome(StrEnum):
    RESOLVED = "resolved"
    REFERRED_OUT = "referred_out"
    ADVICE_GIVEN = "advice_given"
    UNREACHABLE = "unreachable"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"
    OUT_OF_MANDATE = "out_of_mandate"
    DATA_DELETED = "data_deleted"  # only when the worker asks to be forgotten


STATUSES = tuple(Status)
# What officers set by hand; "closed" goes through closing, with an outcome.
SETTABLE = tuple(s for s in Status if s is not Status.CLOSED)
STATUS_LABELS: dict[str, str] = {
    Status.NEW: N_("New"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.WAITING: N_("Waiting for worker"),
    Status.REFERRED: N_("Referred"),
    Status.RESOLVED: N_("Resolved"),
    Status.CLOSED: N_("Closed"),
}
PRIORITIES = tuple(Priority)
OUTCOMES: dict[str, str] = {
    Outcome.RESOLVED: N_("Resolved: the worker got what they asked for"),
    Outcome.REFERRED_OUT: N_("Referred to another service outside the helpline"),
    Outcome.ADVICE_GIVEN: N_("Advice given, no further action needed"),
    Outcome.UNREACHABLE: N_("The worker stopped answering"),
    Outcome.WITHDRAWN: N_("The worker withdrew"),
    Outcome.DUPLICATE: N_("Duplicate of another case"),
    Outcome.OUT_OF_MANDATE: N_("Outside what we can do"),
    Outcome.DATA_DELETED: N_("The worker asked for their data to be deleted"),
}
# Outcomes an officer may pick when closing (the rest the desk sets itself).
CLOSING = tuple(o for o in Outcome if o is not Outcome.DATA_DELETED)
SOURCES = tuple(Source)
