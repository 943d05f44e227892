"""Accounts and organisations (admin), awareness messages (editors); content: editors.py;
reports: reports.py."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.awareness.content import load as load_awareness
from bot.awareness.status import progress as awareness_progress
from bot.cases import PermissionDenied, queries
from bot.cases.audit import audit
from bot.cases.permissions import may_check_content, may_manage_staff
from bot.dashboard.web import Ctx, NotFound, desk_language, flash, redirect, signed_in, state
from bot.i18n import N_
from bot.staff import AccountError, create_staff, password_link_token
from bot.staff.accounts import ROLES
from bot.staff.sessions import end_all_sessions
from bot.storage.models import Staff, utcnow

STAFF_CHANGES = ("link", "disable", "enable")


@signed_in
async def staff_page(ctx: Ctx) -> Response:
    return await _staff_list(ctx)


@signed_in
async def staff_add(ctx: Ctx) -> Response:
    if not may_manage_staff(ctx.actor):
        raise PermissionDenied("staff")
    form = await ctx.request.form()
    organisation = str(form.get("organisation", "")) or None
    try:
        person = await create_staff(
            ctx.db,
            username=str(form.get("username", "")),
            display_name=str(form.get("display_name", "")),
            role=str(form.get("role", "")),
            organisation=organisation,
            known_organisations=set(ctx.desk.directory.organisations),
            created_by=ctx.staff.id,
        )
    except AccountError as error:
        await ctx.db.rollback()
        flash(ctx.request, error.text(desk_language(ctx.request)), "error")
        return await _staff_list(ctx, status=400)
    token = await password_link_token(ctx.db, person)
    return await _staff_list(ctx, (person.username, _link(ctx, token)))


@signed_in
async def staff_change(ctx: Ctx) -> Response:
    """A new password link for someone, or their account disabled or enabled again."""
    if not may_manage_staff(ctx.actor):
        raise PermissionDenied("staff")
    person = await ctx.db.get(Staff, int(ctx.request.path_params["staff_id"]))
    what = ctx.request.path_params["what"]
    if person is None or what not in STAFF_CHANGES:
        raise NotFound
    if what == "link":
        token = await password_link_token(ctx.db, person)
        audit(ctx.db, "password_link", staff_id=ctx.staff.id, subject=person.id)
        return await _staff_list(ctx, (person.username, _link(ctx, token)))
    if person.id == ctx.staff.id:
        flash(ctx.request, ctx.gettext(N_("You cannot disable your own account.")), "error")
        return redirect(ctx.request, "/staff")
    person.active = what == "enable"
    if not person.active:
        person.on_duty = False
        await end_all_sessions(ctx.db, person.id)
    audit(ctx.db, f"staff_{what}d", staff_id=ctx.staff.id, subject=person.id)
    return redirect(ctx.request, "/staff")


@signed_in
async def organisations(ctx: Ctx) -> Response:
    if not may_manage_staff(ctx.actor):
        raise PermissionDenied("organisations")
    counts = await queries.active_staff_counts(ctx.db)
    return ctx.render("organisations.html", {"directory": ctx.desk.directory, "counts": counts})


@signed_in
async def awareness(ctx: Ctx) -> Response:
    """Editors' awareness messages (flows/awareness/): when, for whom, and how far each went."""
    if not may_check_content(ctx.actor):
        raise PermissionDenied("awareness")
    root = state(ctx.request).content_root
    notices, problems = load_awareness(root)
    listed = await awareness_progress(ctx.db, notices, utcnow())
    return ctx.render(
        "awareness.html",
        {"listed": listed, "problems": problems, "states": AWARENESS_STATES},
    )


AWARENESS_STATES = {
    "scheduled": N_("scheduled"),
    "sending": N_("sending"),
    "sent": N_("sent"),
    "expired": N_("expired, not all sent"),
}


routes: list[BaseRoute] = [
    Route("/staff", staff_page, methods=["GET"]),
    Route("/staff", staff_add, methods=["POST"]),
    Route("/staff/{staff_id:int}/{what:str}", staff_change, methods=["POST"]),
    Route("/organisations", organisations, methods=["GET"]),
    Route("/awareness", awareness, methods=["GET"]),
]


async def _staff_list(ctx: Ctx, link: tuple[str, str] | None = None, status: int = 200) -> Response:
    """The staff page; `link` is (username, one-time password link) to show once."""
    if not may_manage_staff(ctx.actor):
        raise PermissionDenied("staff")
    return ctx.render(
        "staff.html",
        {
            "people": await queries.all_staff(ctx.db),
            "roles": ROLES,
            "directory": ctx.desk.directory,
            "link": link,
        },
        status,
    )


def _link(ctx: Ctx, token: str) -> str:
    base = str(ctx.request.base_url).rstrip("/")
    return f"{base}{ctx.url('/password')}?token={token}"
