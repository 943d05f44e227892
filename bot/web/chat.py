"""The /chat page and its JSON API: the browser as one more channel ("web")."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from bot.channels.limits import clean_text
from bot.i18n import format_number, translator
from bot.messages import ChannelKind, Inbound, Reply
from bot.web.language import choose_language

CHANNEL = ChannelKind.WEB
MAX_TEXT_CHARS = 4000
# Enough for MAX_TEXT_CHARS of emoji written as JSON \u escapes, plus the other fields.
MAX_BODY_BYTES = 64 * 1024
# Ids come from the browser (crypto.randomUUID); anything else is refused before storage sees it.
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_NO_STORE = {"Cache-Control": "no-store"}
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept-Language",
}
# Where "Quick exit" goes: a site anyone might have open, that says nothing about the helpline.
EXIT_URL = "https://www.google.com/"
# Shown as codes, not translated: every worker can read them.
_LANGUAGE_SWITCH = (("id", "ID", "Bahasa Indonesia"), ("en", "EN", "English"))

logger = logging.getLogger(__name__)


class ChatReceiver(Protocol):
    """The channels' receiver (bot.channels.inbound): stores, then answers in place."""

    async def answer(self, inbound: Inbound) -> list[Reply]: ...


@dataclass(frozen=True, slots=True)
class ChatMessage:
    user_id: str
    text: str
    client_message_id: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> JSONResponse:
        body: dict[str, str] = {"error": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return JSONResponse(body, status_code=self.status, headers=_NO_STORE)


def chat_routes(receiver: ChatReceiver, templates: Jinja2Templates) -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        lang = choose_language(request)
        _ = translator(lang).gettext
        root = request.scope.get("root_path", "")
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
        }
        context = {
            "lang": lang,
            "_": _,
            "languages": _LANGUAGE_SWITCH,
            "max_chars": MAX_TEXT_CHARS,
            "config": {
                "api": f"{root}/chat/api/messages",
                "exit": EXIT_URL,
                "strings": strings,
            },
        }
        return templates.TemplateResponse(request, "chat.html", context, headers=_PAGE_HEADERS)

    async def post_message(request: Request) -> Response:
        try:
            message = parse_message(await _read_json(request))
        except ApiError as error:
            return error.response()
        inbound = Inbound(
            channel=CHANNEL,
            user_id=message.user_id,
            text=message.text,
            channel_message_id=message.client_message_id,
            received_at=datetime.now(UTC),
        )
        try:
            replies = await receiver.answer(inbound)
        except Exception:
            # The traceback, never the text: workers' messages stay out of the logs.
            logger.exception("chat engine failed on a web message")
            return ApiError(500, "engine_error", "the helpline could not answer").response()
        return JSONResponse({"replies": [reply_json(r) for r in replies]}, headers=_NO_STORE)

    return [
        Route("/chat", page, methods=["GET"], name="chat"),
        Route("/chat/api/messages", post_message, methods=["POST"], name="chat_api"),
    ]


def parse_message(data: object) -> ChatMessage:
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    user_id = _id_field(data, "user_id")
    client_message_id = _id_field(data, "client_message_id")
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
    return ChatMessage(user_id=user_id, text=text, client_message_id=client_message_id)


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
