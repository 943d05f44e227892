"""The tables: workers, their conversations and every message in and out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.crypto import active_cipher

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EncryptedText(TypeDecorator[str]):
    """Text encrypted with the process's Fernet keys before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return active_cipher().encrypt(value) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return active_cipher().decrypt(value) if value is not None else None


class EncryptedJSON(TypeDecorator[Any]):
    """JSON encrypted as a whole (attachments, structured answers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return active_cipher().encrypt(json.dumps(value)) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return json.loads(active_cipher().decrypt(value)) if value is not None else None


class Base(DeclarativeBase):
    pass


class Worker(Base):
    """A person who wrote to the helpline on one channel."""

    __tablename__ = "workers"
    __table_args__ = (UniqueConstraint("channel", "channel_user_hash"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # A WhatsApp id is a phone number: stored encrypted, found by its keyed hash.
    channel_user_hash: Mapped[str] = mapped_column(String(64))
    channel_user_id: Mapped[str] = mapped_column(EncryptedText)
    language: Mapped[str | None] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(default=False)  # asked for, not detected
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Conversation(Base):
    """A worker's dialogue state; one row per worker, locked while a message is processed."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), unique=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Message(Base):
    """Every message in and out. Inbound rows are stored before they are processed."""

    __tablename__ = "messages"
    __table_args__ = (
        # A channel's repeated delivery of one message is recognised by this key.
        UniqueConstraint("worker_id", "direction", "channel_message_id"),
        Index("ix_messages_worker_status", "worker_id", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(EncryptedText)
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJSON)
    quick_replies: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    # in: "received" -> "processed"; out: "pending" -> "sent" | "failed"
    status: Mapped[str] = mapped_column(String(16))
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Event(Base):
    """Things the dialogue decided that other parts act on (a request for a person, ...)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
