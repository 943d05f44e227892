"""Telegram updates as the engine's `Inbound`: private chats only, deep links, files, places.

Only what the database can keep goes in (bot/channels/limits.py): anything else is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from telegram import Message as TgMessage
from telegram import Update
from telegram.constants import ChatType

from bot.channels.limits import storable
from bot.messages import Attachment, ChannelKind, Inbound

CHANNEL = ChannelKind.TELEGRAM
_START = re.compile(r"^/start(?:@\w+)?(?:\s+(\S+))?\s*$")
_DEEP_LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class Translated:
    inbound: Inbound
    referral: str | None = None  # a deep link's code: t.me/<bot>?start=<code>
    callback_query_id: str | None = None  # a button press to acknowledge


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str
    leave_chat_id: int | None = None  # a group or channel the bot was added to
    chat_username: str | None = None  # its public @name, if it has one


def translate(update: Update) -> Translated | Ignored:
    """An update as the engine's Inbound, or why it is ignored."""
    if not isinstance(update.update_id, int):
        return Ignored("no update id")
    result = _translate(update, str(update.update_id))
    if isinstance(result, Ignored):
        return result
    inbound = storable(result.inbound)
    if inbound is None:
        return Ignored("unstorable ids")
    return replace(result, inbound=inbound)


def _translate(update: Update, update_id: str) -> Translated | Ignored:
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE:
            return Ignored("not a private chat")
        if not query.data or not isinstance(query.data, str):
            return Ignored("no payload")
        if query.from_user is None or not isinstance(query.from_user.id, int):
            return Ignored("no sender")
        inbound = Inbound(CHANNEL, str(query.from_user.id), query.data, update_id)
        return Translated(inbound, callback_query_id=query.id)
    if update.my_chat_member is not None:
        member = update.my_chat_member
        joined = member.new_chat_member.status in ("member", "administrator")
        if member.chat.type != ChatType.PRIVATE and joined:
            return Ignored(
                "added to a group", leave_chat_id=member.chat.id, chat_username=member.chat.username
            )
        return Ignored("membership")
    message = update.message or update.edited_message
    if message is None:
        return Ignored("no message")
    if message.chat is None or not isinstance(message.chat.id, int):
        return Ignored("no chat")
    if message.chat.type != ChatType.PRIVATE:
        return Ignored("not a private chat")
    if update.edited_message is not None and message.location is not None:
        return Ignored("live location")  # each move of a live location is an edit
    text = message.text or message.caption or ""
    if message.contact is not None:
        text = " ".join(p for p in (message.contact.first_name, message.contact.phone_number) if p)
    attachments = _attachments(message)
    if not text and not attachments and message.sticker is None:
        return Ignored("service message")
    referral = None
    if start := _START.match(text):
        text = "/start"
        code = start.group(1)
        referral = code if code and _DEEP_LINK.fullmatch(code) else None
    # An edit is answered as a new message: workers edit to correct what was misunderstood.
    inbound = Inbound(
        CHANNEL,
        str(message.chat.id),
        text,
        update_id,
        tuple(attachments),
        message.edit_date or message.date,
        visible_id=str(message.message_id),
    )
    return Translated(inbound, referral=referral)


def _attachments(message: TgMessage) -> list[Attachment]:
    found: list[Attachment] = []
    if message.photo:
        found.append(
            Attachment("photo", content_type="image/jpeg", file_id=message.photo[-1].file_id)
        )
    if message.document is not None:
        doc = message.document
        found.append(Attachment("document", content_type=doc.mime_type, file_id=doc.file_id))
    for audio in (message.voice, message.audio):
        if audio is not None:
            found.append(Attachment("voice", content_type=audio.mime_type, file_id=audio.file_id))
    for video in (message.video, message.video_note):
        if video is not None:
            found.append(Attachment("video", content_type="video/mp4", file_id=video.file_id))
    if message.location is not None:
        place = message.location
        found.append(Attachment("location", url=f"geo:{place.latitude},{place.longitude}"))
    return found
