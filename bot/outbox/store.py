"""The outbox's state, kept in the database so that several processes can share it.

An outbound message is claimed with a lease (status "sending", `lease_until`); a sender that
dies leaves the lease to expire and another claims the message again. Only a worker's oldest
unsent message can be claimed, so each worker's messages go out in order while different
workers are sent in parallel. On PostgreSQL the claim skips rows other processes hold
(`FOR UPDATE SKIP LOCKED`); on SQLite the single statement runs under the write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.messages import ChannelKind, QuickReply
from bot.outbox.types import Visible
from bot.storage.db import writing
from bot.storage.models import (
    Direction,
    Message,
    MessageStatus,
    Origin,
    VisibleMessage,
    Worker,
    utcnow,
)

UNSENT = (MessageStatus.PENDING, MessageStatus.SENDING)
DELIVERY: dict[str, int] = {
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
}  # later statuses never step back
REOPEN_TEXT = "(template: an officer has answered; reply to read it)"
# Channels that take free-form messages only for a while after the worker last wrote.
WINDOWS: dict[str, timedelta] = {ChannelKind.WHATSAPP: timedelta(hours=24)}
# Hold a little early rather than have the channel refuse the message at the edge.
WINDOW_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    worker_id: int
    channel: str
    to: str
    text: str
    quick_replies: tuple[QuickReply, ...]
    origin: str | None
    attempts: int  # including this one
    parts_sent: int
    last_inbound_at: datetime | None
    language: str | None = None
    template: dict[str, Any] | None = None  # Message.template


def _claim_statement(dialect: str) -> Any:
    """The claim as one statement: the due messages chosen and leased, with what sending needs
    (the worker's id on the channel, when they last wrote). Built once per dialect."""
    now = bindparam("now", type_=Message.lease_until.type)
    earlier = aliased(Message)
    blocked = exists().where(
        earlier.worker_id == Message.worker_id,
        earlier.direction == Direction.OUT,
        earlier.status.in_(UNSENT),
        earlier.id < Message.id,
    )
    due = or_(
        and_(
            Message.status == MessageStatus.PENDING,
            or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now),
        ),
        # A sender died holding it: its lease ran out.
        and_(Message.status == MessageStatus.SENDING, Message.lease_until < now),
    )
    candidates = (
        select(Message.id)
        .where(
            Message.direction == Direction.OUT,
            Message.channel.in_(bindparam("channels", expanding=True)),
            due,
            ~blocked,
        )
        .order_by(Message.id)
        .limit(bindparam("limit", type_=Integer))
    )
    claiming = update(Message)
    if dialect == "postgresql":
        # Chosen once, then claimed: inside an UPDATE's IN (...) PostgreSQL may run the
        # subquery again and claim more than `limit`; a materialized CTE runs once, and skips
        # the rows other processes hold.
        chosen = candidates.with_for_update(skip_locked=True).cte("chosen")
        chosen = chosen.prefix_with("MATERIALIZED")
        claiming = claiming.where(Message.id == chosen.c.id)
    else:
        # SQLite runs the uncorrelated IN (...) once, under the write lock the claim holds.
        claiming = claiming.where(Message.id.in_(candidates.scalar_subquery()))
    # Written out: SQLAlchemy renders SQLite's RETURNING without table names, which would
    # turn these correlated subqueries' conditions into ones on their own rows.
    to = literal_column(
        "(SELECT workers.channel_user_id FROM workers WHERE workers.id = messages.worker_id)",
        Worker.channel_user_id.type,
    )
    seen = literal_column(
        "(SELECT workers.last_seen_at FROM workers WHERE workers.id = messages.worker_id)",
        Worker.last_seen_at.type,
    )
    last_in = literal_column(
        "(SELECT max(inbound.received_at) FROM messages AS inbound"
        " WHERE inbound.worker_id = messages.worker_id"
        f" AND inbound.direction = '{Direction.IN.value}')",
        Message.received_at.type,
    )
    return (
        claiming.where(due)
        .values(
            status=MessageStatus.SENDING,
            lease_until=bindparam("lease_until", type_=Message.lease_until.type),
            attempts=Message.attempts + 1,
        )
        .returning(
            Message.id,
            Message.worker_id,
            Message.channel,
            Message.text,
            Message.quick_replies,
            Message.origin,
            Message.attempts,
            Message.parts_sent,
            Message.language,
            Message.template,
            to.label("to"),
            last_in.label("last_in"),
            seen.label("seen"),
        )
    )


_CLAIMS: dict[str, Any] = {}


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    channels: list[str],
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    within: Callable[[AsyncSession, list[Claimed]], Awaitable[None]] | None = None,
    sent: Sequence[Done] = (),
) -> list[Claimed]:
    """Claim up to `limit` due messages, at most one per worker, each the worker's oldest unsent.

    One statement; `within` runs in its transaction with what was claimed (the pacers' slots).
    `sent`: messages the channels accepted, marked sent first in the same transaction (the
    places they free are what is claimed).
    """
    if not sent and (not channels or limit <= 0):
        return []
    async with writing(sessions), sessions.begin() as session:
        connection = await session.connection()
        if sent:
            await _record_sent(connection, sent)
        if not channels or limit <= 0:
            return []
        dialect = connection.dialect.name
        statement = _CLAIMS.get(dialect)
        if statement is None:
            statement = _CLAIMS[dialect] = _claim_statement(dialect)
        rows = (
            await connection.execute(
                statement,
                {
                    "now": now,
                    "channels": channels,
                    "limit": limit,
                    "lease_until": now + lease,
                },
            )
        ).all()
        claimed = [
            Claimed(
                id=row.id,
                worker_id=row.worker_id,
                channel=row.channel,
                to=row.to,
                text=row.text,
                quick_replies=tuple(
                    QuickReply(q["title"], q["payload"]) for q in row.quick_replies or ()
                ),
                origin=row.origin,
                attempts=row.attempts,
                parts_sent=row.parts_sent,
                last_inbound_at=_later(row.last_in, row.seen),
                language=row.language,
                template=row.template,
            )
            for row in sorted(rows, key=lambda r: r.id)
        ]
        if claimed and within is not None:
            await within(session, claimed)
    return claimed


def _later(received: datetime | str | None, seen: datetime | None) -> datetime | None:
    """When the worker last wrote: their newest message, or when last seen if it was deleted."""
    last = _aware(received) if received is not None else None
    if seen is not None and (last is None or seen > last):
        return seen
    return last


async def renew(
    sessions: async_sessionmaker[AsyncSession], message_ids: list[int], *, until: datetime
) -> None:
    """The sender is still at it: its leases on these messages last until `until`."""
    async with writing(sessions), sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.status == MessageStatus.SENDING)
            .values(lease_until=until)
        )


async def record_part(
    sessions: async_sessionmaker[AsyncSession],
    message_id: int,
    worker_id: int,
    part: int,
    channel_id: str,
    *,
    now: datetime,
) -> None:
    async with writing(sessions), sessions.begin() as session:
        connection = await session.connection()
        await connection.execute(
            update(_MESSAGES)
            .where(_MESSAGES.c.id == message_id)
            .values(parts_sent=part + 1, channel_message_id=channel_id)
        )
        await connection.execute(
            _visible_insert(connection.dialect.name),
            [_visible(message_id, channel_id, now)],
        )


@dataclass(frozen=True, slots=True)
class Done:
    """A message the channel accepted: what `mark_sent` records."""

    message_id: int
    worker_id: int
    channel_id: str | None  # the channel's id for it (the last part's), if it gives one
    at: datetime
    cleared: tuple[str, ...] = ()  # "clear_chat": the visible messages it deleted


_MESSAGES = cast(Table, Message.__table__)
_VISIBLE = cast(Table, VisibleMessage.__table__)
_SENDING = _MESSAGES.c.status == MessageStatus.SENDING
# One row's "sent", run for many rows at once (executemany). A status callback may already
# have said "delivered": the status never steps back.
_MARK_SENT = (
    update(_MESSAGES)
    .where(_MESSAGES.c.id == bindparam("b_id"))
    .values(
        sent_at=bindparam("b_at", type_=Message.sent_at.type),
        lease_until=null(),
        error=null(),
        channel_message_id=func.coalesce(
            bindparam("b_channel_id", type_=String), _MESSAGES.c.channel_message_id
        ),
        status=case((_SENDING, MessageStatus.SENT.value), else_=_MESSAGES.c.status),
        status_at=case(
            (_SENDING, bindparam("b_at", type_=Message.sent_at.type)),
            else_=_MESSAGES.c.status_at,
        ),
    )
)
_VISIBLE_INSERTS: dict[str, Any] = {}


def _visible_insert(dialect: str) -> Any:
    """The channel accepted a message: it is in the worker's chat under this id (once). Run
    for many at once; nothing for a message deleted meanwhile (the worker's data erased)."""
    statement = _VISIBLE_INSERTS.get(dialect)
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        source = select(
            _MESSAGES.c.worker_id,
            _MESSAGES.c.id,
            bindparam("b_visible_id", type_=String),
            bindparam("b_at", type_=VisibleMessage.sent_at.type),
        ).where(_MESSAGES.c.id == bindparam("b_id"))
        statement = (
            insert(_VISIBLE)
            .from_select(["worker_id", "message_id", "visible_id", "sent_at"], source)
            .on_conflict_do_nothing()
        )
        _VISIBLE_INSERTS[dialect] = statement
    return statement


def _visible(message_id: int, visible_id: str, now: datetime) -> dict[str, Any]:
    return {"b_id": message_id, "b_visible_id": visible_id, "b_at": now}


async def mark_sent(sessions: async_sessionmaker[AsyncSession], done: Sequence[Done]) -> None:
    """Sent, each of them, in one transaction; a "clear_chat"'s deleted visible messages too."""
    if not done:
        return
    async with writing(sessions), sessions.begin() as session:
        await _record_sent(await session.connection(), done)


async def _record_sent(connection: AsyncConnection, done: Sequence[Done]) -> None:
    for item in done:
        if item.cleared:
            await connection.execute(
                update(VisibleMessage)
                .where(
                    VisibleMessage.worker_id == item.worker_id,
                    VisibleMessage.visible_id.in_(item.cleared),
                    VisibleMessage.deleted_at.is_(None),
                )
                .values(deleted_at=item.at)
            )
    visible = [
        _visible(item.message_id, item.channel_id, item.at)
        for item in done
        if item.channel_id is not None
    ]
    if visible:
        await connection.execute(_visible_insert(connection.dialect.name), visible)
    await connection.execute(
        _MARK_SENT,
        [
            {"b_id": item.message_id, "b_at": item.at, "b_channel_id": item.channel_id}
            for item in done
        ],
    )


async def still_visible(
    sessions: async_sessionmaker[AsyncSession], worker_id: int
) -> tuple[Visible, ...]:
    """What is still in the worker's chat, as far as we know: not yet deleted, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            select(VisibleMessage.visible_id, VisibleMessage.sent_at)
            .where(VisibleMessage.worker_id == worker_id, VisibleMessage.deleted_at.is_(None))
            .order_by(VisibleMessage.id)
        )
        return tuple(Visible(row.visible_id, _aware(row.sent_at)) for row in rows)


async def mark_retry(
    sessions: async_sessionmaker[AsyncSession],
    message_id: int,
    *,
    at: datetime,
    reason: str,
    refund: bool = False,
) -> None:
    """Back to pending until `at`; `refund` does not count the attempt (the channel paced us)."""
    values: dict[str, Any] = {
        "status": MessageStatus.PENDING,
        "next_attempt_at": at,
        "lease_until": None,
        "error": reason[:255],
    }
    if refund:
        values["attempts"] = Message.attempts - 1
    async with writing(sessions), sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.SENDING)
            .values(**values)
        )


async def mark_failed(
    sessions: async_sessionmaker[AsyncSession], message_id: int, *, reason: str, now: datetime
) -> None:
    async with writing(sessions), sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.SENDING)
            .values(
                status=MessageStatus.FAILED, lease_until=None, error=reason[:255], status_at=now
            )
        )


async def hold(session: AsyncSession, message_id: int, *, now: datetime) -> None:
    """The window is closed: keep the message until the worker writes, and invite them back."""
    message = await session.get(Message, message_id)
    if message is None:
        return
    message.status = MessageStatus.HELD
    message.lease_until = None
    message.status_at = now
    await ensure_reopen(session, message.worker_id, message.channel, now=now)


async def ensure_reopen(
    session: AsyncSession, worker_id: int, channel: str, *, now: datetime
) -> None:
    """One invitation (template) per closed window: none if one is already on its way."""
    last_in = (await _last_inbound(session, {worker_id})).get(worker_id)
    query = select(Message.id).where(
        Message.worker_id == worker_id,
        Message.direction == Direction.OUT,
        Message.origin == Origin.REOPEN,
        Message.status.not_in((MessageStatus.FAILED, MessageStatus.UNDELIVERED)),
    )
    if last_in is not None:
        query = query.where(Message.created_at >= last_in)
    if await session.scalar(query.limit(1)) is not None:
        return
    session.add(
        Message(
            worker_id=worker_id,
            direction=Direction.OUT,
            channel=channel,
            text=REOPEN_TEXT,
            status=MessageStatus.PENDING,
            origin=Origin.REOPEN,
            created_at=now,
        )
    )
    await session.flush()


async def release_held(session: AsyncSession, worker_id: int) -> int:
    """The worker wrote: their held messages go out (before the replies to what they wrote)."""
    result = await session.execute(
        update(Message)
        .where(
            Message.worker_id == worker_id,
            Message.direction == Direction.OUT,
            Message.status == MessageStatus.HELD,
        )
        .values(status=MessageStatus.PENDING, next_attempt_at=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def window_closed(channel: str, last_inbound_at: datetime | None, now: datetime) -> bool:
    window = WINDOWS.get(channel)
    if window is None:
        return False
    return last_inbound_at is None or now - last_inbound_at >= window - WINDOW_MARGIN


async def enqueue(
    session: AsyncSession,
    worker_id: int,
    text: str,
    *,
    origin: str | None = Origin.OFFICER,
    now: datetime | None = None,
) -> Message:
    """Send `text` to the worker on their channel; returns the stored outbound message.

    Runs in the caller's transaction. On WhatsApp after the 24-hour window the message is held
    and an approved template invites the worker back; the held message goes when they answer.
    """
    now = now or utcnow()
    worker = await session.get_one(Worker, worker_id)
    last_in = (await _last_inbound(session, {worker_id})).get(worker_id)
    closed = window_closed(worker.channel, last_in, now)
    message = Message(
        worker_id=worker_id,
        direction=Direction.OUT,
        channel=worker.channel,
        text=text,
        status=MessageStatus.HELD if closed else MessageStatus.PENDING,
        origin=origin,
        language=worker.language,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    if closed:
        await ensure_reopen(session, worker_id, worker.channel, now=now)
    return message


async def record_status(
    session: AsyncSession,
    *,
    message_id: int | None,
    channel_message_id: str | None,
    status: str,
    error: str | None,
    now: datetime,
    window_error: bool = False,
) -> bool:
    """A channel's delivery report (Twilio's status callback); False if the message is unknown."""
    message: Message | None = None
    if message_id is not None:
        message = await session.get(Message, message_id, with_for_update=True)
    if message is None and channel_message_id:
        message = await session.scalar(
            select(Message)
            .where(
                Message.direction == Direction.OUT, Message.channel_message_id == channel_message_id
            )
            .with_for_update()
        )
    if message is None or message.direction != Direction.OUT:
        return False
    if (
        window_error
        and message.origin != Origin.REOPEN
        and message.template is None
        and message.status != MessageStatus.READ
    ):
        await hold(session, message.id, now=now)
        return True
    if status in DELIVERY:
        # Reports on the earlier parts of a long message do not speak for the whole.
        if message.channel_message_id and channel_message_id != message.channel_message_id:
            return True
        if message.status in DELIVERY and DELIVERY[status] <= DELIVERY[message.status]:
            return True
        if message.status == MessageStatus.HELD:
            return True
        message.status = status
        message.status_at = now
        message.error = None
        message.lease_until = None
        if message.channel_message_id is None:
            message.channel_message_id = channel_message_id
    elif status in (MessageStatus.FAILED, MessageStatus.UNDELIVERED):
        if message.status == MessageStatus.READ:
            return True
        message.status = status
        message.status_at = now
        message.error = error
        message.lease_until = None
    return True


async def latest_options(
    sessions: async_sessionmaker[AsyncSession], channel: str, user_hash: str
) -> tuple[str, tuple[QuickReply, ...]] | None:
    """The text and options of the last message sent to the worker, if it offered options."""
    async with sessions() as session:
        row = (
            await session.execute(
                select(Message.text, Message.quick_replies)
                .join(Worker, Worker.id == Message.worker_id)
                .where(
                    Worker.channel == channel,
                    Worker.channel_user_hash == user_hash,
                    Message.direction == Direction.OUT,
                    Message.status.in_(tuple(DELIVERY)),
                )
                .order_by(Message.id.desc())
                .limit(1)
            )
        ).first()
    if row is None or not row.quick_replies:
        return None
    return row.text, tuple(QuickReply(q["title"], q["payload"]) for q in row.quick_replies)


async def acknowledge(sessions: async_sessionmaker[AsyncSession], message_id: int) -> bool:
    """Mark a stored inbound message processed without answering it (a template's button)."""
    async with writing(sessions), sessions.begin() as session:
        result = await session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status == MessageStatus.RECEIVED)
            .values(status=MessageStatus.PROCESSED)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _last_inbound(session: AsyncSession, worker_ids: set[int]) -> dict[int, datetime]:
    """When each worker last wrote (their newest message, or when last seen if it was deleted)."""
    rows = await session.execute(
        select(Message.worker_id, func.max(Message.received_at))
        .where(Message.worker_id.in_(worker_ids), Message.direction == Direction.IN)
        .group_by(Message.worker_id)
    )
    found: dict[int, datetime] = {w: _aware(at) for w, at in rows if at is not None}
    for worker_id, seen in await session.execute(
        select(Worker.id, Worker.last_seen_at).where(Worker.id.in_(worker_ids))
    ):
        if seen is not None and (worker_id not in found or seen > found[worker_id]):
            found[worker_id] = seen
    return found


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
