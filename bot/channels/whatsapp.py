"""WhatsApp through Twilio: signed webhooks in, REST API out, delivery reports back.

Every request is checked with Twilio's RequestValidator against the URL Twilio called, built
from HELPLINE_PUBLIC_URL (a proxy in front changes the URL the app sees). A body past
MAX_REQUEST_BYTES gets 413 before it is parsed, a bad signature 403, and nothing is stored;
what the database could not keep (bot/channels/limits.py) is acknowledged and ignored. An inbound message is stored before Twilio gets its empty
TwiML answer; a repeat of the same MessageSid is recognised by the engine. Quick replies go
out as numbered lines (bot/channels/text.py); a typed number is mapped back here, against the
options of the last message the worker was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
import structlog
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.base.exceptions import TwilioException
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client

from bot.channels.body import TooLarge, bounded
from bot.channels.clearing import whatsapp_by_hand
from bot.channels.inbound import Receiver
from bot.channels.limits import clean_text, row_id, storable, valid_id
from bot.channels.text import numbered, resolve_number, split_text, typed_number
from bot.channels.twilio_http import HttpxTwilioClient, last_retry_after
from bot.evidence import MAX_BYTES, FetchError, Media
from bot.messages import Attachment, ChannelKind, Inbound
from bot.outbox.types import (
    Kind,
    Outgoing,
    OutsideWindow,
    PermanentError,
    RetryLater,
    Sent,
    TemporaryError,
)
from bot.storage.models import utcnow

log = structlog.get_logger(__name__)

CHANNEL = ChannelKind.WHATSAPP
INBOUND_PATH = "/webhooks/twilio"
STATUS_PATH = "/webhooks/twilio/status"
API_URL = "https://api.twilio.com"
BODY_LIMIT = 1600  # characters in one WhatsApp message sent through Twilio
# The payload to give the quick-reply button of the "an officer answered" template: pressing
# it releases the held messages without a bot reply of its own.
REOPEN_PAYLOAD = "helpline:reopen"
WINDOW_CLOSED = "63016"  # Twilio: outside the 24-hour window, a template is needed
TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
_MAX_MEDIA = 10
# Twilio posts a form of a few dozen fields; a WhatsApp text is at most 4,096 characters, under
# 40 KB even percent-encoded. Anything larger is not from Twilio.
MAX_REQUEST_BYTES = 64 * 1024
MAX_FIELDS = 200
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Translated:
    inbound: Inbound
    unanswered: bool = False  # the template's button: release what was held, nothing more


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


def translate(form: FormData, received_at: datetime | None = None) -> Translated | Ignored:
    """Twilio's form fields as the engine's Inbound, or why they are ignored."""
    sender = _field(form, "From")
    if not sender.startswith("whatsapp:"):
        return Ignored("not whatsapp")  # an SMS to the same number
    sid = _field(form, "MessageSid") or _field(form, "SmsMessageSid")
    if not sid:
        return Ignored("no message id")
    if not valid_id(sid):
        return Ignored("bad message id")
    text = _field(form, "Body")
    attachments: list[Attachment] = []
    try:
        count = min(int(_field(form, "NumMedia") or "0"), _MAX_MEDIA)
    except ValueError:
        count = 0
    for index in range(count):
        url = _field(form, f"MediaUrl{index}")
        content_type = _field(form, f"MediaContentType{index}") or None
        if url:
            attachments.append(Attachment(_kind(content_type), url=url, content_type=content_type))
    place = _place(_field(form, "Latitude"), _field(form, "Longitude"))
    if place is not None:
        attachments.append(Attachment("location", url=place))
    button = _field(form, "ButtonPayload")
    unanswered = button == REOPEN_PAYLOAD
    if button.startswith("/"):
        text = button  # a template button carrying one of our payloads
    user = sender.removeprefix("whatsapp:")
    inbound = storable(Inbound(CHANNEL, user, text, sid, tuple(attachments), received_at))
    if inbound is None:
        return Ignored("unstorable sender")
    return Translated(inbound, unanswered=unanswered)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _place(latitude: str, longitude: str) -> str | None:
    """A shared location as a geo: URI, or None unless both are degrees."""
    try:
        lat, lon = float(latitude), float(longitude)
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None  # also NaN
    return f"geo:{latitude},{longitude}"


def _kind(content_type: str | None) -> str:
    major = (content_type or "").split("/", 1)[0]
    return {"image": "photo", "audio": "voice", "video": "video"}.get(major, "document")


@contextmanager
def converted_errors() -> Iterator[None]:
    """Twilio's and httpx's errors as the outbox's; reasons carry codes, never numbers or text."""
    try:
        yield
    except TwilioException as exc:
        status = int(getattr(exc, "status", 0) or 0)
        code = str(getattr(exc, "code", "") or "")
        reason = f"twilio {status} code {code}"
        if status == 429:
            raise RetryLater(reason, last_retry_after.get()) from None
        if code == WINDOW_CLOSED:
            raise OutsideWindow(reason) from None
        if status >= 500 or status in (401, 403) or status == 0:
            # Server trouble, or credentials being fixed: keep the message and try again.
            raise TemporaryError(reason) from None
        raise PermanentError(reason) from None
    except httpx.HTTPError as exc:
        raise TemporaryError(f"twilio network: {type(exc).__name__}") from None


class WhatsAppSender:
    """Sends one stored message through Twilio, or the approved template for a closed window."""

    def __init__(
        self, client: Client, sender: str, status_url: str, template_sid: str | None
    ) -> None:
        self.client = client
        self.sender = sender
        self.status_url = status_url
        self.template_sid = template_sid

    async def send(self, message: Outgoing) -> Sent:
        to = f"whatsapp:{message.to}"
        callback = f"{self.status_url}?m={message.id}"
        if message.kind == Kind.REOPEN:
            if not self.template_sid:
                raise PermanentError("no template: set HELPLINE_TWILIO_TEMPLATE_SID")
            with converted_errors():
                created = await self.client.messages.create_async(
                    to=to,
                    from_=self.sender,
                    content_sid=self.template_sid,
                    status_callback=callback,
                )
            return Sent(created.sid)
        if message.template is not None:
            # An approved template: WhatsApp delivers it whether or not the window is open.
            variables = dict(message.template.variables)
            with converted_errors():
                if variables:
                    created = await self.client.messages.create_async(
                        to=to,
                        from_=self.sender,
                        content_sid=message.template.sid,
                        content_variables=json.dumps(variables, ensure_ascii=False),
                        status_callback=callback,
                    )
                else:
                    created = await self.client.messages.create_async(
                        to=to,
                        from_=self.sender,
                        content_sid=message.template.sid,
                        status_callback=callback,
                    )
            return Sent(created.sid)
        # A business cannot delete messages on the worker's phone: say how to do it by hand.
        source = (
            whatsapp_by_hand(message.language) if message.kind == Kind.CLEAR_CHAT else message.text
        )
        text, _ = numbered(source, message.quick_replies)
        parts = split_text(text, BODY_LIMIT)
        sid: str | None = None
        for index in range(message.first_part, len(parts)):
            with converted_errors():
                created = await self.client.messages.create_async(
                    to=to, from_=self.sender, body=parts[index] or "…", status_callback=callback
                )
            sid = created.sid
            if index < len(parts) - 1 and message.part_sent is not None and sid:
                await message.part_sent(index, sid)
        return Sent(sid)


class TwilioMedia:
    """Downloads media with the account's credentials (Twilio's media URLs need them)."""

    def __init__(self, http: httpx.AsyncClient, auth: tuple[str, str], api_url: str) -> None:
        self.http = http
        self.auth = auth
        self.origin = _origin(api_url)

    async def fetch(self, attachment: Attachment) -> Media:
        if not attachment.url:
            raise FetchError("no url", temporary=False)
        # The credentials go to Twilio only; httpx drops them on a redirect elsewhere.
        auth = self.auth if _origin(attachment.url) == self.origin else None
        try:
            async with self.http.stream(
                "GET", attachment.url, auth=auth, follow_redirects=True
            ) as response:
                if response.status_code >= 400:
                    temporary = response.status_code >= 500 or response.status_code == 429
                    raise FetchError(f"http {response.status_code}", temporary=temporary)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchError("too large", temporary=False)
                    chunks.append(chunk)
                content_type = response.headers.get("content-type") or attachment.content_type
        except httpx.HTTPError as exc:
            raise FetchError(f"network: {type(exc).__name__}", temporary=True) from None
        return Media(b"".join(chunks), content_type)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


class WhatsAppChannel:
    """The WhatsApp side of one process: Twilio's webhooks, sender and media."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        *,
        public_url: str,
        template_sid: str | None = None,
        api_url: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.account_sid = account_sid
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        self.http = HttpxTwilioClient()
        self.client = Client(account_sid, auth_token, http_client=self.http)
        self.api_url = (api_url or API_URL).rstrip("/")
        if api_url:
            self.client.api.base_url = self.api_url
        self.validator = RequestValidator(auth_token)
        self.sender = WhatsAppSender(
            self.client, sender, self.public_url + STATUS_PATH, template_sid
        )
        self.files = TwilioMedia(self.http.client, (account_sid, auth_token), self.api_url)
        self.receiver: Receiver | None = None

    def routes(self) -> list[BaseRoute]:
        return [
            Route(INBOUND_PATH, self._inbound, methods=["POST"], name="twilio_inbound"),
            Route(STATUS_PATH, self._status, methods=["POST"], name="twilio_status"),
        ]

    async def start(self, receiver: Receiver) -> None:
        self.receiver = receiver

    async def stop(self) -> None:
        await self.http.close()

    async def _verified(self, request: Request, path: str) -> FormData | Response:
        """The signed form of Twilio's account, or the answer to anything else."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            return Response(status_code=415)
        try:
            form = await (await bounded(request, MAX_REQUEST_BYTES)).form(max_fields=MAX_FIELDS)
        except TooLarge:
            log.warning("twilio.too_large", path=path)
            return Response(status_code=413)
        url = self.public_url + path + (f"?{request.url.query}" if request.url.query else "")
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self.validator.validate(url, form, signature, algorithm):
            log.warning("twilio.bad_signature", path=path)
            return Response(status_code=403)
        if _field(form, "AccountSid") not in ("", self.account_sid):
            log.warning("twilio.other_account", path=path)
            return Response(status_code=403)
        return form

    async def _inbound(self, request: Request) -> Response:
        form = await self._verified(request, INBOUND_PATH)
        if isinstance(form, Response):
            return form
        if self.receiver is None:
            return Response(status_code=503)  # still starting: Twilio tries again
        # Twilio's webhook carries no time: the window counts from when it reached us.
        result = translate(form, self.clock())
        if isinstance(result, Ignored):
            log.info("twilio.ignored", reason=result.reason)
            return Response(TWIML_EMPTY, media_type="text/xml")
        try:
            inbound = await self._with_option(result.inbound)
            await self.receiver.receive(inbound, unanswered=result.unanswered)
        except Exception as exc:
            log.error("twilio.store_failed", error=type(exc).__name__)
            return Response(status_code=503)
        return Response(TWIML_EMPTY, media_type="text/xml")

    async def _with_option(self, inbound: Inbound) -> Inbound:
        """A typed number becomes the payload of that option of the last message sent."""
        if typed_number(inbound.text) is None:
            return inbound
        assert self.receiver is not None
        last = await self.receiver.options_sent(CHANNEL, inbound.user_id)
        payload = resolve_number(inbound.text, *last) if last else None
        if payload is None:
            return inbound
        return Inbound(
            inbound.channel,
            inbound.user_id,
            payload,
            inbound.channel_message_id,
            inbound.attachments,
            inbound.received_at,
        )

    async def _status(self, request: Request) -> Response:
        form = await self._verified(request, STATUS_PATH)
        if isinstance(form, Response):
            return form
        if self.receiver is None:
            return Response(status_code=503)
        # Ours, or nothing: never a value the database would refuse.
        message_id = row_id(request.query_params.get("m"))
        sid = _field(form, "MessageSid")
        status = clean_text(_field(form, "MessageStatus"))[:16]
        error = _field(form, "ErrorCode")
        error = error if error.isascii() and error.isdigit() and len(error) <= 10 else ""
        try:
            found = await self.receiver.delivery_status(
                message_id=message_id,
                channel_message_id=sid if valid_id(sid) else None,
                status=status,
                error=f"twilio code {error}" if error else None,
                now=self.clock(),
                window_closed=error == WINDOW_CLOSED,
            )
        except Exception as exc:
            log.error("twilio.status_failed", error=type(exc).__name__)
            return Response(status_code=503)
        log.info("twilio.status", message_id=message_id, status=status, known=found, error=error)
        return Response(status_code=204)
