"""Local fakes that speak the real protocols: the Telegram Bot API and Twilio's REST API.

Each is a Starlette app served by uvicorn on a free 127.0.0.1 port, so python-telegram-bot and
Twilio's client talk to them over HTTP exactly as they would to the real hosts.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.live import serve as serve  # the stubs are served by the tests' one live server


class StubError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class Recorder:
    """What a stub received, with a way to wait for it."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()

    async def add(self, item: dict[str, Any]) -> None:
        async with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    async def wait_for(self, count: int, within: float = 10.0) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.items) >= count)

        await asyncio.wait_for(enough(), within)
        return self.items

    def __len__(self) -> int:
        return len(self.items)


class TelegramStub:
    """The Bot API methods the helpline uses, at /bot<token>/<method> and /file/bot<token>/..."""

    BOT = {"id": 7000001, "is_bot": True, "first_name": "Helpline", "username": "helpline_test_bot"}

    def __init__(self, token: str) -> None:
        self.token = token
        self.sent = Recorder()  # sendMessage calls that Telegram accepted
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.answered: list[str] = []
        self.left: list[int] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.failures: dict[str, list[Scripted]] = {}
        self.webhook: dict[str, Any] = {}
        self.webhook_error: str | None = None
        self.updates: list[dict[str, Any]] = []
        self.polling = 0  # getUpdates calls in progress now
        self.most_polling = 0  # and the most there ever were at once (Telegram allows one)
        self.update_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self.message_ids = itertools.count(1)
        self.url = ""  # set once served
        # Message dates follow this clock (seconds): tests that move time on replace it.
        self.now: Callable[[], float] = time.time
        # Messages in each chat, as Telegram knows them: {chat id: {message id: date}}.
        self.chats: dict[int, dict[int, int]] = {}
        self.deleted: list[tuple[int, int]] = []  # (chat id, message id), each deletion once
        # Hold sendMessage: requests wait (after `arrived` is set) until `release` is set.
        self.hold = False
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.waiting = 0  # sendMessage requests that arrived while held
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, []).append(Scripted(status, body))

    def add_file(self, file_id: str, data: bytes) -> None:
        self.files[file_id] = (f"documents/{file_id}.bin", data)

    def end_polls(self) -> None:
        """Answer any long poll still waiting (the client went away): lets the server stop."""
        self._new_update.set()

    def push_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    async def _method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await _params(request)
        self.calls.append((method, params))
        if self.failures.get(method):
            scripted = self.failures[method].pop(0)
            return JSONResponse(scripted.body, status_code=scripted.status)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        if method == "sendMessage" and self.hold:
            self.arrived.set()
            self.waiting += 1
            await self.release.wait()
            if await request.is_disconnected():
                # The sender died before Telegram accepted the message: nothing was sent.
                return Response(status_code=499)
        try:
            result = await handler(params)
        except StubError as exc:
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            return JSONResponse(body, status_code=exc.status)
        return JSONResponse({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any]) -> Any:
        return self.BOT

    async def _sendMessage(self, params: dict[str, Any]) -> Any:
        markup = params.get("reply_markup")
        message = {
            "message_id": next(self.message_ids),
            "date": int(self.now()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": self.BOT,
            "text": params["text"],
        }
        await self.sent.add(
            {
                "chat_id": int(params["chat_id"]),
                "message_id": message["message_id"],
                "text": params["text"],
                "reply_markup": json.loads(markup) if isinstance(markup, str) else markup,
            }
        )
        self.chats.setdefault(int(params["chat_id"]), {})[message["message_id"]] = message["date"]
        return message

    def _delete(self, chat_id: int, message_id: int) -> None:
        """Telegram's rules: a message under 48 hours old; one not there is "not found"."""
        messages = self.chats.get(chat_id, {})
        if message_id not in messages:
            raise StubError(400, "Bad Request: message to delete not found")
        if self.now() - messages[message_id] >= 48 * 3600:
            raise StubError(400, "Bad Request: message can't be deleted for everyone")
        del messages[message_id]
        self.deleted.append((chat_id, message_id))

    async def _deleteMessage(self, params: dict[str, Any]) -> Any:
        self._delete(int(params["chat_id"]), int(params["message_id"]))
        return True

    async def _deleteMessages(self, params: dict[str, Any]) -> Any:
        ids = params["message_ids"]
        ids = json.loads(ids) if isinstance(ids, str) else ids
        if not 1 <= len(ids) <= 100:
            raise StubError(400, "Bad Request: too many message identifiers specified")
        chat_id = int(params["chat_id"])
        known = self.chats.get(chat_id, {})
        # Missing messages are skipped; one that may not be deleted refuses the whole call
        # (Telegram's documentation leaves this open: the bot must cope either way).
        if any(self.now() - known[i] >= 48 * 3600 for i in ids if i in known):
            raise StubError(400, "Bad Request: message can't be deleted for everyone")
        for message_id in ids:
            if message_id in known:
                self._delete(chat_id, message_id)
        return True

    async def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise StubError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": file_id[:8],
            "file_size": len(data),
            "file_path": path,
        }

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.answered.append(params["callback_query_id"])
        return True

    async def _leaveChat(self, params: dict[str, Any]) -> Any:
        self.left.append(int(params["chat_id"]))
        return True

    async def _setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _getWebhookInfo(self, params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self.webhook_error:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_error
        return info

    async def _getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self.polling += 1
        self.most_polling = max(self.most_polling, self.polling)
        try:
            if not self.updates and timeout:
                self._new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), timeout)
        finally:
            self.polling -= 1
        return [u for u in self.updates if u["update_id"] >= offset]

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        for path, data in self.files.values():
            if path == request.path_params["path"]:
                return Response(data, media_type="application/octet-stream")
        return Response(status_code=404)

    # Updates as Telegram sends them ---------------------------------------------------------

    def _message(self, chat_id: int, chat_type: str = "private", **fields: Any) -> dict[str, Any]:
        message_id = next(self.message_ids)
        if chat_type == "private":
            self.chats.setdefault(chat_id, {})[message_id] = int(self.now())
        return {
            "message_id": message_id,
            "date": int(self.now()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Siti"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            **fields,
        }

    def text_update(self, chat_id: int, text: str, **fields: Any) -> dict[str, Any]:
        return {
            "update_id": next(self.update_ids),
            "message": self._message(chat_id, text=text, **fields),
        }

    def photo_update(
        self, chat_id: int, file_id: str, caption: str | None = None
    ) -> dict[str, Any]:
        photo = [
            {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": file_id, "file_unique_id": "b", "width": 800, "height": 800},
        ]
        extra = {"caption": caption} if caption else {}
        return {
            "update_id": next(self.update_ids),
            "message": self._message(chat_id, photo=photo, **extra),
        }

    def voice_update(self, chat_id: int, file_id: str) -> dict[str, Any]:
        voice = {"file_id": file_id, "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}
        return {"update_id": next(self.update_ids), "message": self._message(chat_id, voice=voice)}

    def document_update(self, chat_id: int, file_id: str) -> dict[str, Any]:
        document = {
            "file_id": file_id,
            "file_unique_id": "d",
            "file_name": "kontrak.pdf",
            "mime_type": "application/pdf",
        }
        return {
            "update_id": next(self.update_ids),
            "message": self._message(chat_id, document=document),
        }

    def location_update(self, chat_id: int, latitude: float, longitude: float) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return {
            "update_id": next(self.update_ids),
            "message": self._message(chat_id, location=location),
        }

    def edited_update(self, chat_id: int, text: str) -> dict[str, Any]:
        message = self._message(chat_id, text=text, edit_date=int(self.now()))
        return {"update_id": next(self.update_ids), "edited_message": message}

    def button_update(self, chat_id: int, data: str) -> dict[str, Any]:
        query = {
            "id": uuid.uuid4().hex[:16],
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            "chat_instance": "ci",
            "data": data,
            "message": self._message(chat_id, text="(the bot's message)"),
        }
        # The button sits on a message the bot sent earlier, not on a new one in the chat.
        self.chats.get(chat_id, {}).pop(query["message"]["message_id"], None)
        return {"update_id": next(self.update_ids), "callback_query": query}

    def group_update(self, chat_id: int, text: str) -> dict[str, Any]:
        return {
            "update_id": next(self.update_ids),
            "message": self._message(chat_id, "group", text=text),
        }

    def added_to_group_update(self, chat_id: int) -> dict[str, Any]:
        member = {
            "chat": {"id": chat_id, "type": "supergroup", "title": "Grup"},
            "from": {"id": 42, "is_bot": False, "first_name": "Admin"},
            "date": int(time.time()),
            "old_chat_member": {"user": self.BOT, "status": "left"},
            "new_chat_member": {"user": self.BOT, "status": "member"},
        }
        return {"update_id": next(self.update_ids), "my_chat_member": member}


class TwilioStub:
    """Twilio's REST API: Messages.json, the account resource and media, with basic auth."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent = Recorder()  # messages Twilio accepted
        self.requests: list[dict[str, Any]] = []
        self.failures: list[Scripted] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.media_requests: list[str | None] = []
        self.account_status = "active"
        base = f"/2010-04-01/Accounts/{account_sid}"
        self.app = Starlette(
            routes=[
                Route(base + "/Messages.json", self._create_message, methods=["POST"]),
                Route(base + ".json", self._account, methods=["GET"]),
                Route(base + "/Messages/{message}/Media/{media}", self._media, methods=["GET"]),
            ]
        )
        self.url = ""  # set once served

    def fail(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        body = {"code": code, "message": message, "more_info": "", "status": status}
        self.failures.append(Scripted(status, body, headers or {}))

    def add_media(self, data: bytes, content_type: str) -> str:
        name = "ME" + uuid.uuid4().hex
        self.media[name] = (data, content_type)
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages/MM{uuid.uuid4().hex}/Media/{name}"

    def _authorized(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("authorization") == f"Basic {expected}"

    def _unauthorized(self) -> Response:
        body = {"code": 20003, "message": "Authenticate", "more_info": "", "status": 401}
        return JSONResponse(body, status_code=401)

    async def _create_message(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        form = dict(await request.form())
        self.requests.append(form)
        if self.failures:
            scripted = self.failures.pop(0)
            return JSONResponse(
                scripted.body, status_code=scripted.status, headers=scripted.headers
            )
        sid = "SM" + uuid.uuid4().hex
        record = {"sid": sid, **form}
        await self.sent.add(record)
        return JSONResponse(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body", ""),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "date_created": "Mon, 23 Nov 2026 10:00:00 +0000",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status_code=201,
        )

    async def _account(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        return JSONResponse(
            {
                "sid": self.account_sid,
                "friendly_name": "Helpline test account",
                "status": self.account_status,
                "type": "Full",
            }
        )

    async def _media(self, request: Request) -> Response:
        self.media_requests.append(request.headers.get("authorization"))
        if not self._authorized(request):
            return self._unauthorized()
        found = self.media.get(request.path_params["media"])
        if found is None:
            return Response(status_code=404)
        data, content_type = found
        return Response(data, media_type=content_type)


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        params.update(await request.json())
    elif content_type:
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params
