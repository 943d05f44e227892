"""The /chat page and its JSON API: the browser as one more channel ("web").

Who writes is the conversation token the page got from the server (bot/web/identity.py); what
officers send comes through bot/web/chat_stream.py. `?embed=1` is the page inside an NGO's
site (bot/web/widget.py); `?organisation=ID` makes that organisation the worker's referral.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from bot.channels.limits import clean_text
from bot.i18n import format_number, translator
from bot.messages import ChannelKind, Inbound, Reply
from bot.web.identity import Identity
from bot.web.language import choose_language

CHANNEL = ChannelKind.WEB
MAX_TEXT_CHARS = 4000
# Enough for MAX_TEXT_CHARS of emoji written as JSON \u escapes, plus the other fields.
MAX_BODY_BYTES = 64 * 1024
# Message ids come from the browser (crypto.randomUUID), so that a retry is recognised;
# anything else is refused before storage sees it.
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_NO_STORE = {"Cache-Control": "no-store"}
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
# Where "Quick exit" goes: a site anyone might have open, that says nothing about the helpline.
EXIT_URL = "https://www.google.com/"
# Shown as codes, not translated: every worker can read them.
_LANGUAGE_SWITCH = (("id", "ID", "Bahasa Indonesia"), ("en", "EN", "English"))

logger = logging.getLogger(__name__)


class ChatReceiver(Protocol):
    """The channels' receiver (bot.channels.inbound): stores, then answers in place;
    `organisation`: the partner whose site the worker came from (their referral)."""

    async def answer(self, inbound: Inbound, *, organisation: str | None = None) -> list[Reply]: ...


@dataclass(frozen=True)
class ChatOptions:
    """What the chat needs besides the receiver: who may embed it, which partners exist."""

    identity: Identity = field(default_factory=lambda: Identity(secrets.token_hex(32)))
    # HELPLINE_WEB_CHAT_ORIGINS: the sites whose pages may show the chat in a frame.
    frame_origins: tuple[str, ...] = ()
    organisations: Mapping[str, str] = field(default_factory=dict)  # id -> name

    def headers(self) -> dict[str, str]:
        ancestors = " ".join(self.frame_origins) or "'none'"
        return {
            "Content-Security-Policy": _CSP.format(ancestors=ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Vary": "Accept-Language",
        }


@dataclass(frozen=True, slots=True)
class ChatMessage:
    text: str
    client_message_id: str
    organisation: str | None = None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        body: dict[str, str] = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return JSONResponse(body, status_code=self.status, headers=_NO_STORE)


def chat_routes(
    receiver: ChatReceiver, templates: Jinja2Templates, options: ChatOptions
) -> list[BaseRoute]:
    identity = options.identity

    async def page(request: Request) -> Response:
        lang = choose_language(request)
        _ = translator(lang).gettext
        root = request.scope.get("root_path", "")
        embedded = is_embedded(request)
        organisation = request.query_params.get("organisation")
        if organisation not in options.organisations:
            organisation = None  # only partners that exist
        strings = {
            "offline": _(
                "Could not connect. Your message is still in the box: "
                "check your internet and try again."
            ),
            "too_long": _(
                "Your message is too long (at most %(max)s characters). "
                "Please shorten it or send it in parts."
            )
            % {"max": format_number(MAX_TEXT_CHARS, lang)},
            "failed": _("Sorry, something went wrong. Please try again in a moment."),
            "no_session": _(
                "This browser did not keep the chat open here. Open the chat in its own window."
            ),
            "joined": _("%(officer)s joined the chat."),
            "answering": _("%(officer)s is answering you."),
            "bot_back": _("The helpline's assistant answers you again."),
        }
        kept = {
            k: v
            for k, v in (("embed", "1" if embedded else None), ("organisation", organisation))
            if v
        }
        context = {
            "lang": lang,
            "_": _,
            "languages": [
                (code, label, name, "?" + urlencode({**kept, "lang": code}))
                for code, label, name in _LANGUAGE_SWITCH
            ],
            "max_chars": MAX_TEXT_CHARS,
            "embedded": embedded,
            "config": {
                "api": f"{root}/chat/api/messages",
                "events": f"{root}/chat/api/events",
                "leave": f"{root}/chat/api/leave",
                "standalone": f"{root}/chat?"
                + urlencode(
                    {**({"organisation": organisation} if organisation else {}), "lang": lang}
                ),
                "lang": lang,
                "organisation": organisation,
                "embedded": embedded,
                "exit": EXIT_URL,
                "strings": strings,
            },
        }
        response = templates.TemplateResponse(
            request, "chat.html", context, headers=options.headers()
        )
        # The server, never the page, makes up who is writing; each visit renews the cookie.
        identity.set_cookie(
            response, identity.token(request) or identity.issue(), embedded=embedded
        )
        return response

    async def new_session(request: Request) -> Response:
        """A conversation token for an API client (and the cookie, for a browser)."""
        token = identity.issue()
        response = JSONResponse({"token": token}, headers=_NO_STORE)
        identity.set_cookie(response, token, embedded=is_embedded(request))
        return response

    async def post_message(request: Request) -> Response:
        user_id = identity.user_id(identity.token(request))
        try:
            if user_id is None:
                raise no_session()
            message = parse_message(await _read_json(request), options.organisations)
        except ApiError as error:
            return error.response()
        inbound = Inbound(
            channel=CHANNEL,
            user_id=user_id,
            text=message.text,
            channel_message_id=message.client_message_id,
            received_at=datetime.now(UTC),
        )
        try:
            replies = await receiver.answer(inbound, organisation=message.organisation)
        except Exception:
            # The traceback, never the text: workers' messages stay out of the logs.
            logger.exception("chat engine failed on a web message")
            return ApiError(500, "engine_error", "the helpline could not answer").response()
        return JSONResponse({"replies": [reply_json(r) for r in replies]}, headers=_NO_STORE)

    async def leave(request: Request) -> Response:
        """Quick exit: this browser forgets the conversation token."""
        response = Response(status_code=204, headers=_NO_STORE)
        identity.forget(response, embedded=is_embedded(request))
        return response

    return [
        Route("/chat", page, methods=["GET"], name="chat"),
        Route("/chat/api/session", new_session, methods=["POST"], name="chat_session"),
        Route("/chat/api/messages", post_message, methods=["POST"], name="chat_api"),
        Route("/chat/api/leave", leave, methods=["POST"], name="chat_leave"),
    ]


def is_embedded(request: Request) -> bool:
    """The page inside another site's frame (the widget adds ?embed=1)."""
    return (
        request.query_params.get("embed") == "1"
        or request.headers.get("sec-fetch-dest") == "iframe"
    )


def parse_message(data: object, organisations: Mapping[str, str]) -> ChatMessage:
    """The worker's message; a `user_id` in the body is ignored (the token says who writes)."""
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    client_message_id = _id_field(data, "client_message_id")
    organisation = data.get("organisation")
    if organisation is not None and (
        not isinstance(organisation, str) or organisation not in organisations
    ):
        raise ApiError(422, "unknown_organisation", "no such organisation", "organisation")
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(422, "invalid_field", "text must be a string", "text")
    # A lone surrogate (half an emoji cut by a client) or NUL: cleaned, as the database needs.
    text = clean_text(text).strip()
    if not text:
        raise ApiError(422, "empty_text", "text must not be empty", "text")
    if len(text) > MAX_TEXT_CHARS:
        raise ApiError(
            422, "text_too_long", f"text must be at most {MAX_TEXT_CHARS} characters", "text"
        )
    return ChatMessage(text, client_message_id, organisation)


def no_session() -> ApiError:
    return ApiError(
        401, "no_session", "no conversation token: load /chat or POST /chat/api/session first"
    )


def reply_json(reply: Reply) -> dict[str, object]:
    body: dict[str, object] = {
        "text": reply.text,
        "quick_replies": [{"title": q.title, "payload": q.payload} for q in reply.quick_replies],
    }
    if reply.action is not None:
        # "clear_chat": the page empties itself and forgets its transcript (chat.js).
        body["action"] = reply.action.value
    return body


def _id_field(data: dict[str, object], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ApiError(
            422, "invalid_field", f"{name} must be 1-128 letters, digits or _ . : -", name
        )
    return value


async def _read_json(request: Request) -> object:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        # Also makes cross-site browsers ask first (CORS preflight), which we never allow.
        raise ApiError(415, "unsupported_media_type", "send Content-Type: application/json")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:  # also UnicodeDecodeError; "[[[[..."
        raise ApiError(400, "bad_json", "the body is not valid JSON") from error
