"""Officers' pages: queues, case lists, a case with its conversation, and every case action.

Each endpoint checks what the staff member may do, calls bot.cases.queries to read and the
desk to change, and renders; the desk audits every view and change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases import Action, PermissionDenied, Role, can, digest, queries, referrals
from bot.cases.alerts import NoticeKind
from bot.cases.audit import audit
from bot.cases.contact import call_advice
from bot.cases.directory import iter_queues
from bot.cases.permissions import (
    CaseScope,
    may_decide_referral,
    may_see_queues,
    may_see_reports,
)
from bot.cases.status import CLOSING, OUTCOMES, SETTABLE, STATUS_LABELS, STATUSES
from bot.cases.timeline import timeline
from bot.content.services import Directory as ServiceDirectory
from bot.content.services import load_directory
from bot.dashboard.web import (
    Ctx,
    NotFound,
    ctx_format,
    desk_language,
    redirect,
    signed_in,
    state,
    wants_json,
)
from bot.i18n import N_, country_name, normalise_language
from bot.outbox.stuck import stuck_count
from bot.storage.models import Case, Referral, utcnow

NOTIFICATION_TEXT: dict[str, str] = {
    NoticeKind.URGENT: N_("New urgent case"),
    NoticeKind.OVERDUE: N_("Waiting past the time limit"),
    NoticeKind.ASSIGNED: N_("Assigned to you"),
    NoticeKind.UNCLAIMED: N_("Urgent and nobody has taken it up"),
    NoticeKind.REFERRED: N_("Referred to your organisation"),
    NoticeKind.ACCEPTED: N_("Your referral was accepted"),
    NoticeKind.DECLINED: N_("Your referral was declined"),
    NoticeKind.UNANSWERED: N_("A message the bot could not answer"),
}
LIST_TITLES = {
    "mine": N_("My cases"),
    "shared": N_("Shared with my organisation"),
    "closed": N_("Closed cases"),
    "all": N_("All open cases"),
}
PAGE_SIZE = 25


# Pages ---------------------------------------------------------------------------------------


@signed_in
async def home(ctx: Ctx) -> Response:
    """An officer's queues, their cases, cases shared with them and their notifications."""
    if not may_see_queues(ctx.actor):
        return redirect(ctx.request, "/staff" if ctx.staff.role == Role.ADMIN else "/content")
    organisation = ctx.staff.organisation or ""  # may_see_queues requires one
    directory = ctx.desk.directory
    notices = await queries.unread_notices(ctx.db, ctx.staff.id)
    supervisor = may_see_reports(ctx.actor)
    referred_to_us = await referrals.waiting(ctx.db, to=organisation)
    deciding = {case.id for _, case in referred_to_us}
    shared = await queries.case_list(ctx.db, ctx.actor, shared=True)
    return ctx.render(
        "home.html",
        {
            "referred_to_us": referred_to_us,
            "referred_by_us": await referrals.waiting(ctx.db, by=organisation),
            "digest": await digest.build(ctx.db, directory, organisation, ctx.desk.clock())
            if supervisor
            else None,
            "organisation": directory.organisation_name(organisation, desk_language(ctx.request)),
            "summaries": await queries.queue_summaries(ctx.db, directory, organisation),
            "mine": await queries.case_list(ctx.db, ctx.actor, mine=True),
            "shared": [case for case in shared if case.id not in deciding],
            "notifications": [
                (
                    n,
                    ctx.gettext(NOTIFICATION_TEXT[n.kind])
                    if n.kind in NOTIFICATION_TEXT
                    else n.kind,
                )
                for n in notices
            ],
            "directory": directory,
            "reports": supervisor,
        },
    )


@signed_in
async def digest_page(ctx: Ctx) -> Response:
    """The organisation's daily digest, as it stands now (supervisors)."""
    if not may_see_reports(ctx.actor):
        raise PermissionDenied("digest")
    organisation = ctx.staff.organisation or ""
    directory = ctx.desk.directory
    return ctx.render(
        "digest.html",
        {
            "organisation": directory.organisation_name(organisation, desk_language(ctx.request)),
            "digest": await digest.build(ctx.db, directory, organisation, ctx.desk.clock()),
            "directory": directory,
        },
    )


@signed_in
async def case_list(ctx: Ctx) -> Response:
    """One queue, or my cases, shared, closed or all open ones (`?queue=` or `?view=`), a
    page at a time (`?page=`), found by reference (`?q=`), filtered by status, category and
    country."""
    if not may_see_queues(ctx.actor):
        raise PermissionDenied("queues")
    params = ctx.request.query_params
    queue = params.get("queue") or None
    view = params.get("view") or ("queue" if queue else "all")
    directory = ctx.desk.directory
    if queue is not None:
        known = directory.queues.get(queue)
        if known is None or known.organisation != ctx.staff.organisation:
            raise NotFound
    status = params.get("status") or None
    where = queries.CaseFilter(
        queue=queue,
        mine=view == "mine",
        shared=view == "shared",
        closed=view == "closed",
        status=status if status in STATUSES else None,
        category=params.get("category") or None,
        country=(params.get("country") or "").upper() or None,
        reference=(params.get("q") or "").strip()[:16] or None,
    )
    total = await queries.count_cases(ctx.db, ctx.actor, where)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, _int(params.get("page"), 1)), pages)
    cases = await queries.case_list(
        ctx.db, ctx.actor, where=where, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    names = await queries.staff_names(ctx.db, {c.assigned_to for c in cases if c.assigned_to})
    categories, countries = await queries.case_facets(ctx.db, ctx.actor)
    title = LIST_TITLES.get(view)
    kept = {k: v for k, v in params.items() if k != "page" and v}
    return ctx.render(
        "list.html",
        {
            "title": ctx.gettext(title)
            if title
            else directory.queue_name(queue or "", desk_language(ctx.request)),
            "cases": cases,
            "names": names,
            "worker_languages": await queries.worker_languages(ctx.db, cases),
            "directory": directory,
            "where": where,
            "view": view,
            "total": total,
            "page": page,
            "pages": pages,
            "page_url": lambda n: "?" + urlencode({**kept, "page": n}),
            "statuses": STATUSES,
            "categories": categories,
            "countries": countries,
            "queues": list(iter_queues(directory, ctx.staff.organisation or "")),
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
    officer_lang = desk_language(ctx.request)
    directory = ctx.desk.directory
    canned = [
        (
            reply.id,
            reply.title_in(officer_lang),
            reply.text[lang].format(
                officer=ctx.staff.display_name,
                organisation=directory.organisation_name(ctx.staff.organisation or "", lang),
                reference=case.reference,
            ),
        )
        for reply in directory.canned
    ]
    country = case.country or (worker.country if worker else None)
    services = _services(ctx)
    service_options = [
        (
            service.id,
            service.label(officer_lang)
            + (f" · {country_name(service.country, officer_lang)}" if service.country else ""),
            services.render(service, lang),
        )
        for service in services.find(None, country)
    ]
    people = {i for i in (case.assigned_to, case.chat_held_by) if i is not None}
    case_referrals = await referrals.of_case(ctx.db, case)
    pending = next(
        (r for r in case_referrals if r.status == referrals.ReferralStatus.PENDING), None
    )
    return ctx.render(
        "case.html",
        {
            "case": case,
            "organisation": directory.organisation_name(case.organisation, officer_lang),
            "queue_name": directory.queue_name(case.queue, officer_lang),
            "lines": await queries.conversation(ctx.db, case),
            "notes": await queries.notes(ctx.db, case, ctx.staff.organisation),
            "timeline": await timeline(ctx.db, case),
            "own_queues": [
                q for q in directory.queues.values() if q.organisation == case.organisation
            ],
            "referrals": case_referrals,
            "pending": pending,
            "deciding": pending is not None
            and may_decide_referral(ctx.actor, pending.to_organisation),
            "evidence": await queries.evidence(ctx.db, case),
            "shared": await queries.shared_with(ctx.db, case),
            "record": ctx_format(ctx).record(case.record),
            "consent": Consent.of(case.record),
            "call": call_advice(case.record, lang=desk_language(ctx.request)),
            "allowed": allowed,
            "names": await queries.staff_names(ctx.db, people),
            "channel": worker.channel if worker else None,
            "worker_language": lang,
            "worker_country": case.country or (worker.country if worker else None),
            "canned": canned,
            "services": service_options,
            "colleagues": await queries.colleagues(ctx.db, case.organisation)
            if Action.ASSIGN in allowed
            else [],
            "directory": directory,
            "settable": [(s, ctx.gettext(STATUS_LABELS[s])) for s in SETTABLE],
            "outcomes": [(o, ctx.gettext(OUTCOMES[o])) for o in CLOSING],
            "stuck": await stuck_count(ctx.db, case.worker_id, now=utcnow())
            if case.worker_id is not None
            else 0,
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
    # An entry of the service directory the officer chose (and may have edited): audited.
    service = await _field(ctx, "service")
    if service and service not in _services(ctx).services:
        service = ""
    message = await ctx.desk.reply(
        ctx.db, ctx.actor, case, await _field(ctx, "text"), service=service or None
    )
    return await _done(ctx, case, {"ok": True, "message_id": message.id})


@signed_in
async def note(ctx: Ctx) -> Response:
    case = await _case(ctx)
    shared = await _field(ctx, "shared") == "1"
    await ctx.desk.note(ctx.db, ctx.actor, case, await _field(ctx, "text"), shared=shared)
    return await _done(ctx, case)


@signed_in
async def transfer(ctx: Ctx) -> Response:
    case = await _case(ctx)
    queue, text = await _field(ctx, "queue"), await _field(ctx, "note")
    await ctx.desk.transfer(ctx.db, ctx.actor, case, queue, text)
    return await _done(ctx, case, leaving=True)


@signed_in
async def refer(ctx: Ctx) -> Response:
    case = await _case(ctx)
    queue, text = await _field(ctx, "queue"), await _field(ctx, "note")
    await referrals.refer(ctx.desk, ctx.db, ctx.actor, case, queue, text)
    return await _done(ctx, case)


@signed_in
async def accept(ctx: Ctx) -> Response:
    case = await _case(ctx)
    referral = await _referral_to_decide(ctx, case)
    await referrals.accept(ctx.desk, ctx.db, ctx.actor, referral)
    return await _done(ctx, case)


@signed_in
async def decline(ctx: Ctx) -> Response:
    case = await _case(ctx)
    referral = await _referral_to_decide(ctx, case)
    await referrals.decline(ctx.desk, ctx.db, ctx.actor, referral, await _field(ctx, "reason"))
    return await _done(ctx, case, leaving=True)


@signed_in
async def withdraw(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await referrals.withdraw(ctx.desk, ctx.db, ctx.actor, case)
    return await _done(ctx, case)


@signed_in
async def release(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.release(ctx.db, ctx.actor, case)
    return await _done(ctx, case)


async def _referral_to_decide(ctx: Ctx, case: Case) -> Referral:
    """The case's waiting referral, if it is to the officer's organisation (else 404)."""
    referral = await referrals.pending(ctx.db, case)
    if referral is None or not may_decide_referral(ctx.actor, referral.to_organisation):
        audit(ctx.db, "denied", staff_id=ctx.staff.id, case_id=case.id, attempted="referral")
        raise PermissionDenied("referral")
    return referral


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


@signed_in
async def flag_urgent(ctx: Ctx) -> Response:
    case = await _case(ctx)
    await ctx.desk.flag_urgent(ctx.db, ctx.actor, case)
    return await _done(ctx, case)


ACTIONS = {
    "claim": claim,
    "assign": assign,
    "reply": reply,
    "note": note,
    "transfer": transfer,
    "share": share,
    "refer": refer,
    "accept": accept,
    "decline": decline,
    "withdraw": withdraw,
    "release": release,
    "status": set_status,
    "close": close,
    "hand-back": hand_back,
    "flag-urgent": flag_urgent,
}

routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"], name="home"),
    Route("/cases", case_list, methods=["GET"]),
    Route("/digest", digest_page, methods=["GET"]),
    Route("/cases/{reference}", case_page, methods=["GET"]),
    Route("/cases/{reference}/evidence/{evidence_id:int}", evidence_file, methods=["GET"]),
    *[Route(f"/cases/{{reference}}/{name}", ACTIONS[name], methods=["POST"]) for name in ACTIONS],
    Route("/duty", duty, methods=["POST"]),
    Route("/notifications/read", read_notifications, methods=["POST"]),
]


_SERVICES: dict[str, ServiceDirectory] = {}


def _services(ctx: Ctx) -> ServiceDirectory:
    """The service directory (flows/support.yml), read once per content root."""
    root = ctx.desk.directory.root or state(ctx.request).content_root
    key = str(root)
    if key not in _SERVICES:
        _SERVICES[key] = load_directory(root)
    return _SERVICES[key]


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


def _int(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() else default


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
