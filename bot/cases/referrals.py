"""Referrals: a case offered to another organisation, which accepts it into its queue or
declines it with a reason (the case then stays with, and is back to, the organisation that
referred it). While it waits, the receiving organisation may read the case to decide.

    referral = await refer(desk, session, actor, case, "kbri-kl-protection", "Passport held")
    await accept(desk, session, other_actor, referral)          # or decline(..., "reason")
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.alerts import NoticeKind
from bot.cases.audit import audit
from bot.cases.desk import Desk, DeskError, _grant, _text
from bot.cases.permissions import (
    CASE_ROLES,
    Action,
    Actor,
    PermissionDenied,
    Role,
    may_decide_referral,
)
from bot.cases.status import Status
from bot.i18n import N_
from bot.storage.models import Case, CaseAccess, Referral, Staff, StaffNotification

# Why another organisation may read a case while a referral to it waits.
ACCESS_REASON = "referral"


class ReferralStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # by the organisation that referred it


async def pending(session: AsyncSession, case: Case) -> Referral | None:
    """The referral of the case waiting for an answer (there is at most one)."""
    return await session.scalar(
        select(Referral).where(
            Referral.case_id == case.id, Referral.status == ReferralStatus.PENDING
        )
    )


async def refer(
    desk: Desk, session: AsyncSession, actor: Actor, case: Case, queue_id: str, note: str = ""
) -> Referral:
    """Offer the case to the organisation of `queue_id`; it stays ours until they accept."""
    await desk.require(session, actor, Action.TRANSFER, case)
    target = desk.directory.queues.get(queue_id)
    if target is None:
        raise DeskError(N_("unknown queue {queue}"), queue=repr(queue_id))
    if target.organisation == case.organisation:
        raise DeskError(N_("that queue is in the case's own organisation: transfer the case"))
    waiting = await pending(session, case)
    if waiting is not None:
        name = desk.directory.organisation_name(waiting.to_organisation)
        raise DeskError(
            N_("the case is already waiting for {organisation} to accept or decline it"),
            organisation=name,
        )
    now = desk.clock()
    referral = Referral(
        case_id=case.id,
        from_organisation=case.organisation,
        to_organisation=target.organisation,
        to_queue=target.id,
        referred_by=actor.id,
        status=ReferralStatus.PENDING,
        previous_status=case.status,
        created_at=now,
    )
    session.add(referral)
    if note.strip():  # written for the receiving organisation: shared
        desk.add_note(session, actor, case, "referral", note, shared=True)
    await _grant(session, case.id, target.organisation, ACCESS_REASON)
    case.status, case.updated_at = Status.REFERRED, now
    await session.flush()
    _audit(session, "referred", actor, case, referral, target.organisation, to_queue=target.id)
    receivers = await _receivers(session, target.organisation)
    await _notify(desk, session, case, NoticeKind.REFERRED, receivers)
    desk.live.after_commit(session, f"org:{target.organisation}")
    desk._changed(session, case)
    return referral


async def accept(desk: Desk, session: AsyncSession, actor: Actor, referral: Referral) -> Case:
    """The receiving organisation takes the case: unassigned, in the queue it was referred to."""
    case = await _decidable(desk, session, actor, referral)
    target = desk.directory.queues.get(referral.to_queue)
    if target is None:
        raise DeskError(
            N_("the queue {queue} no longer exists; decline instead"),
            queue=repr(referral.to_queue),
        )
    _decided(desk, referral, actor, ReferralStatus.ACCEPTED)
    await desk.move(session, case, target)
    _audit(session, "referral_accepted", actor, case, referral, referral.from_organisation)
    await _notify(desk, session, case, NoticeKind.ACCEPTED, _referrer(referral))
    return case


async def decline(
    desk: Desk, session: AsyncSession, actor: Actor, referral: Referral, reason: str
) -> Case:
    """The receiving organisation says no, and why: the case is back with the referrer."""
    case = await _decidable(desk, session, actor, referral)
    if not reason.strip():
        raise DeskError(N_("say why the referral is declined: the referring organisation reads it"))
    _decided(desk, referral, actor, ReferralStatus.DECLINED)
    referral.reason = _text(reason)
    await _end(desk, session, case, referral)
    _audit(session, "referral_declined", actor, case, referral, referral.from_organisation)
    await _notify(desk, session, case, NoticeKind.DECLINED, _referrer(referral))
    return case


async def withdraw(desk: Desk, session: AsyncSession, actor: Actor, case: Case) -> None:
    """The referring organisation takes back a referral still waiting for an answer."""
    await desk.require(session, actor, Action.TRANSFER, case)
    referral = await pending(session, case)
    if referral is None:
        raise DeskError(N_("no referral of this case is waiting for an answer"))
    _decided(desk, referral, actor, ReferralStatus.WITHDRAWN)
    await _end(desk, session, case, referral)
    _audit(session, "referral_withdrawn", actor, case, referral, referral.to_organisation)


async def _decidable(desk: Desk, session: AsyncSession, actor: Actor, referral: Referral) -> Case:
    case = await session.get_one(Case, referral.case_id)
    if not may_decide_referral(actor, referral.to_organisation):
        audit(session, "denied", staff_id=actor.id, case_id=case.id, attempted="referral")
        raise PermissionDenied("referral")
    if referral.status != ReferralStatus.PENDING:
        raise DeskError(N_("this referral was answered already"))
    if case.status == Status.CLOSED:
        raise DeskError(N_("the case was closed in the meantime"))
    return case


def _audit(
    session: AsyncSession,
    action: str,
    actor: Actor,
    case: Case,
    referral: Referral,
    organisation: str,
    **details: str,
) -> None:
    """A referral's step in the audit log: who, from which organisation, to or from which."""
    audit(
        session,
        action,
        staff_id=actor.id,
        case_id=case.id,
        referral_id=referral.id,
        by_organisation=actor.organisation,
        organisation=organisation,
        **details,
    )


def _decided(desk: Desk, referral: Referral, actor: Actor, status: ReferralStatus) -> None:
    referral.status = status
    referral.decided_by, referral.decided_at = actor.id, desk.clock()


async def _end(desk: Desk, session: AsyncSession, case: Case, referral: Referral) -> None:
    """Declined or withdrawn: the receiving organisation no longer reads the case (unless it
    was shared with them before), and the case is as it was before the referral."""
    await session.execute(
        delete(CaseAccess).where(
            CaseAccess.case_id == case.id,
            CaseAccess.organisation == referral.to_organisation,
            CaseAccess.reason == ACCESS_REASON,
        )
    )
    if case.status == Status.REFERRED:
        case.status = referral.previous_status
    case.updated_at = desk.clock()
    desk.live.after_commit(session, f"org:{referral.to_organisation}")
    desk._changed(session, case)


def _referrer(referral: Referral) -> list[int]:
    return [referral.referred_by] if referral.referred_by is not None else []


async def _receivers(session: AsyncSession, organisation: str) -> list[int]:
    """Who decides: the organisation's officers on duty and its supervisors."""
    rows = await session.scalars(
        select(Staff.id).where(
            Staff.organisation == organisation,
            Staff.active.is_(True),
            Staff.role.in_(CASE_ROLES),
            Staff.on_duty.is_(True) | (Staff.role == Role.SUPERVISOR),
        )
    )
    return list(rows.all())


async def _notify(
    desk: Desk, session: AsyncSession, case: Case, kind: NoticeKind, staff_ids: Iterable[int]
) -> None:
    topics = []
    for staff_id in staff_ids:
        session.add(StaffNotification(staff_id=staff_id, case_id=case.id, kind=kind))
        topics.append(f"staff:{staff_id}")
    desk.live.after_commit(session, *topics)


# Reading -------------------------------------------------------------------------------------


async def of_case(session: AsyncSession, case: Case) -> list[Referral]:
    """Every referral of the case, the newest first."""
    rows = await session.scalars(
        select(Referral).where(Referral.case_id == case.id).order_by(Referral.id.desc())
    )
    return list(rows.all())


async def waiting(
    session: AsyncSession, *, to: str | None = None, by: str | None = None
) -> list[tuple[Referral, Case]]:
    """Open cases referred `to` an organisation (or `by` one) that wait for an answer,
    the oldest first."""
    query = (
        select(Referral, Case)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.status == ReferralStatus.PENDING, Case.status != Status.CLOSED)
        .order_by(Referral.created_at, Referral.id)
    )
    if to is not None:
        query = query.where(Referral.to_organisation == to)
    if by is not None:
        query = query.where(Referral.from_organisation == by)
    return [(r, c) for r, c in (await session.execute(query)).all()]
