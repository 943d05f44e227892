"""Officers' pages: queues, case lists, a case with its conversation, and every case action.

Each endpoint checks what the staff member may do, calls bot.cases.queries to read and the
desk to change, and renders; the desk audits every view and change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases import Action, PermissionDenied, Role, can, queries
from bot.cases.alerts import NoticeKind
from bot.cases.audit import audit
from bot.cases.contact import call_advice
from bot.cases.permissions import CaseScope, may_see_queues, may_see_reports
from bot.cases.status import CLOSING, OUTCOMES, SETTABLE, STATUS_LABELS
from bot.dashboard.web import Ctx, NotFound, redirect, signed_in, wants_json
from bot.i18n import normalise_language
from bot.nlu.entities.province import province_name
from bot.storage.models import Case, utcnow

NOTIFICATION_TEXT: dict[str, str] = {
    NoticeKind.URGENT: "New urgent case",
    NoticeKind.OVERDUE: "Waiting past the time limit",
    NoticeKind.ASSIGNED: "Assigned to you",
}
LIST_TITLES = {
    "mine": "My cases",
    "shared": "Shared with my organisation",
    "closed": "Closed cases",
    "all": "All open cases",
}


# Pages ---------------------------------------------------------------------------------------


@signed_in
async def home(ctx: Ctx) -> Response:
    """An officer's queues, their cases, cases shared with them and their notifications."""
    if not may_see_queues(ctx.actor):
        return redirect(ctx.request, "/staff" if ctx.staff.role == Role.ADMIN else "/content")
    organisation = ctx.staff.organisation or ""  # may_see_queues requires one
    directory = ctx.desk.directory
    notices = await queries.unread_notices(ctx.db, ctx.staff.id)
    return ctx.render(
        "home.html",
        {
            "organisation": directory.organisation_name(organisation),
            "summaries": await queries.queue_summaries(ctx.db, directory, organisation),
            "mine": await queries.case_list(ctx.db, ctx.actor, mine=True),
            "shared": await queries.case_list(ctx.db, ctx.actor, shared=True),
            "notifications": [(n, NOTIFICATION_TEXT.get(n.kind, n.kind)) for n in notices],
            "directory": directory,
            "reports": may_see_reports(ctx.actor),
        },
    )


@signed_in
async def case_list(ctx: Ctx) -> Response:
    """One queue, or my cases, shared, closed or all open ones (`?queue=` or `?view=`)."""
    if not may_see_queues(ctx.actor):
        raise PermissionDenied("queues")
    params = ctx.request.query_params
    queue = params.get("queue")
    view = params.get("view", "queue" if queue else "all")
    directory = ctx.desk.directory
    if queue is not None:
        known = directory.queues.get(queue)
        if known is None or known.organisation != ctx.staff.organisation:
            raise NotFound
    cases = await queries.case_list(
        ctx.db,
        ctx.actor,
        queue=queue,
        mine=view == "mine",
        shared=view == "shared",
        closed=view == "closed",
    )
    names = await queries.staff_names(ctx.db, {c.assigned_to for c in cases if c.assigned_to})
    return ctx.render(
        "list.html",
        {
            "title": LIST_TITLES.get(view, directory.queue_name(queue or "")),
            "cases": cases,
            "names": names,
            "directory": directory,
        },
    )


@signed_in
async def case_page(ctx: Ctx) -> Response:
    """A case: its conversation, record, notes, evidence, and the actions allowed on it."""
    case = await _case(ctx)
    await ctx.desk.view(ctx.db, ctx.actor, case)
    scope = await ctx.desk.scope(ctx.db, case)
    allowed = {a.value for a in Action if can(ctx.actor, a, scope)}
    worker = await queries.worker(ctx.db, case)
    lang = normalise_language(worker.language if worker else None)
    directory = ctx.desk.directory
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
    people = {i for i in (case.assigned_to, case.chat_held_by) if i is not None}
    return ctx.render(
        "case.html",
        {
            "case": case,
            "organisation": directory.organisation_name(case.organisation),
            "queue_name": directory.queue_name(case.queue),
            "lines": await queries.conversation(ctx.db, case),
            "notes": await queries.notes(ctx.db, case),
            "evidence": await queries.evidence(ctx.db, case),
            "shared": await queries.shared_with(ctx.db, case),
            "record": _record_rows(case.record),
            "consent": Consent.of(case.record),
            "call": call_advice(case.record),
            "allowed": allowed,
            "names": await queries.staff_names(ctx.db, people),
            "channel": worker.channel if worker else None,
            "worker_language": lang,
            "canned": canned,
            "colleagues": await queries.colleagues(ctx.db, case.organisation)
            if Action.ASSIGN in allowed
            else [],
            "directory": directory,
            "settable": [(s, STATUS_LABELS[s]) for s in SETTABLE],
            "outcomes": [(o, OUTCOMES[o]) for o in CLOSING],
            "outcome_labels": OUTCOMES,
        },
    )


@signed_in
async def evidence_file(ctx: Ctx) -> Response:
    """A file the worker sent, served so that a browser never runs it."""
    case = await _case(ctx)
    item = await queries.evidence_file(ctx.db, case, int(ctx.request.path_params["evidence_id"]))
    if item is None or item.data is None:
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


@signed_in
async def duty(ctx: Ctx) -> Response:
    form = await ctx.request.form()
    ctx.staff.on_duty = form.get("on_duty") == "1"
    audit(ctx.db, "duty", staff_id=ctx.staff.id, on=ctx.staff.on_duty)
    return redirect(ctx.request, "/")


@signed_in
async def read_notifications(ctx: Ctx) -> Response:
    await queries.mark_notices_read(ctx.db, ctx.staff.id, utcnow())
    return redirect(ctx.request, "/")


# Case actions: POST /cases/{reference}/<action>, a form or the page's script -----------------


@signed_in
async def claim(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.claim(ctx.db, ctx.actor, case)
    return await _done(ctx, case)


@signed_in
async def assign(ctx: Ctx) -> Response:
    case = await _case(ctx)
    target = await _field(ctx, "staff_id")
    await ctx.desk.assign(ctx.db, ctx.actor, case, int(target) if target.isdigit() else None)
    return await _done(ctx, case)


@signed_in
async def reply(ctx: Ctx) -> Response:
    case = await _case(ctx)
    message = await ctx.desk.reply(ctx.db, ctx.actor, case, await _field(ctx, "text"))
    return await _done(ctx, case, {"ok": True, "message_id": message.id})


@signed_in
async def note(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.note(ctx.db, ctx.actor, case, await _field(ctx, "text"))
    return await _done(ctx, case)


@signed_in
async def transfer(ctx: Ctx) -> Response:
    case = await _case(ctx)
    queue, text = await _field(ctx, "queue"), await _field(ctx, "note")
    await ctx.desk.transfer(ctx.db, ctx.actor, case, queue, text)
    return await _done(ctx, case, leaving=True)


@signed_in
async def share(ctx: Ctx) -> Response:
    case = await _case(ctx)
    organisation, text = await _field(ctx, "organisation"), await _field(ctx, "note")
    await ctx.desk.share(ctx.db, ctx.actor, case, organisation, text)
    return await _done(ctx, case)


@signed_in
async def set_status(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.set_status(ctx.db, ctx.actor, case, await _field(ctx, "status"))
    return await _done(ctx, case)


@signed_in
async def close(ctx: Ctx) -> Response:
    case = await _case(ctx)
    outcome, text = await _field(ctx, "outcome"), await _field(ctx, "note")
    await ctx.desk.close(ctx.db, ctx.actor, case, outcome, text)
    return await _done(ctx, case)


@signed_in
async def hand_back(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.hand_back(ctx.db, ctx.actor, case)
    return await _done(ctx, case)


ACTIONS = {
    "claim": claim,
    "assign": assign,
    "reply": reply,
    "note": note,
    "transfer": transfer,
    "share": share,
    "status": set_status,
    "close": close,
    "hand-back": hand_back,
}

routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"], name="home"),
    Route("/cases", case_list, methods=["GET"]),
    Route("/cases/{reference}", case_page, methods=["GET"]),
    Route("/cases/{reference}/evidence/{evidence_id:int}", evidence_file, methods=["GET"]),
    *[Route(f"/cases/{{reference}}/{name}", ACTIONS[name], methods=["POST"]) for name in ACTIONS],
    Route("/duty", duty, methods=["POST"]),
    Route("/notifications/read", read_notifications, methods=["POST"]),
]


async def _case(ctx: Ctx) -> Case:
    case = await queries.find_case(ctx.db, ctx.request.path_params["reference"])
    if case is None:
        raise NotFound
    return case


async def _field(ctx: Ctx, key: str) -> str:
    value = (await ctx.request.form()).get(key, "")
    return value if isinstance(value, str) else ""


async def _done(
    ctx: Ctx, case: Case, result: dict[str, Any] | None = None, *, leaving: bool = False
) -> Response:
    """The page's script gets JSON; a plain form goes back to the case, or home when the
    case `leaving` the organisation (a transfer) is no longer the officer's to see."""
    if wants_json(ctx.request):
        return JSONResponse(result or {"ok": True}, headers={"Cache-Control": "no-store"})
    if leaving and not await _still_visible(ctx, case):
        return redirect(ctx.request, "/")
    return redirect(ctx.request, f"/cases/{case.reference}")


async def _still_visible(ctx: Ctx, case: Case) -> bool:
    shared = [a.organisation for a in await queries.shared_with(ctx.db, case)]
    return can(ctx.actor, Action.VIEW, CaseScope.of(case, shared))


@dataclass(frozen=True)
class Consent:
    """The consent a complaint was sent with: what the worker agreed to, when, and to which
    version of the flow (its content hash, bot/dialogue/flows/loader.py)."""

    anonymous: bool
    at: datetime | None
    flow: str
    version: str

    @classmethod
    def of(cls, record: dict[str, Any] | None) -> Consent | None:
        given = (record or {}).get("consent")
        if not isinstance(given, dict):
            return None
        at = given.get("at")
        return cls(
            anonymous=given.get("answer") == "anonymous",
            at=datetime.fromisoformat(at) if isinstance(at, str) and at else None,
            flow=str(given.get("flow") or ""),
            version=str(given.get("flow_version") or ""),
        )


def _record_rows(record: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The structured complaint as label/value rows, in the order the flow wrote it."""
    rows = []
    for key, value in (record or {}).items():
        if key == "consent":
            continue  # shown on its own line (Consent)
        label = key.replace("_", " ").capitalize()
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif key == "province" and isinstance(value, str):
            shown = province_name(value)
        elif isinstance(value, list | dict):
            shown = json.dumps(value, ensure_ascii=False)
        else:
            shown = "—" if value is None else str(value)
        rows.append((label, shown))
    return rows
