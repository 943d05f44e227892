"""What goes into the engine and what comes out of it, independent of any channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChannelKind(StrEnum):
    """Where a worker writes from; stored as `workers.channel` and `messages.channel`."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    WEB = "web"
    CONSOLE = "console"


# The caller shows these channels' replies at once (the chat page, the terminal): they are
# stored as sent rather than left to the outbox.
ANSWERED_IN_PLACE = frozenset({ChannelKind.WEB, ChannelKind.CONSOLE})


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "photo" | "document" | "voice" | "video" | "location"
    url: str | None = None  # where the channel serves it, if anywhere
    content_type: str | None = None
    file_id: str | None = None  # the channel's own id for the file
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: str  # a ChannelKind
    user_id: str  # the worker's id on that channel
    text: str
    channel_message_id: str | None = None  # the channel's id, used to recognise repeats
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime | None = None
    # The id the worker's chat app shows this message under, where the bot may delete it from
    # their screen later (Telegram's message_id); None where the channel allows no deleting.
    visible_id: str | None = None


@dataclass(frozen=True, slots=True)
class QuickReply:
    title: str  # what the button shows
    payload: str  # what the engine receives when it is pressed


class Action(StrEnum):
    """A reply that is an instruction to the channel rather than (only) words."""

    # "Delete this chat": remove the conversation from the worker's screen as far as the
    # channel can, and tell them how to do the rest by hand (bot/channels decide what it means).
    CLEAR_CHAT = "clear_chat"


# The stored text of a CLEAR_CHAT reply: what officers read in the conversation.
CLEAR_CHAT_NOTE = "(the worker asked to delete the chat from their phone)"


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    quick_replies: tuple[QuickReply, ...] = field(default_factory=tuple)
    action: Action | None = None
    # For the worker's eyes only (what is stored about them, across every organisation's
    # cases): officers reading the conversation see that it was sent, not what it says.
    private: bool = False
