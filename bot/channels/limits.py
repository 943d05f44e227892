"""What the database accepts, enforced where a channel's data comes in.

A channel's ids are stored as they came (columns of 128 characters) and looked up; texts are
encrypted as UTF-8, which a lone surrogate ("\\ud800", legal in JSON) cannot be written in;
PostgreSQL refuses NUL characters in text and integers past 64 bits. A value outside these
limits is cleaned or refused here, in the adapters, so the database never sees it: a message
the database cannot keep would get a 5xx, and the channel would deliver it again forever.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.messages import Attachment, Inbound

MAX_ID_CHARS = 128  # messages.channel_message_id, visible_messages.visible_id
MAX_CONTENT_TYPE_CHARS = 128  # evidence.content_type
MAX_BIGINT = 2**63 - 1  # BIGINT ids on PostgreSQL
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text as the database can keep it: a lone surrogate becomes "�", NUL goes."""
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def valid_id(value: str | None) -> bool:
    """A channel's id that fits its column: 1-128 printable characters."""
    return value is not None and 0 < len(value) <= MAX_ID_CHARS and value.isprintable()


def row_id(value: str | int | None) -> int | None:
    """One of our own row ids from outside (a callback's query), or None if it cannot be one."""
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
        value = int(value)
    return value if value is not None and 0 < value <= MAX_BIGINT else None


def storable(inbound: Inbound) -> Inbound | None:
    """The message with its text cleaned, or None when its ids cannot be stored."""
    if not valid_id(inbound.user_id) or not valid_id(inbound.channel_message_id):
        return None
    visible = inbound.visible_id if valid_id(inbound.visible_id) else None
    return replace(
        inbound,
        text=clean_text(inbound.text),
        attachments=tuple(_attachment(a) for a in inbound.attachments),
        visible_id=visible,
    )


def _attachment(attachment: Attachment) -> Attachment:
    content_type = attachment.content_type
    if content_type is not None:
        content_type = clean_text(content_type)[:MAX_CONTENT_TYPE_CHARS] or None
    return replace(
        attachment,
        url=clean_text(attachment.url) if attachment.url else attachment.url,
        file_id=clean_text(attachment.file_id) if attachment.file_id else attachment.file_id,
        caption=clean_text(attachment.caption) if attachment.caption else attachment.caption,
        content_type=content_type,
    )
