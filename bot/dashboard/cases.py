"""Officers' pages: queues, case lists, a case with its conversation, and every case action."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases import Action, DeskError, PermissionDenied, can, queries
from bot.cases.contact import call_advice
from bot.cases.permissions import CaseScope, may_see_queues, may_see_reports
from bot.cases.status import OUTCOMES, SETTABLE, STATUS_LABELS
from bot.dashboard.web import Ctx, NotFound, Pages, redirect
from bot.i18n import normalise_language
from bot.nlu.entities.province import province_name
from bot.storage.models import Case, Evidence, Staff, StaffNotification, Worker, utcnow

NOTIFICATION_TEXT = {
    "urgent": "New urgent case",
    "overdue": "Waiting past the time limit",
    "assigned": "Assigned to you",
}


def case_routes(pages: Pages) -> list[BaseRoute]:
    async def home(ctx: Ctx) -> Response:
        if not may_see_queues(ctx.actor):
            return redirect(ctx.request, "/staff" if ctx.staff.role == "admin" else "/content")
        assert ctx.staff.organisation is not None  # may_see_queues requires one
        summaries = await queries.queue_summaries(
            ctx.db, ctx.desk.directory, ctx.staff.organisation
        )
        mine = (await ctx.db.scalars(queries.case_list(ctx.actor, mine=True))).all()
        shared = (await ctx.db.scalars(queries.case_list(ctx.actor, shared=True))).all()
        notes = (
            await ctx.db.execute(
                select(StaffNotification, Case.reference)
                .join(Case, Case.id == StaffNotification.case_id)
                .where(
                    StaffNotification.staff_id == ctx.staff.id, StaffNotification.read_at.is_(None)
                )
                .order_by(StaffNotification.id.desc())
                .limit(20)
            )
        ).all()
        return pages.render(
            ctx.request,
            "home.html",
            {
                "staff": ctx.staff,
                "organisation": ctx.desk.directory.organisation_name(ctx.staff.organisation),
                "summaries": summaries,
                "mine": mine,
                "shared": shared,
                "notifications": [
                    (n, ref, NOTIFICATION_TEXT.get(n.kind, n.kind)) for n, ref in notes
                ],
                "directory": ctx.desk.directory,
                "reports": may_see_reports(ctx.actor),
            },
        )

    async def case_list(ctx: Ctx) -> Response:
        if not may_see_queues(ctx.actor):
            raise PermissionDenied("queues")
        params = ctx.request.query_params
        queue = params.get("queue")
        view = params.get("view", "queue" if queue else "all")
        if queue is not None:
            known = ctx.desk.directory.queues.get(queue)
            if known is None or known.organisation != ctx.staff.organisation:
                raise NotFound
        title = {
            "mine": "My cases",
            "shared": "Shared with my organisation",
            "closed": "Closed cases",
            "all": "All open cases",
        }.get(view, ctx.desk.directory.queue_name(queue or ""))
        query = queries.case_list(
            ctx.actor,
            queue=queue,
            mine=view == "mine",
            shared=view == "shared",
            closed=view == "closed",
        )
        cases = (await ctx.db.scalars(query)).all()
        names = await _names(ctx, {c.assigned_to for c in cases if c.assigned_to})
        return pages.render(
            ctx.request,
            "list.html",
            {
                "staff": ctx.staff,
                "title": title,
                "cases": cases,
                "names": names,
                "directory": ctx.desk.directory,
            },
        )

    async def case_page(ctx: Ctx) -> Response:
        case = await _case(ctx)
        await ctx.desk.view(ctx.db, ctx.actor, case)
        scope = await ctx.desk.scope(ctx.db, case)
        allowed = {a.value for a in Action if can(ctx.actor, a, scope)}
        worker = await ctx.db.get(Worker, case.worker_id) if case.worker_id else None
        lang = normalise_language(worker.language if worker else None)
        directory = ctx.desk.directory
        organisation = directory.organisation_name(case.organisation)
        canned = [
            (
                reply.id,
                reply.title,
                reply.text[lang].format(
                    officer=ctx.staff.display_name,
                    organisation=directory.organisation_name(ctx.staff.organisation or ""),
                    reference=case.reference,
                ),
            )
            for reply in directory.canned
        ]
        names = await _names(
            ctx, {i for i in (case.assigned_to, case.chat_held_by) if i is not None}
        )
        return pages.render(
            ctx.request,
            "case.html",
            {
                "staff": ctx.staff,
                "case": case,
                "organisation": organisation,
                "queue_name": directory.queue_name(case.queue),
                "lines": await queries.conversation(ctx.db, case),
                "notes": await queries.notes(ctx.db, case),
                "evidence": await queries.evidence(ctx.db, case),
                "shared": await queries.shared_with(ctx.db, case),
                "record": _record_rows(case.record),
                "call": call_advice(case.record),
                "allowed": allowed,
                "names": names,
                "channel": worker.channel if worker else None,
                "worker_language": lang,
                "canned": canned,
                "colleagues": await queries.colleagues(ctx.db, case.organisation)
                if "assign" in allowed
                else [],
                "directory": directory,
                "settable": [(s, STATUS_LABELS[s]) for s in SETTABLE],
                "outcomes": OUTCOMES,
            },
        )

    async def evidence_file(ctx: Ctx) -> Response:
        case = await _case(ctx)
        evidence_id = int(ctx.request.path_params["evidence_id"])
        item = await ctx.db.get(Evidence, evidence_id)
        if item is None or item.worker_id != case.worker_id or item.data is None:
            raise NotFound
        await ctx.desk.view(ctx.db, ctx.actor, case, what=f"evidence:{item.id}")
        inline = (item.content_type or "").startswith(("image/", "audio/", "video/"))
        return Response(
            item.data,
            media_type=item.content_type or "application/octet-stream",
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Content-Disposition": ("inline" if inline else "attachment")
                + f'; filename="evidence-{item.id}"',
            },
        )

    def action(name: str) -> Any:
        async def handler(ctx: Ctx) -> Response:
            case = await _case(ctx)
            form = await ctx.request.form()
            result = await _act(ctx, name, case, form)
            if ctx.request.headers.get("x-requested-with") == "fetch":
                return JSONResponse(result or {"ok": True}, headers={"Cache-Control": "no-store"})
            target = (
                "/"
                if name == "transfer" and not await _still_visible(ctx, case)
                else f"/cases/{case.reference}"
            )
            return redirect(ctx.request, target)

        return pages.staff(handler)

    async def duty(ctx: Ctx) -> Response:
        form = await ctx.request.form()
        ctx.staff.on_duty = form.get("on_duty") == "1"
        from bot.cases.audit import audit

        audit(ctx.db, "duty", staff_id=ctx.staff.id, on=ctx.staff.on_duty)
        return redirect(ctx.request, "/")

    async def read_notifications(ctx: Ctx) -> Response:
        await ctx.db.execute(
            update(StaffNotification)
            .where(StaffNotification.staff_id == ctx.staff.id, StaffNotification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        return redirect(ctx.request, "/")

    return [
        Route("/", pages.staff(home), methods=["GET"], name="home"),
        Route("/cases", pages.staff(case_list), methods=["GET"]),
        Route("/cases/{reference}", pages.staff(case_page), methods=["GET"]),
        Route(
            "/cases/{reference}/evidence/{evidence_id:int}",
            pages.staff(evidence_file),
            methods=["GET"],
        ),
        *[
            Route(f"/cases/{{reference}}/{name}", action(name), methods=["POST"])
            for name in ACTIONS
        ],
        Route("/duty", pages.staff(duty), methods=["POST"]),
        Route("/notifications/read", pages.staff(read_notifications), methods=["POST"]),
    ]


ACTIONS = ("claim", "assign", "reply", "note", "transfer", "share", "status", "close", "hand-back")


async def _act(ctx: Ctx, name: str, case: Case, form: FormData) -> dict[str, Any] | None:
    desk, db, actor = ctx.desk, ctx.db, ctx.actor

    def field(key: str) -> str:
        value = form.get(key, "")
        return value if isinstance(value, str) else ""

    if name == "claim":
        await desk.claim(db, actor, case)
    elif name == "assign":
        target = field("staff_id")
        await desk.assign(db, actor, case, int(target) if target.isdigit() else None)
    elif name == "reply":
        message = await desk.reply(db, actor, case, field("text"))
        return {"ok": True, "message_id": message.id}
    elif name == "note":
        await desk.note(db, actor, case, field("text"))
    elif name == "transfer":
        await desk.transfer(db, actor, case, field("queue"), field("note"))
    elif name == "share":
        await desk.share(db, actor, case, field("organisation"), field("note"))
    elif name == "status":
        await desk.set_status(db, actor, case, field("status"))
    elif name == "close":
        await desk.close(db, actor, case, field("outcome"), field("note"))
    elif name == "hand-back":
        await desk.hand_back(db, actor, case)
    else:  # pragma: no cover - the routes list the names
        raise DeskError(f"unknown action {name!r}")
    return None


async def _case(ctx: Ctx) -> Case:
    case = await queries.find_case(ctx.db, ctx.request.path_params["reference"])
    if case is None:
        raise NotFound
    return case


async def _still_visible(ctx: Ctx, case: Case) -> bool:
    return can(ctx.actor, Action.VIEW, CaseScope.of(case, await _orgs(ctx, case)))


async def _orgs(ctx: Ctx, case: Case) -> list[str]:
    return [a.organisation for a in await queries.shared_with(ctx.db, case)]


async def _names(ctx: Ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await ctx.db.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids)))
    return {i: n for i, n in rows.all()}


def _record_rows(record: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The structured complaint as label/value rows, in the order the flow wrote it."""
    rows = []
    for key, value in (record or {}).items():
        label = key.replace("_", " ").capitalize()
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif key == "province" and isinstance(value, str):
            shown = province_name(value)
        elif isinstance(value, list | dict):
            import json

            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = "—" if value is None else str(value)
        rows.append((label, shown))
    return rows
