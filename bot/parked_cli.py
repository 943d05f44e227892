"""`helpline parked list|retry`: inbound messages set aside after processing kept failing.

Lists them without what they say (id, channel, when, attempts, the error's name); `retry`
puts one back (after a fix) for the running server's sweep to process (bot/retry.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from sqlalchemy import select, update

from bot.cases.audit import audit
from bot.cases.cli import open_store, settings_or_exit
from bot.storage.models import Direction, Message, MessageStatus

parked_app = typer.Typer(
    help="Messages the bot could not process (no personal data).", no_args_is_help=True
)
FIELDS = ("id", "channel", "received_at", "attempts", "error")


@parked_app.command("list")
def list_parked(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Parked messages, oldest first."""

    async def go() -> list[dict[str, Any]]:
        async with open_store(settings_or_exit()) as store, store.sessions() as session:
            rows = await session.execute(
                select(
                    Message.id,
                    Message.channel,
                    Message.received_at,
                    Message.attempts,
                    Message.error,
                )
                .where(Message.direction == Direction.IN, Message.status == MessageStatus.PARKED)
                .order_by(Message.id)
            )
            return [
                {
                    "id": r.id,
                    "channel": r.channel,
                    "received_at": r.received_at.isoformat() if r.received_at else None,
                    "attempts": r.attempts,
                    "error": r.error,
                }
                for r in rows
            ]

    rows = asyncio.run(go())
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    for row in rows:
        typer.echo("  ".join(str(row[f] if row[f] is not None else "-") for f in FIELDS))
    typer.echo(f"{len(rows)} parked message(s)")


@parked_app.command("retry")
def retry_parked(message_id: int) -> None:
    """Put a parked message back: the running server processes it within seconds."""

    async def go() -> bool:
        async with open_store(settings_or_exit()) as store, store.sessions.begin() as session:
            result = await session.execute(
                update(Message)
                .where(
                    Message.id == message_id,
                    Message.direction == Direction.IN,
                    Message.status == MessageStatus.PARKED,
                )
                .values(status=MessageStatus.RECEIVED, attempts=0, next_attempt_at=None, error=None)
            )
            done = bool(result.rowcount)  # type: ignore[attr-defined]
            if done:
                audit(session, "cli_retried", staff_id=None, message=message_id)
            return done

    if not asyncio.run(go()):
        typer.echo(f"no parked message {message_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"message {message_id} will be processed again")
