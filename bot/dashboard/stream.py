"""Server-sent events: a case's new messages and changes, and an officer's notifications.

Each stream wakes when bot.cases.live says its topics moved, and otherwise polls (other
processes write to the same database). Streams end after a while; browsers reconnect by
themselves with the last event id, so a stream never outlives a signed-out session by long.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.cases import Action, queries
from bot.dashboard.web import Ctx, NotFound, desk_language, prefix, signed_in, state
from bot.i18n import translator
from bot.storage.models import Case

POLL_SECONDS = 3.0
STREAM_SECONDS = 300.0
PING_SECONDS = 15


@signed_in
async def case_events(ctx: Ctx) -> Response:
    """New lines of a case's conversation ("message", as HTML) and changes to it ("case")."""
    case = await queries.find_case(ctx.db, ctx.request.path_params["reference"])
    if case is None:
        raise NotFound
    await ctx.desk.require(ctx.db, ctx.actor, Action.VIEW, case)
    after = _last_id(ctx.request)
    case_id, worker_id = case.id, case.worker_id
    sessions, live = ctx.deps.sessions, ctx.desk.live
    line_template = state(ctx.request).pages.templates.get_template("_line.html")
    root = prefix(ctx.request)
    gettext = translator(desk_language(ctx.request)).gettext

    async def events() -> AsyncIterator[ServerSentEvent]:
        last, version = after, None
        topics = [f"case:{case_id}"] + ([f"worker:{worker_id}"] if worker_id else [])
        async with live.subscribe(*topics) as woken:
            async for _ in _ticks(woken, live.closing):
                async with sessions() as db:
                    row = await db.get(Case, case_id)
                    if row is None:
                        return
                    for line in await queries.conversation(db, row, after_id=last):
                        html = line_template.render(line=line, root=root, _=gettext)
                        yield ServerSentEvent(data=html, event="message", id=str(line.id))
                        last = line.id
                    now = (row.status, row.assigned_to, row.chat_held_by, row.priority)
                    if version is not None and now != version:
                        yield ServerSentEvent(data=json.dumps({"status": row.status}), event="case")
                    version = now

    return _response(events())


@signed_in
async def notifications(ctx: Ctx) -> Response:
    """The officer's unread count ("notify"), and "queues" when their organisation's moved."""
    staff_id, organisation = ctx.staff.id, ctx.staff.organisation
    sessions, live = ctx.deps.sessions, ctx.desk.live

    async def events() -> AsyncIterator[ServerSentEvent]:
        seen: int | None = None
        topics = [f"staff:{staff_id}"] + ([f"org:{organisation}"] if organisation else [])
        async with live.subscribe(*topics) as woken:
            async for topic in _ticks(woken, live.closing):
                async with sessions() as db:
                    unread = await queries.unread_count(db, staff_id)
                if unread != seen:
                    yield ServerSentEvent(data=json.dumps({"unread": unread}), event="notify")
                    seen = unread
                if topic is not None and topic.startswith("org:"):
                    yield ServerSentEvent(data="{}", event="queues")

    return _response(events())


routes: list[BaseRoute] = [
    Route("/events", notifications, methods=["GET"]),
    Route("/cases/{reference}/events", case_events, methods=["GET"]),
]


async def _ticks(woken: asyncio.Queue[str], closing: asyncio.Event) -> AsyncIterator[str | None]:
    """Yields at once, then on every wake-up (the topic) or poll (None), until time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    yield None
    while not closing.is_set() and loop.time() < deadline:
        try:
            topic = await asyncio.wait_for(woken.get(), POLL_SECONDS)
        except TimeoutError:
            yield None
            continue
        while not woken.empty():  # several changes at once: one look is enough
            woken.get_nowait()
        yield topic


def _response(events: AsyncIterator[ServerSentEvent]) -> EventSourceResponse:
    return EventSourceResponse(
        events,
        ping=PING_SECONDS,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _last_id(request: Request) -> int:
    raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    return int(raw) if raw.isdigit() else 0
