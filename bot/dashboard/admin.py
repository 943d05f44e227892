"""Accounts and organisations (admin), reports (supervisors), content checks (editors)."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

from sqlalchemy import func, select
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.cases import PermissionDenied, check_directory
from bot.cases.audit import audit
from bot.cases.permissions import may_check_content, may_manage_staff, may_see_reports
from bot.cases.status import OUTCOMES, STATUS_LABELS
from bot.dashboard.web import Ctx, NotFound, Pages, flash, redirect
from bot.settings import PROJECT_ROOT
from bot.staff import AccountError, create_staff, password_link_token
from bot.staff.accounts import ROLES
from bot.staff.sessions import end_all_sessions
from bot.storage.models import Case, Staff, utcnow

REPORT_DAYS = 30


def admin_routes(pages: Pages, content_root: object = PROJECT_ROOT) -> list[BaseRoute]:
    async def staff_list(
        ctx: Ctx, link: tuple[str, str] | None = None, status: int = 200
    ) -> Response:
        if not may_manage_staff(ctx.actor):
            raise PermissionDenied("staff")
        people = (
            await ctx.db.scalars(select(Staff).order_by(Staff.organisation, Staff.username))
        ).all()
        return pages.render(
            ctx.request,
            "staff.html",
            {
                "staff": ctx.staff,
                "people": people,
                "roles": ROLES,
                "directory": ctx.desk.directory,
                "link": link,
            },
            status,
        )

    async def staff_page(ctx: Ctx) -> Response:
        return await staff_list(ctx)

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
            flash(ctx.request, str(error), "error")
            return await staff_list(ctx, status=400)
        token = await password_link_token(ctx.db, person)
        return await staff_list(ctx, (person.username, _link(ctx, token)))

    async def staff_change(ctx: Ctx) -> Response:
        if not may_manage_staff(ctx.actor):
            raise PermissionDenied("staff")
        person = await ctx.db.get(Staff, int(ctx.request.path_params["staff_id"]))
        if person is None:
            raise NotFound
        what = ctx.request.path_params["what"]
        if what not in ("link", "disable", "enable"):
            raise NotFound
        if what == "link":
            token = await password_link_token(ctx.db, person)
            audit(ctx.db, "password_link", staff_id=ctx.staff.id, subject=person.id)
            return await staff_list(ctx, (person.username, _link(ctx, token)))
        if person.id == ctx.staff.id:
            flash(ctx.request, "You cannot disable your own account.", "error")
            return redirect(ctx.request, "/staff")
        person.active = what == "enable"
        if not person.active:
            person.on_duty = False
            await end_all_sessions(ctx.db, person.id)
        audit(ctx.db, f"staff_{what}d", staff_id=ctx.staff.id, subject=person.id)
        return redirect(ctx.request, "/staff")

    async def organisations(ctx: Ctx) -> Response:
        if not may_manage_staff(ctx.actor):
            raise PermissionDenied("organisations")
        counts = dict(
            (
                await ctx.db.execute(
                    select(Staff.organisation, func.count())
                    .where(Staff.active.is_(True))
                    .group_by(Staff.organisation)
                )
            ).all()
        )
        return pages.render(
            ctx.request,
            "organisations.html",
            {"staff": ctx.staff, "directory": ctx.desk.directory, "counts": counts},
        )

    async def reports(ctx: Ctx) -> Response:
        if not may_see_reports(ctx.actor):
            raise PermissionDenied("reports")
        org = ctx.staff.organisation
        since = utcnow() - timedelta(days=REPORT_DAYS)

        async def grouped(column: object, *where: object) -> list[tuple[str, int]]:
            rows = await ctx.db.execute(
                select(column, func.count())  # type: ignore[call-overload]
                .where(Case.organisation == org, *where)
                .group_by(column)
                .order_by(func.count().desc())
            )
            return [(str(k) if k is not None else "—", int(n)) for k, n in rows.all()]

        replies = (
            await ctx.db.execute(
                select(Case.created_at, Case.first_human_reply_at).where(
                    Case.organisation == org,
                    Case.created_at >= since,
                    Case.first_human_reply_at.is_not(None),
                )
            )
        ).all()
        waits = [(b - a).total_seconds() / 60 for a, b in replies if b is not None]
        audit(ctx.db, "report_viewed", staff_id=ctx.staff.id)
        return pages.render(
            ctx.request,
            "reports.html",
            {
                "staff": ctx.staff,
                "days": REPORT_DAYS,
                "organisation": ctx.desk.directory.organisation_name(org or ""),
                "by_status": await grouped(Case.status, Case.status != "closed"),
                "by_category": await grouped(Case.category, Case.created_at >= since),
                "by_priority": await grouped(Case.priority, Case.created_at >= since),
                "by_outcome": await grouped(Case.outcome, Case.closed_at >= since),
                "median_first_reply": round(median(waits)) if waits else None,
                "status_labels": STATUS_LABELS,
                "outcomes": OUTCOMES,
            },
        )

    async def content(ctx: Ctx) -> Response:
        if not may_check_content(ctx.actor):
            raise PermissionDenied("content")
        root = ctx.desk.directory.root or content_root
        return pages.render(
            ctx.request,
            "content.html",
            {
                "staff": ctx.staff,
                "problems": check_directory(root),  # type: ignore[arg-type]
                "directory": ctx.desk.directory,
            },
        )

    return [
        Route("/staff", pages.staff(staff_page), methods=["GET"]),
        Route("/staff", pages.staff(staff_add), methods=["POST"]),
        Route(
            "/staff/{staff_id:int}/{what:str}",
            pages.staff(staff_change),
            methods=["POST"],
        ),
        Route("/organisations", pages.staff(organisations), methods=["GET"]),
        Route("/reports", pages.staff(reports), methods=["GET"]),
        Route("/content", pages.staff(content), methods=["GET"]),
    ]


def _link(ctx: Ctx, token: str) -> str:
    base = str(ctx.request.base_url).rstrip("/")
    return f"{base}{ctx.url('/password')}?token={token}"
