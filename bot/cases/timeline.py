"""A case's hand-overs, read from the audit log: who moved it, from which organisation, when.

Opened, claimed, assigned, released, transferred, referred, accepted, declined (with the
reason), withdrawn, shared, handed back to the bot, closed. Every organisation that may see
the case sees its whole timeline: it says who held the case, never what anyone wrote
(except a declined referral's reason, which is written for the referring organisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEntry, Case, Referral, Staff


class Handover(StrEnum):
    OPENED = "opened"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    RELEASED = "released"
    TRANSFERRED = "transferred"
    REFERRED = "referred"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SHARED = "shared"
    HANDED_BACK = "handed_back"
    CLOSED = "closed"


# Audit actions that are hand-overs (an assignment to nobody is a release).
ACTIONS: dict[str, Handover] = {
    "opened": Handover.OPENED,
    "claimed": Handover.CLAIMED,
    "assigned": Handover.ASSIGNED,
    "released": Handover.RELEASED,
    "transferred": Handover.TRANSFERRED,
    "referred": Handover.REFERRED,
    "referral_accepted": Handover.ACCEPTED,
    "referral_declined": Handover.DECLINED,
    "referral_withdrawn": Handover.WITHDRAWN,
    "shared": Handover.SHARED,
    "handed_back": Handover.HANDED_BACK,
    "closed": Handover.CLOSED,
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: Handover
    who: str | None  # the staff member's name; None: the helpline itself
    organisation: str | None  # theirs, at the time (an id)
    other: str | None = None  # the organisation it went to, or came from (an id)
    queue: str | None = None  # the queue it went to (an id)
    person: str | None = None  # assigned to
    outcome: str | None = None  # closed with
    reason: str | None = None  # a declined referral's reason


async def timeline(session: AsyncSession, case: Case) -> list[Entry]:
    """Oldest first."""
    rows = (
        await session.execute(
            select(AuditEntry, Staff.display_name, Staff.organisation)
            .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
            .where(AuditEntry.case_id == case.id, AuditEntry.action.in_(ACTIONS))
            .order_by(AuditEntry.id)
        )
    ).all()
    reasons = await _reasons(session, case)
    people = await _people(session, [entry.data for entry, _, _ in rows])
    entries = []
    for entry, name, staff_org in rows:
        data: dict[str, Any] = entry.data or {}
        kind = ACTIONS[entry.action]
        if kind == Handover.ASSIGNED and data.get("to") is None:
            kind = Handover.RELEASED
        by = data.get("by_organisation") or staff_org
        if entry.action == "opened":
            by = None
        entries.append(
            Entry(
                at=entry.at,
                kind=kind,
                who=name,
                organisation=by,
                other=data.get("organisation") if kind != Handover.OPENED else None,
                queue=data.get("to_queue") or data.get("queue"),
                person=people.get(data["to"]) if isinstance(data.get("to"), int) else None,
                outcome=data.get("outcome"),
                reason=reasons.get(data.get("referral_id") or 0)
                if kind == Handover.DECLINED
                else None,
            )
        )
    return entries


async def _reasons(session: AsyncSession, case: Case) -> dict[int, str]:
    rows = await session.execute(
        select(Referral.id, Referral.reason).where(
            Referral.case_id == case.id, Referral.reason.is_not(None)
        )
    )
    return {i: r for i, r in rows.all() if r is not None}


async def _people(session: AsyncSession, data: list[dict[str, Any]]) -> dict[int, str]:
    ids = {d["to"] for d in data if isinstance((d or {}).get("to"), int)}
    if not ids:
        return {}
    rows = await session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids)))
    return {i: n for i, n in rows.all()}
