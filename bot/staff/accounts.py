"""Creating accounts, checking passwords, and the first administrator's setup link."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.audit import audit
from bot.cases.permissions import Role
from bot.i18n import N_, LocalisedError
from bot.staff.passwords import hash_password, needs_rehash, verify_password, weakness
from bot.staff.sessions import end_all_sessions
from bot.staff.tokens import issue_token
from bot.storage.models import Staff, utcnow

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
SETUP_TTL = timedelta(hours=24)
PASSWORD_LINK_TTL = timedelta(days=3)
ROLES = tuple(r.value for r in Role)


class AccountError(LocalisedError):
    """A request about an account that cannot be carried out; safe to show."""


async def create_staff(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    role: str,
    organisation: str | None,
    known_organisations: set[str] | frozenset[str],
    password: str | None = None,
    created_by: int | None = None,
) -> Staff:
    """A new account; without a password, give the person a link from `password_link`."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(N_("a username is 2-64 characters: a-z, 0-9, dot, dash, underscore"))
    if role not in ROLES:
        raise AccountError(N_("the role must be one of {roles}"), roles=", ".join(ROLES))
    if role in (Role.OFFICER, Role.SUPERVISOR) and not organisation:
        raise AccountError(N_("officers and supervisors belong to an organisation"))
    if organisation is not None and organisation not in known_organisations:
        raise AccountError(
            N_("unknown organisation {organisation} (see flows/organisations.yml)"),
            organisation=repr(organisation),
        )
    if await session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise AccountError(N_("the username {username} is taken"), username=repr(username))
    staff = Staff(
        username=username,
        display_name=display_name.strip()[:120] or username,
        role=role,
        organisation=organisation,
        on_duty=False,
        active=True,
        created_at=utcnow(),
    )
    if password is not None:
        problem = weakness(password, username)
        if problem:
            raise AccountError(problem)
        staff.password_hash = hash_password(password)
    session.add(staff)
    await session.flush()
    audit(session, "staff_created", staff_id=created_by, subject=staff.id, role=role)
    return staff


async def set_password(session: AsyncSession, staff: Staff, password: str) -> None:
    problem = weakness(password, staff.username)
    if problem:
        raise AccountError(problem)
    staff.password_hash = hash_password(password)
    await end_all_sessions(session, staff.id)
    audit(session, "password_set", staff_id=staff.id, subject=staff.id)


async def password_link_token(session: AsyncSession, staff: Staff) -> str:
    return await issue_token(session, "password", staff.id, PASSWORD_LINK_TTL)


async def authenticate(session: AsyncSession, username: str, password: str) -> Staff | None:
    staff = await session.scalar(select(Staff).where(Staff.username == username.strip().lower()))
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.active:
        audit(session, "login_failed", staff_id=staff.id if staff else None)
        return None
    assert staff.password_hash is not None  # verify_password is False without one
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    audit(session, "login", staff_id=staff.id)
    return staff


async def needs_setup(session: AsyncSession) -> bool:
    """No administrator can sign in yet: a fresh installation."""
    admins = await session.scalar(
        select(func.count())
        .select_from(Staff)
        .where(Staff.role == Role.ADMIN, Staff.active.is_(True), Staff.password_hash.is_not(None))
    )
    return not admins


async def setup_link_token(session: AsyncSession) -> str | None:
    """A one-time token for creating the first administrator, or None if one exists."""
    if not await needs_setup(session):
        return None
    return await issue_token(session, "setup", None, SETUP_TTL)
