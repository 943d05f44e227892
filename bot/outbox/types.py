"""What the outbox hands a channel, what comes back, and the errors channels raise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.messages import QuickReply


class Kind(StrEnum):
    MESSAGE = "message"
    REOPEN = "reopen"
    CLEAR_CHAT = "clear_chat"


@dataclass(frozen=True, slots=True)
class Template:
    """A channel's approved template (WhatsApp: Twilio's ContentSid and its variables)."""

    sid: str
    variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Visible:
    """A message in the worker's chat app, by the channel's id, and when it was sent."""

    visible_id: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One stored outbound message, ready for a channel to send."""

    id: int
    channel: str
    to: str  # the worker's id on the channel (a chat id, a phone number)
    text: str
    quick_replies: tuple[QuickReply, ...] = ()
    # "reopen": the channel's approved template inviting the worker back (WhatsApp's window).
    # "clear_chat": delete `visible` from the worker's screen where the channel can, and tell
    # the worker (in `language`) how to delete the rest by hand.
    kind: Kind = Kind.MESSAGE
    # A long text goes out in parts; after a failure part-way the sender starts here.
    first_part: int = 0
    # Called after each part is accepted by the channel: (part index, the channel's id).
    part_sent: Callable[[int, str], Awaitable[None]] | None = None
    language: str | None = None  # the worker's, for what a channel writes itself
    visible: tuple[Visible, ...] = ()  # "clear_chat": what is still in the worker's chat
    # Sent as this template where the channel has templates (WhatsApp), as `text` elsewhere.
    template: Template | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    channel_message_id: str | None  # the channel's id for the (last) part sent
    cleared: tuple[str, ...] = ()  # "clear_chat": visible ids now gone from the worker's chat


class Sender(Protocol):
    """A channel's one way out. Library errors become SendError subclasses inside send()."""

    async def send(self, message: Outgoing) -> Sent: ...


class SendError(Exception):
    """A send that did not go through. `reason` is a short code, never personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:255]


class RetryLater(SendError):
    """The channel asked us to slow down (HTTP 429): try again after `seconds`."""

    def __init__(self, reason: str, seconds: float | None) -> None:
        super().__init__(reason)
        self.seconds = seconds


class TemporaryError(SendError):
    """Network trouble or a server error (5xx): retried with backoff."""


class PermanentError(SendError):
    """The channel refused the message (blocked, bad recipient): retrying cannot help."""


class OutsideWindow(SendError):
    """The channel only takes free-form messages shortly after the worker wrote (WhatsApp)."""
