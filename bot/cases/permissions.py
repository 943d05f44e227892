"""Who may do what: pure functions of a staff member's role and organisation and of the case.

officer     their organisation's queues: view, claim, note; reply, transfer, refer, set status,
            close, release and hand back the cases assigned to them; accept or decline the
            cases referred to their organisation
supervisor  the same for every case of their organisation, plus assigning and reports
editor      content only: checks it, previews drafts and publishes them; admin: accounts and
            organisations (and may read the content pages). Neither sees cases.

Reports (bot/reports, anonymised figures): an organisation's, to its supervisors (and an
administrator who belongs to it); the network's, across the organisations that opted in
(organisations.yml `network_reports`), to administrators and to the supervisors of those
organisations. Officers see none.

An organisation a case was transferred from, shared with or referred to may view it and add
notes (the internal notes of another organisation stay hidden: bot/cases/queries.notes).
Anyone who may view an open case may flag it urgent (it then reaches the mission).
A closed case can still be viewed and noted, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.cases.status import Status


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    EDITOR = "editor"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW = "view"  # the case, its conversation, record, evidence and notes
    NOTE = "note"
    CLAIM = "claim"
    ASSIGN = "assign"
    REPLY = "reply"
    STATUS = "status"
    CLOSE = "close"
    TRANSFER = "transfer"  # to another queue of the organisation, or refer to another one
    SHARE = "share"
    HAND_BACK = "hand_back"
    FLAG_URGENT = "flag_urgent"  # any officer of the organisation: danger seen in the chat
    RELEASE = "release"  # back to the queue, unassigned


# Actions on a case that is assigned to the officer doing them (supervisors: any of theirs).
_ASSIGNEE = frozenset(
    {
        Action.REPLY,
        Action.STATUS,
        Action.CLOSE,
        Action.TRANSFER,
        Action.SHARE,
        Action.HAND_BACK,
        Action.RELEASE,
    }
)
# The roles that work cases (everyone else sees none).
CASE_ROLES = (Role.OFFICER, Role.SUPERVISOR)


@dataclass(frozen=True)
class Actor:
    id: int
    role: str
    organisation: str | None

    @property
    def works_cases(self) -> bool:
        return self.role in CASE_ROLES and self.organisation is not None


@dataclass(frozen=True)
class CaseScope:
    """What permissions need to know of a case."""

    organisation: str
    assigned_to: int | None
    closed: bool
    shared_with: frozenset[str] = frozenset()

    @classmethod
    def of(cls, case: object, shared_with: Iterable[str] = ()) -> CaseScope:
        return cls(
            organisation=case.organisation,  # type: ignore[attr-defined]
            assigned_to=case.assigned_to,  # type: ignore[attr-defined]
            closed=case.status == Status.CLOSED,  # type: ignore[attr-defined]
            shared_with=frozenset(shared_with),
        )


def can(actor: Actor, action: Action, case: CaseScope) -> bool:
    if not actor.works_cases:
        return False
    owner = actor.organisation == case.organisation
    if not owner:
        if actor.organisation not in case.shared_with:
            return False
        return action in (Action.VIEW, Action.NOTE) or (
            action == Action.FLAG_URGENT and not case.closed
        )
    if action in (Action.VIEW, Action.NOTE):
        return True
    if case.closed:
        return False
    supervisor = actor.role == Role.SUPERVISOR
    if action == Action.CLAIM:
        return case.assigned_to is None or (supervisor and case.assigned_to != actor.id)
    if action == Action.ASSIGN:
        return supervisor
    if action == Action.FLAG_URGENT:
        return True  # whoever reads the chat and sees danger
    if action in _ASSIGNEE:
        return supervisor or case.assigned_to == actor.id
    return False


def may_decide_referral(actor: Actor, to_organisation: str) -> bool:
    """Only the organisation a case is referred to accepts or declines it."""
    return actor.works_cases and actor.organisation == to_organisation


def may_manage_staff(actor: Actor) -> bool:
    return actor.role == Role.ADMIN


def may_see_reports(actor: Actor) -> bool:
    return actor.role == Role.SUPERVISOR and actor.organisation is not None


def may_see_organisation_report(actor: Actor) -> bool:
    """Its own organisation's report: supervisors, and an administrator of an organisation."""
    return actor.role in (Role.SUPERVISOR, Role.ADMIN) and actor.organisation is not None


def may_see_network_report(actor: Actor, opted_in: Collection[str]) -> bool:
    """The network's report: administrators, and supervisors of an organisation that shares."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.SUPERVISOR and actor.organisation in opted_in


def may_see_queues(actor: Actor) -> bool:
    return actor.works_cases


def may_check_content(actor: Actor) -> bool:
    """The content pages: what each file says, its translations, reviews and problems."""
    return actor.role in (Role.EDITOR, Role.ADMIN)


def may_edit_content(actor: Actor) -> bool:
    """Drafts chatted with in the preview, and published: editors only."""
    return actor.role == Role.EDITOR


class PermissionDenied(Exception):
    """The staff member may not do this; shown as 403 (or 404 for a case they may not see)."""
