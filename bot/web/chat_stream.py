"""What reaches the web chat besides the answers to its own messages: officers' words, news of
the case, and who answers now.

    GET /chat/api/events          server-sent events: "message" (id: the message's id) and
                                  "presence" (the officer answering, or null for the bot)
    GET /chat/api/messages?since=ID   the same as JSON, for API clients and catching up

Both read the database (any process may have stored the message), wake at once for changes
made in this process, and poll for the rest. A stream ends after a while and the browser
reconnects with `Last-Event-ID`, so nothing sent meanwhile is missed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.cases.presence import Holder
from bot.outbox.pull import Fetched
from bot.web.chat import CHANNEL, ApiError, ChatOptions, no_session
from bot.web.language import choose_language

POLL_SECONDS = 2.0  # how soon a message stored by another process shows
STREAM_SECONDS = 300.0
PING_SECONDS = 15  # a comment line that keeps proxies from closing a quiet stream
RETRY_MS = 3000  # how soon the browser reconnects
_NO_STORE = {"Cache-Control": "no-store"}


class Mail(Protocol):
    @property
    def messages(self) -> tuple[Fetched, ...]: ...
    @property
    def holder(self) -> Holder | None: ...
    @property
    def last_id(self) -> int: ...


class ChatMailbox(Protocol):
    """What the page reads (bot.channels.mailbox.Mailbox)."""

    async def worker_id(self, channel: str, user_id: str) -> int | None: ...
    async def read(self, worker_id: int, after: int | None) -> Mail: ...
    def changes(self, worker_id: int) -> AbstractAsyncContextManager[asyncio.Queue[str]]: ...
    @property
    def closing(self) -> asyncio.Event: ...


def stream_routes(mailbox: ChatMailbox | None, options: ChatOptions) -> list[BaseRoute]:
    identity = options.identity

    async def messages(request: Request) -> Response:
        user_id = identity.user_id(identity.token(request))
        try:
            if user_id is None:
                raise no_session()
            after = _since(request)
        except ApiError as error:
            return error.response()
        worker_id = await _worker(mailbox, user_id)
        if mailbox is None or worker_id is None:
            return JSONResponse(
                {"messages": [], "officer": None, "last_id": after or 0}, headers=_NO_STORE
            )
        mail = await mailbox.read(worker_id, after)
        lang = choose_language(request)
        return JSONResponse(
            {
                "messages": [message_json(m) for m in mail.messages],
                "officer": holder_label(mail.holder, lang),
                "last_id": mail.last_id,
            },
            headers=_NO_STORE,
        )

    async def events(request: Request) -> Response:
        user_id = identity.user_id(identity.token(request))
        try:
            if user_id is None:
                raise no_session()
            after = _since(request)
        except ApiError as error:
            return error.response()
        lang = choose_language(request)
        return EventSourceResponse(
            _events(mailbox, user_id, after, lang),
            ping=PING_SECONDS,
            headers={**_NO_STORE, "X-Accel-Buffering": "no"},
        )

    return [
        Route("/chat/api/messages", messages, methods=["GET"], name="chat_messages"),
        Route("/chat/api/events", events, methods=["GET"], name="chat_events"),
    ]


async def _events(
    mailbox: ChatMailbox | None, user_id: str, after: int | None, lang: str
) -> AsyncIterator[ServerSentEvent]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    closing = mailbox.closing if mailbox is not None else asyncio.Event()
    # The worker exists once they have written: until then the bot answers, nothing to read.
    worker_id = await _worker(mailbox, user_id)
    if mailbox is None or worker_id is None:
        yield ServerSentEvent(data=_presence(None), event="presence", retry=RETRY_MS)
        while mailbox is None or worker_id is None:
            if not await _pause(None, closing, deadline):
                return
            worker_id = await _worker(mailbox, user_id)
    shown: list[str | None] = []  # the presence last sent, once one was
    async with mailbox.changes(worker_id) as woken:
        while True:
            mail = await mailbox.read(worker_id, after)
            for message in mail.messages:
                yield ServerSentEvent(
                    data=json.dumps(message_json(message)), event="message", id=str(message.id)
                )
            after = mail.last_id
            label = holder_label(mail.holder, lang)
            if shown != [label]:
                yield ServerSentEvent(data=_presence(label), event="presence", retry=RETRY_MS)
                shown = [label]
            if not await _pause(woken, closing, deadline):
                return


async def _pause(woken: asyncio.Queue[str] | None, closing: asyncio.Event, deadline: float) -> bool:
    """Until something changed here, or the next poll; False when the stream should end."""
    loop = asyncio.get_running_loop()
    wait = min(POLL_SECONDS, deadline - loop.time())
    if closing.is_set() or wait <= 0:
        return False
    waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(closing.wait())]
    if woken is not None:
        waiters.append(asyncio.ensure_future(woken.get()))
    try:
        await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    if woken is not None:
        while not woken.empty():  # several changes at once: one look is enough
            woken.get_nowait()
    return not closing.is_set()


async def _worker(mailbox: ChatMailbox | None, user_id: str) -> int | None:
    return None if mailbox is None else await mailbox.worker_id(CHANNEL, user_id)


def message_json(message: Fetched) -> dict[str, object]:
    return {
        "id": message.id,
        "from": "officer" if message.officer else "helpline",
        "text": message.text,
        "quick_replies": [{"title": q.title, "payload": q.payload} for q in message.quick_replies],
    }


def holder_label(holder: Holder | None, lang: str) -> str | None:
    """ "Rina dari Migrant CARE", or None while the bot answers."""
    return None if holder is None else holder.label(lang)


def _presence(label: str | None) -> str:
    return json.dumps({"officer": label})


def _since(request: Request) -> int | None:
    """Where to read on from: the browser's Last-Event-ID on a reconnect, else ?since=."""
    raw = request.headers.get("last-event-id") or request.query_params.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(422, "invalid_field", "since must be a message id", "since")
    return int(raw)
