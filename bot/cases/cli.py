"""`helpline cases list|show`: cases without personal data, for scripts and reports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cases.audit import audit
from bot.cases.contact import call_advice
from bot.cases.directory import Directory
from bot.cases.queries import find_case
from bot.cases.status import Status
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.models import Case, CaseNote, Message

cases_app = typer.Typer(help="Cases: list and show (no personal data).", no_args_is_help=True)
FIELDS = (
    "reference",
    "status",
    "organisation",
    "queue",
    "category",
    "priority",
    "country",
    "source",
    "outcome",
    "created_at",
    "first_human_reply_at",
    "closed_at",
)


@dataclass
class Store:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    directory: Directory


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[Store]:
    """The runtime's database (migrated) and organisations; these commands answer no worker,
    so they skip loading the NLU."""
    from bot.runtime import WITHOUT_NLU, build

    runtime = await build(settings, nlu=WITHOUT_NLU)
    try:
        yield Store(settings, runtime.sessions, runtime.desk.directory)
    finally:
        await runtime.close()


def case_row(case: Case) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(case, name)
        row[name] = value.isoformat() if isinstance(value, datetime) else value
    return row


@cases_app.command("list")
def list_cases(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    closed: Annotated[bool, typer.Option("--closed/--open", help="Closed or open cases.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Open and closed.")] = False,
    organisation: Annotated[str | None, typer.Option(help="Only this organisation's.")] = None,
) -> None:
    """Cases with reference, status, organisation, queue, category, priority, country, times."""

    async def go() -> list[dict[str, Any]]:
        async with open_store(settings_or_exit()) as store, store.sessions.begin() as session:
            query = select(Case).order_by(Case.id)
            if not all_:
                query = query.where(
                    Case.status == Status.CLOSED if closed else Case.status != Status.CLOSED
                )
            if organisation:
                query = query.where(Case.organisation == organisation)
            rows = [case_row(c) for c in (await session.scalars(query)).all()]
            audit(session, "cli_listed", staff_id=None, cases=len(rows))
            return rows

    rows = asyncio.run(go())
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    header = (
        "reference",
        "status",
        "priority",
        "organisation",
        "queue",
        "category",
        "country",
        "created_at",
    )
    widths = [max([len(h)] + [len(str(r[h] or "-")[:19]) for r in rows]) for h in header]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        cells = (str(row[h] or "-")[:19] for h in header)
        typer.echo("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    typer.echo(f"{len(rows)} case(s)")


@cases_app.command("show")
def show_case(
    reference: str,
    as_json: Annotated[bool, typer.Option("--json", help="As one JSON object.")] = False,
) -> None:
    """One case: its fields and how many messages and notes it has (not what they say)."""

    async def go() -> dict[str, Any] | None:
        async with open_store(settings_or_exit()) as store, store.sessions.begin() as session:
            case = await find_case(session, reference)
            if case is None:
                return None
            row = case_row(case)
            row["organisation_name"] = store.directory.organisation_name(case.organisation)
            row["queue_name"] = store.directory.queue_name(case.queue)
            # The call advice first, as on the dashboard; the worker's own words stay out.
            advice = call_advice(case.record, words=False)
            row = {
                "reference": row.pop("reference"),
                "call": advice.text if advice else None,
                **row,
            }
            row["routed_by"] = case.routed_by
            row["messages"] = (
                await session.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.worker_id == case.worker_id)
                )
                if case.worker_id is not None
                else 0
            )
            row["notes"] = await session.scalar(
                select(func.count()).select_from(CaseNote).where(CaseNote.case_id == case.id)
            )
            audit(session, "cli_shown", staff_id=None, case_id=case.id)
            return row

    row = asyncio.run(go())
    if row is None:
        typer.echo(f"no case {reference}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    for key, value in row.items():
        typer.echo(f"{key:22} {'-' if value is None else value}")
