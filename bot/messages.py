"""What goes into the engine and what comes out of it, independent of any channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  # "photo" | "document" | "voice" | "video" | "location"
    url: str | None = None  # where the channel serves it, if anywhere
    content_type: str | None = None
    file_id: str | None = None  # the channel's own id for the file
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: str  # "telegram" | "whatsapp" | "web" | "console"
    user_id: str  # the worker's id on that channel
    text: str
    channel_message_id: str | None = None  # the channel's id, used to recognise repeats
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QuickReply:
    title: str  # what the button shows
    payload: str  # what the engine receives when it is pressed


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    quick_replies: tuple[QuickReply, ...] = field(default_factory=tuple)
