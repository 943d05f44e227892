"""The tables: workers, their conversations and every message in and out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.crypto import cipher_of

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
    """Text encrypted with the database engine's Fernet keys before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return cipher_of(dialect).encrypt(value) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return cipher_of(dialect).decrypt(value) if value is not None else None


class EncryptedJSON(TypeDecorator[Any]):
    """JSON encrypted as a whole (attachments, structured answers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return cipher_of(dialect).encrypt(json.dumps(value)) if value is not None else None

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return json.loads(cipher_of(dialect).decrypt(value)) if value is not None else None


class EncryptedBytes(TypeDecorator[bytes]):
    """Files (evidence) encrypted with the database engine's Fernet keys."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return cipher_of(dialect).encrypt_bytes(value) if value is not None else None

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return cipher_of(dialect).decrypt_bytes(bytes(value)) if value is not None else None


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageStatus(StrEnum):
    """in: RECEIVED -> PROCESSED, or PARKED when processing kept failing (bot/retry.py); out
    (see bot/outbox): PENDING -> SENDING -> SENT -> DELIVERED -> READ, or FAILED | UNDELIVERED;
    HELD waits for the worker to write."""

    RECEIVED = "received"
    PROCESSED = "processed"
    PARKED = "parked"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    HELD = "held"


class Origin(StrEnum):
    """Who wrote an outbound message, or what it tells the channel to do; None: the bot."""

    OFFICER = "officer"
    REOPEN = "reopen"  # WhatsApp's approved template that invites the worker back
    CLEAR_CHAT = "clear_chat"  # the bot's Action.CLEAR_CHAT, carried out by the outbox
    WAITING = "waiting"  # the notice that a message reached the officer (bot/cases/waiting.py)
    PRIVATE = "private"  # the bot's words for the worker only (Reply.private): officers see none
    AWARENESS = "awareness"  # an editor's tip or warning to opted-in workers (bot/awareness)


class EvidenceStatus(StrEnum):
    PENDING = "pending"
    STORED = "stored"
    FAILED = "failed"


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
    # Awareness messages (bot/awareness): when the worker asked for them on this channel;
    # None: never, or they opted out. Every change is in the audit log too.
    awareness_since: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Conversation(Base):
    """A worker's dialogue state; one row per worker, locked while a message is processed."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int] = mapped_column(
        ForeignKey("workers.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A complaint in progress holds what the worker told us: kept apart from `state`, encrypted.
    flow: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Message(Base):
    """Every message in and out. Inbound rows are stored before they are processed."""

    __tablename__ = "messages"
    __table_args__ = (
        # A channel's repeated delivery of one message is recognised by this key.
        UniqueConstraint("worker_id", "direction", "channel_message_id"),
        Index("ix_messages_worker_status", "worker_id", "direction", "status"),
        Index("ix_messages_outbox", "direction", "status", "id"),
        Index("ix_messages_channel_message_id", "channel_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # a Direction
    channel: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(EncryptedText)
    attachments: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJSON)
    quick_replies: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # a MessageStatus
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Outbound delivery (bot/outbox): who wrote it, and the sender's bookkeeping; inbound, the
    # same columns count processing attempts (bot/retry.py).
    origin: Mapped[str | None] = mapped_column(String(16))  # an Origin; None: the bot
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)  # claimed by a sender
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(255))  # codes only, never personal data
    # An approved channel template to send instead of `text` (WhatsApp: {"sid": ContentSid,
    # "variables": {"1": ...}}); `text` keeps what the worker reads, for the records.
    template: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class VisibleMessage(Base):
    """A message as it shows in the worker's chat app, by the channel's own id for it.

    What "delete this chat" deletes from the worker's screen. It outlives the message row
    (deleting the worker's data must not stop them clearing their screen afterwards).
    """

    __tablename__ = "visible_messages"
    __table_args__ = (
        UniqueConstraint("worker_id", "visible_id"),
        Index("ix_visible_messages_worker", "worker_id", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    visible_id: Mapped[str] = mapped_column(String(128))  # Telegram's message_id in the chat
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the channel's limits count from it
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Evidence(Base):
    """A file or location a worker sent, fetched from the channel and kept encrypted."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("message_id", "position"),
        Index("ix_evidence_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # whose credentials fetch it
    position: Mapped[int] = mapped_column(Integer)  # the attachment's place in the message
    kind: Mapped[str] = mapped_column(String(16))  # "photo" | "document" | "voice" | ...
    content_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(EncryptedBytes)
    status: Mapped[str] = mapped_column(String(16))  # an EvidenceStatus: PENDING -> STORED | FAILED
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Event(Base):
    """Things the dialogue decided that other parts act on (a request for a person, ...)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# Cases, staff and the audit log (bot/cases, bot/staff, bot/dashboard) ----------------------


class Staff(Base):
    """A person who works the case desk: officer, supervisor, editor or admin."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until they set one
    role: Mapped[str] = mapped_column(String(16))  # "officer" | "supervisor" | "editor" | "admin"
    organisation: Mapped[str | None] = mapped_column(String(64))  # an id in organisations.yml
    on_duty: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # The dashboard's language ("id" | "en"); None: not chosen yet (the desk's default).
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A signed-in browser; the cookie holds the token, the table only its hash."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffToken(Base):
    """A one-time link: the first administrator's setup, or a new account's password."""

    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "setup" | "password"
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Case(Base):
    """A worker's problem in an organisation's queue, from opening to closing."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_worker_status", "worker_id", "status"),
        Index("ix_cases_organisation_status", "organisation", "status"),
        Index("ix_cases_queue_status", "queue", "status"),
        Index("ix_cases_status_closed_at", "status", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))  # "complaint" | "talk_to_human" | "emergency"
    category: Mapped[str | None] = mapped_column(String(64))  # an intent; None: not named
    country: Mapped[str | None] = mapped_column(String(2))
    priority: Mapped[str] = mapped_column(String(8))  # "urgent" | "normal"
    # "new" | "in_progress" | "waiting" | "referred" | "resolved" | "closed"
    status: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(64))
    routed_by: Mapped[str | None] = mapped_column(String(120))  # the routing rule's name
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # While set, the bot stays quiet (except the emergency reply) and this officer answers.
    chat_held_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    record: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)  # the structured complaint
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)  # entered its queue
    first_human_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # flagged past time limit
    # Urgency (bot/cases/escalation.py): since when, when an officer took it up after that,
    # and when the supervisors were told that nobody had.
    urgent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    urgent_taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    unclaimed_alerted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Closed longer than HELPLINE_RETENTION_DAYS: the worker's data removed, the counts kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CaseAccess(Base):
    """Another organisation that may see a case: it was transferred from them, or shared."""

    __tablename__ = "case_access"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))  # "transfer" | "share"
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseNote(Base):
    """A note the worker never sees (also the note that goes with a transfer or a referral).

    Internal notes are read only by the author's organisation; `shared` ones by every
    organisation that holds the case."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # "note" | "transfer" | "share" | "referral" | "close"
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    organisation: Mapped[str | None] = mapped_column(String(64))  # the author's, when written
    shared: Mapped[bool] = mapped_column(default=False, server_default=false())


class Referral(Base):
    """A case offered to another organisation, which accepts it into its queue or declines."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_to_status", "to_organisation", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_organisation: Mapped[str] = mapped_column(String(64))
    to_organisation: Mapped[str] = mapped_column(String(64))
    to_queue: Mapped[str] = mapped_column(String(64))
    referred_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # a ReferralStatus
    previous_status: Mapped[str] = mapped_column(String(16))  # the case's, restored if declined
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(EncryptedText)  # why it was declined


class DigestRun(Base):
    """An organisation's daily digest, sent for that local day (at most one a day)."""

    __tablename__ = "digest_runs"

    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the organisation's zone
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseMessage(Base):
    """Which officer wrote an outbound message, on which case."""

    __tablename__ = "case_messages"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))


class AuditEntry(Base):
    """Every view and change of a case, and every change of an account. No personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StaffNotification(Base):
    """Something an officer should look at: a new urgent case, an overdue one, an assignment."""

    __tablename__ = "staff_notifications"
    __table_args__ = (Index("ix_staff_notifications_staff", "staff_id", "read_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # "urgent" | "overdue" | "assigned" | ...
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffChatMessage(Base):
    """A text for a staff group chat (Telegram), kept until the chat accepted it.

    Only a reference, a category, a country and a link: never what a worker wrote."""

    __tablename__ = "staff_chat_messages"
    __table_args__ = (Index("ix_staff_chat_messages_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # "pending" | "sending" | "sent" | "failed"
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ScheduledJob(Base):
    """A job that runs on a schedule once across every process (bot/jobs.py claims the row)."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # ever, everywhere


class Lease(Base):
    """One process at a time does what the row names, until `expires_at` (bot/leases.py);
    `value` is what the holder last did (the Telegram webhook's fingerprint)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    value: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SendPace(Base):
    """A channel's sends paced across processes (bot/outbox/sender.py SharedPacer): the next
    free slot and the end of a pause the channel asked for, in seconds since the epoch."""

    __tablename__ = "send_pace"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)
    paused_until: Mapped[float] = mapped_column(Float)


class LoginThrottle(Base):
    """Sign-in attempts from one address or on one account (bot/dashboard/throttle.py).

    `key` is a keyed hash of "address:..." or "account:...", never the address itself."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)  # in the window, counted before checking
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the next may go at
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AwarenessDelivery(Base):
    """One awareness message (flows/awareness/) for one worker: queued once, or skipped.

    The unique key makes the job idempotent: re-runs and other processes insert nothing twice."""

    __tablename__ = "awareness_deliveries"
    __table_args__ = (
        UniqueConstraint("awareness_id", "worker_id"),
        Index("ix_awareness_deliveries_awareness", "awareness_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    awareness_id: Mapped[str] = mapped_column(String(64))  # the message's id in flows/awareness/
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    # The outbound message; None when skipped (no WhatsApp template for the worker's language).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # "queued" | "no_template"
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ContentPublication(Base):
    """A content file an editor published from the dashboard (bot/content/publishing.py).

    The newest id is the content's version: every process reloads when it sees a newer one.
    `text` is the file as published, so that what went live can always be shown again."""

    __tablename__ = "content_publications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    path: Mapped[str] = mapped_column(String(200))  # flows/answers/wages_unpaid.yml
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# Learning from use (bot/learning) -----------------------------------------------------------


class LearningStatus(StrEnum):
    NEW = "new"
    LABELLED = "labelled"
    DISMISSED = "dismissed"


class Unrecognised(Base):
    """A message the bot did not understand, scrubbed of personal data (bot/learning/scrub.py),
    for editors to label. No link to the worker or the message; the raw text is never kept.
    Deleted after the retention period (bot/cases/retention.py)."""

    __tablename__ = "unrecognised"
    __table_args__ = (Index("ix_unrecognised_status_fingerprint", "status", "fingerprint"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    text: Mapped[str] = mapped_column(EncryptedText)  # scrubbed
    fingerprint: Mapped[str] = mapped_column(String(64))  # keyed hash of the scrubbed text
    language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16))  # "unclear" | "out_of_scope"
    guess: Mapped[str | None] = mapped_column(String(64))  # the classifier's best intent
    confidence: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16), default=LearningStatus.NEW)
    intent: Mapped[str | None] = mapped_column(String(64))  # the editor's label
    labelled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    labelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
