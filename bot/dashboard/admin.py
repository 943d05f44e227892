"""Accounts and organisations (admin), reports (supervisors); content: editors.py."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.cases import PermissionDenied, queries
from bot.cases.audit import audit
from bot.cases.permissions import may_manage_staff, may_see_reports
from bot.cases.status import OUTCOMES, STATUS_LABELS
from bot.dashboard.web import Ctx, NotFound, desk_language, flash, redirect, signed_in
from bot.i18n import N_
from bot.staff import AccountError, create_staff, password_link_token
from bot.staff.accounts import ROLES
from bot.staff.sessions import end_all_sessions
from bot.storage.models import Staff, utcnow

REPORT_DAYS = 30
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
async def reports(ctx: Ctx) -> Response:
    if not may_see_reports(ctx.actor):
        raise PermissionDenied("reports")
    organisation = ctx.staff.organisation or ""  # may_see_reports requires one
    report = await queries.report(
        ctx.db, organisation, since=utcnow() - timedelta(days=REPORT_DAYS)
    )
    audit(ctx.db, "report_viewed", staff_id=ctx.staff.id)
    return ctx.render(
        "reports.html",
        {
            "days": REPORT_DAYS,
            "organisation": ctx.desk.directory.organisation_name(
                organisation, desk_language(ctx.request)
            ),
            "report": report,
            "status_labels": STATUS_LABELS,
            "outcomes": OUTCOMES,
        },
    )


routes: list[BaseRoute] = [
    Route("/staff", staff_page, methods=["GET"]),
    Route("/staff", staff_add, methods=["POST"]),
    Route("/staff/{staff_id:int}/{what:str}", staff_change, methods=["POST"]),
    Route("/organisations", organisations, methods=["GET"]),
    Route("/reports", reports, methods=["GET"]),
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
