"""A case's statuses, priorities and closing outcomes: the names stored and shown."""

from __future__ import annotations

STATUSES = ("new", "in_progress", "waiting", "referred", "resolved", "closed")
# What officers set by hand; "closed" goes through closing, with an outcome.
SETTABLE = ("new", "in_progress", "waiting", "referred", "resolved")
OPEN = tuple(s for s in STATUSES if s != "closed")
STATUS_LABELS = {
    "new": "New",
    "in_progress": "In progress",
    "waiting": "Waiting for worker",
    "referred": "Referred",
    "resolved": "Resolved",
    "closed": "Closed",
}
PRIORITIES = ("urgent", "normal")
OUTCOMES = {
    "resolved": "Resolved: the worker got what they asked for",
    "referred_out": "Referred to another service outside the helpline",
    "advice_given": "Advice given, no further action needed",
    "unreachable": "The worker stopped answering",
    "withdrawn": "The worker withdrew",
    "duplicate": "Duplicate of another case",
    "out_of_mandate": "Outside what we can do",
    "data_deleted": "The worker asked for their data to be deleted",
}
SOURCES = ("complaint", "talk_to_human", "emergency")
