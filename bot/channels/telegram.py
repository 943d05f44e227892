"""Telegram through python-telegram-bot: updates in (webhook or long polling), messages out.

Inbound, an update is parsed by PTB (`Update.de_json`), translated into an `Inbound` and stored
before Telegram gets its 200, so an update is never acknowledged before it is safe; a repeat
of the same update id is recognised by the engine. This is PTB's custom-webhook pattern with
the secret-token check of PTB's own webhook handler, except that the update is stored rather
than put on `Application.update_queue`, whose memory a crash would empty. Long polling
advances the offset (which confirms updates to Telegram) only after storing, for the same
reason. A body past MAX_REQUEST_BYTES gets 413 before it is parsed; an update that cannot be
read (no chat, no sender, ids the database could not keep) is acknowledged and ignored, never
answered with a 5xx that Telegram would deliver again and again. Outbound, `TelegramSender` is the outbox's one-method adapter; PTB's errors become the
outbox's (`RetryAfter` is a 429 to pace by).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import BulkRequestLimit, MessageLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot import leases
from bot.channels.body import TooLarge, read_body
from bot.channels.clearing import telegram_by_hand
from bot.channels.inbound import Receiver
from bot.channels.telegram_updates import CHANNEL as CHANNEL
from bot.channels.telegram_updates import Ignored, translate
from bot.channels.text import split_text
from bot.channels.tls import tls_context
from bot.evidence import FetchError, Media
from bot.messages import Attachment
from bot.outbox.types import (
    Kind,
    Outgoing,
    PermanentError,
    RetryLater,
    Sent,
    TemporaryError,
    Visible,
)
from bot.storage.models import utcnow

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
POLL_SECONDS = 30
MAX_CONNECTIONS = 40
# Several processes serving one database (bot/leases.py): the webhook is checked and set by
# one at a time, and only the holder of the poller's lease long-polls.
WEBHOOK_LEASE = "telegram.webhook"
POLL_LEASE = "telegram.poller"
LEASE_SECONDS = 20.0  # a dead poller's successor starts within this
PER_SECOND = 25  # Telegram's limit is about 30 messages a second for a whole bot
# An update holds one message (4,096 characters, its entities) and perhaps the one it replies
# to: tens of kilobytes. Anything larger is not from Telegram.
MAX_REQUEST_BYTES = 256 * 1024
# Bot API deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago"
# (both the bot's and, in a private chat, the worker's). Older ones are not even tried.
DELETABLE_FOR = timedelta(hours=48) - timedelta(minutes=5)
# Said once, in both languages, when someone adds the bot to a group or a channel.
PRIVATE_ONLY = (
    "Halo! Saya hanya melayani percakapan pribadi. Silakan kirim pesan langsung ke saya.\n"
    "Hello! I only talk in private chats: please write to me directly."
)


def webhook_secret(token: str, configured: str | None) -> str:
    """The configured secret, or one derived from the token (the same in every process)."""
    if configured:
        return configured
    return hmac.new(token.encode(), b"helpline-telegram-webhook", hashlib.sha256).hexdigest()


def webhook_fingerprint(token: str, url: str, secret: str) -> str:
    """What identifies a webhook setting (the bot, URL, secret and options), as a hash."""
    setting = [token, url, secret, sorted(ALLOWED_UPDATES), MAX_CONNECTIONS]
    return hashlib.sha256(json.dumps(setting).encode()).hexdigest()


def build_bot(token: str, api_url: str | None = None) -> Bot:
    base = (api_url or "https://api.telegram.org").rstrip("/")
    tls = {"verify": tls_context()}
    return Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(
            connection_pool_size=32,
            read_timeout=10.0,
            media_write_timeout=30.0,
            httpx_kwargs=tls,
        ),
        get_updates_request=HTTPXRequest(read_timeout=POLL_SECONDS + 10.0, httpx_kwargs=tls),
    )


async def close_bot(bot: Bot) -> None:
    await bot.shutdown()
    # shutdown() skips a bot whose initialize() never ran, but PTB opened its HTTP client in
    # the constructor; messages may have been sent through it all the same.
    await bot.request.shutdown()


@contextmanager
def converted_errors() -> Iterator[None]:
    """PTB's errors as the outbox's: nothing from telegram.error passes this point."""
    try:
        yield
    except RetryAfter as exc:
        raise RetryLater("telegram 429", _seconds(exc.retry_after)) from None
    except TimedOut:
        raise TemporaryError("telegram timed out") from None
    except BadRequest as exc:
        raise PermanentError(f"telegram 400: {exc.message}") from None
    except Forbidden as exc:
        raise PermanentError(f"telegram 403: {exc.message}") from None
    except ChatMigrated:
        raise PermanentError("telegram chat migrated") from None
    except InvalidToken:
        # A configuration problem: keep the messages until the token is fixed.
        raise TemporaryError("telegram token rejected") from None
    except NetworkError as exc:
        raise TemporaryError(f"telegram network: {exc.message}") from None
    except TelegramError as exc:
        raise TemporaryError(f"telegram: {exc.message}") from None


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Sends one stored message: long texts in parts, options as an inline keyboard."""

    def __init__(self, bot: Bot, clock: Callable[[], datetime] = utcnow) -> None:
        self.bot = bot
        self.clock = clock

    async def send(self, message: Outgoing) -> Sent:
        if message.kind == Kind.CLEAR_CHAT:
            return await self._clear(message)
        if message.kind != Kind.MESSAGE:
            raise PermanentError("telegram has no templates")
        parts = split_text(message.text, MessageLimit.MAX_TEXT_LENGTH)
        keyboard = _keyboard(message)
        channel_id: str | None = None
        for index in range(message.first_part, len(parts)):
            last = index == len(parts) - 1
            with converted_errors():
                sent = await self.bot.send_message(
                    chat_id=int(message.to),
                    text=parts[index] or "…",
                    reply_markup=keyboard if last else None,
                )
            channel_id = str(sent.message_id)
            if not last and message.part_sent is not None:
                await message.part_sent(index, channel_id)
        return Sent(channel_id)

    async def _clear(self, message: Outgoing) -> Sent:
        """Delete the chat's messages from the worker's screen; say how to delete older ones.

        Safe to repeat: Telegram skips messages already gone, and "not found" counts as gone.
        Nothing is said when everything went: the empty chat is the answer, and a notice
        would be one more thing on the screen.
        """
        chat = int(message.to)
        now = self.clock()
        recent = [v for v in message.visible if now - v.sent_at < DELETABLE_FOR]
        left = len(message.visible) - len(recent)
        cleared: list[str] = []
        with converted_errors():
            step = BulkRequestLimit.MAX_LIMIT
            for chunk in (tuple(recent[i : i + step]) for i in range(0, len(recent), step)):
                try:
                    await self.bot.delete_messages(chat, [int(v.visible_id) for v in chunk])
                    cleared += [v.visible_id for v in chunk]
                except BadRequest:
                    gone = await self._one_by_one(chat, chunk)
                    cleared += gone
                    left += len(chunk) - len(gone)
            log.info("telegram.cleared", message_id=message.id, deleted=len(cleared), left=left)
            if not left:
                return Sent(None, tuple(cleared))
            sent = await self.bot.send_message(
                chat_id=chat, text=telegram_by_hand(message.language)
            )
        return Sent(str(sent.message_id), tuple(cleared))

    async def _one_by_one(self, chat: int, chunk: tuple[Visible, ...]) -> list[str]:
        """After the bulk call was refused: each message alone; returns those now gone."""
        gone: list[str] = []
        for visible in chunk:
            try:
                await self.bot.delete_message(chat, int(visible.visible_id))
            except BadRequest as exc:
                if "not found" not in exc.message.lower():
                    continue  # too old, or a kind Telegram keeps: left for the worker
            gone.append(visible.visible_id)
        return gone


def _keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    # The button's callback data is the payload; Telegram allows 64 bytes of it.
    buttons = [
        [InlineKeyboardButton(q.title[:64], callback_data=q.payload)]
        for q in message.quick_replies
        if len(q.payload.encode()) <= 64
    ]
    return InlineKeyboardMarkup(buttons) if buttons else None


class TelegramStaffChat:
    """Posts the case desk's alerts to a staff group (bot.cases.StaffChat)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, text: str) -> None:
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        with converted_errors():
            await self.bot.send_message(chat_id=target, text=text)


class TelegramFiles:
    """Downloads a photo, document or voice note by its file id, with the bot's token."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, attachment: Attachment) -> Media:
        if not attachment.file_id:
            raise FetchError("no file id", temporary=False)
        try:
            with converted_errors():
                file = await self.bot.get_file(attachment.file_id)
                data = await file.download_as_bytearray()
        except (PermanentError, TemporaryError, RetryLater) as exc:
            raise FetchError(exc.reason, temporary=not isinstance(exc, PermanentError)) from None
        return Media(bytes(data), attachment.content_type)


class TelegramChannel:
    """The Telegram side of one process: its webhook route or its polling loop.

    With `sessions` (the database every process serves) the webhook is set once per setting
    across processes, and one process polls while the others stand by; without, this process
    does both alone.
    """

    def __init__(
        self,
        token: str,
        *,
        mode: str,
        public_url: str | None,
        secret: str | None = None,
        api_url: str | None = None,
        bot: Bot | None = None,
        clock: Callable[[], datetime] = utcnow,
        sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.bot = bot or build_bot(token, api_url)
        self.sessions = sessions
        self.holder = leases.new_holder()
        self.clock = clock
        self.lease_seconds = LEASE_SECONDS
        self._token = token
        self.mode = mode
        self.public_url = public_url
        self.secret = webhook_secret(token, secret)
        self.sender = TelegramSender(self.bot, clock)
        self.files = TelegramFiles(self.bot)
        self.staff_chat = TelegramStaffChat(self.bot)
        # Groups the staff chat posts to (alerts, digests): the bot stays in these, and only
        # these, when added to a group; workers talk to it in private chats.
        self.staff_groups: frozenset[str] = frozenset()
        self.receiver: Receiver | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: asyncio.Task[None] | None = None
        self.poll_seconds = POLL_SECONDS

    @property
    def webhook_url(self) -> str:
        return f"{self.public_url}{WEBHOOK_PATH}"

    def routes(self) -> list[BaseRoute]:
        if self.mode != "webhook":
            return []
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"], name="telegram_webhook")]

    async def start(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self._runner = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            await self.bot.initialize()  # getMe: checks the token, caches the bot's name
        except TelegramError as exc:
            log.error("telegram.get_me_failed", error=type(exc).__name__)
        if self.mode == "webhook":
            await self._until_ok(self._ensure_webhook)
        elif self.sessions is None:
            await self.poll()
        else:
            await self._poll_while_leader(self.sessions)

    async def stop(self) -> None:
        tasks = [*self._tasks, *([self._runner] if self._runner else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.sessions is not None and self.mode != "webhook":
            try:  # another process polls at once rather than when the lease runs out
                await leases.release(self.sessions, POLL_LEASE, self.holder, now=self.clock())
            except Exception as exc:
                log.warning("telegram.poller_release_failed", error=type(exc).__name__)
        await close_bot(self.bot)

    async def accept(self, update: Update) -> bool:
        """Store one update (raises if it could not be stored); False if it was ignored."""
        assert self.receiver is not None, "start() first"
        try:
            result = translate(update)
        except (AttributeError, TypeError, ValueError) as exc:
            # PTB builds updates without checking them: a field Telegram always sends is None.
            result = Ignored(f"malformed: {type(exc).__name__}")
        if isinstance(result, Ignored):
            log.info("telegram.ignored", update_id=update.update_id, reason=result.reason)
            if result.leave_chat_id is not None and not self._staff_group(result):
                self._background(self._decline_group(result.leave_chat_id))
            return False
        await self.receiver.receive(result.inbound, referral=result.referral)
        if result.callback_query_id is not None:
            self._background(self._answer_button(result.callback_query_id))
        return True

    async def _webhook(self, request: Request) -> Response:
        # Constant-time, like PTB's own webhook handler; a wrong secret stores nothing.
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return Response(status_code=403)
        if self.receiver is None:
            return Response(status_code=503)  # still starting: Telegram tries again
        try:
            data = json.loads(await read_body(request, MAX_REQUEST_BYTES))
            update = Update.de_json(data, self.bot)
        except TooLarge:
            log.warning("telegram.too_large")
            return Response(status_code=413)
        except Exception:
            return Response(status_code=400)
        try:
            await self.accept(update)
        except Exception as exc:
            # Not stored: a 5xx makes Telegram deliver the update again.
            log.error("telegram.store_failed", update_id=update.update_id, error=type(exc).__name__)
            return Response(status_code=503)
        return Response(status_code=200)

    async def poll(self) -> None:
        """Long polling: the offset moves past an update only once it is stored."""
        offset: int | None = None
        failures = 0
        await self._until_ok(self.bot.delete_webhook)
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset,
                    timeout=self.poll_seconds,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
                for update in updates:
                    await self.accept(update)
                    offset = update.update_id + 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except Conflict:
                # Another process polls, or a webhook is set: say so, and keep trying slowly.
                failures += 1
                log.error("telegram.poll_conflict")
                await asyncio.sleep(min(60.0, 2.0**failures))
            except Exception as exc:
                failures += 1
                log.warning("telegram.poll_failed", error=type(exc).__name__)
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))

    async def _ensure_webhook(self) -> bool:
        """Set the webhook unless it is already set this way; True if this process set it.

        Processes take turns (a lease): the first to come sets it and records the setting's
        fingerprint; the others find the fingerprint and Telegram's getWebhookInfo agreeing,
        and leave it. A changed URL, secret or token, or a webhook Telegram no longer has (it
        was deleted, or a poller took over), is set again.
        """
        if self.sessions is None:
            await self._set_webhook()
            return True
        fingerprint = webhook_fingerprint(self._token, self.webhook_url, self.secret)
        ttl = timedelta(seconds=30)
        lease = (self.sessions, WEBHOOK_LEASE, self.holder)
        while not await leases.claim(*lease, now=self.clock(), ttl=ttl):  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # another process is checking or setting it
        done: str | None = None
        try:
            held = await leases.read(self.sessions, WEBHOOK_LEASE)
            if held is not None and held.value == fingerprint and await self._webhook_is_set():
                log.info("telegram.webhook_already_set")
                return False
            await self._set_webhook()
            done = fingerprint
            return True
        finally:
            await leases.release(
                self.sessions, WEBHOOK_LEASE, self.holder, now=self.clock(), value=done
            )

    async def _webhook_is_set(self) -> bool:
        info = await self.bot.get_webhook_info()
        allowed = set(info.allowed_updates or ALLOWED_UPDATES)
        return info.url == self.webhook_url and allowed == set(ALLOWED_UPDATES)

    async def _set_webhook(self) -> None:
        await self.bot.set_webhook(
            self.webhook_url,
            secret_token=self.secret,
            allowed_updates=list(ALLOWED_UPDATES),
            max_connections=MAX_CONNECTIONS,
        )
        log.info("telegram.webhook_set")

    async def _poll_while_leader(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Poll while this process holds the poller's lease; stand by while another does.

        The lease is renewed every third of its time; if it cannot be renewed before it runs
        out (the database is away, or another process took it), polling stops. Updates
        fetched by a poll that is stopped were not confirmed (the offset moves only after
        storing), so Telegram gives them to the next poller.
        """
        ttl = timedelta(seconds=self.lease_seconds)
        every = self.lease_seconds / 3
        held_until: datetime | None = None

        async def renew() -> bool:
            nonlocal held_until
            now = self.clock()
            try:
                held = await leases.claim(sessions, POLL_LEASE, self.holder, now=now, ttl=ttl)
            except Exception as exc:
                log.warning("telegram.poller_lease_failed", error=type(exc).__name__)
                return held_until is not None and self.clock() < held_until
            held_until = now + ttl if held else None
            return held

        standing_by = False
        while True:
            if not await renew():
                if not standing_by:
                    log.info("telegram.poller_standing_by")
                    standing_by = True
                await asyncio.sleep(every)
                continue
            standing_by = False
            log.info("telegram.poller_leading")
            polling = asyncio.ensure_future(self.poll())
            try:
                while True:
                    await asyncio.wait({polling}, timeout=every)
                    if polling.done():
                        polling.result()  # poll() only ends by raising
                    if not await renew():
                        log.warning("telegram.poller_lease_lost")
                        break
            finally:
                polling.cancel()
                await asyncio.gather(polling, return_exceptions=True)

    async def _until_ok(self, call: Any) -> None:
        failures = 0
        while True:
            try:
                await call()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram's refusal, or the database away (the lease)
                failures += 1
                log.error("telegram.setup_failed", error=type(exc).__name__)
                await asyncio.sleep(min(60.0, 2.0**failures))

    async def _answer_button(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:
            log.info("telegram.answer_button_failed", error=type(exc).__name__)

    def _staff_group(self, ignored: Ignored) -> bool:
        names = {str(ignored.leave_chat_id)}
        if ignored.chat_username:
            names.add(f"@{ignored.chat_username}")
        return not names.isdisjoint(self.staff_groups)

    async def _decline_group(self, chat_id: int) -> None:
        try:
            await self.bot.send_message(chat_id, PRIVATE_ONLY)
            await self.bot.leave_chat(chat_id)
        except TelegramError as exc:
            log.info("telegram.leave_failed", error=type(exc).__name__)

    def _background(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait for the button answers and group replies started so far (tests)."""
        await asyncio.gather(*self._tasks, return_exceptions=True)
