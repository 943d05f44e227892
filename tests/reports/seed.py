"""Cases and conversations for report tests, full of personal data that no export may show:
distinctive names, phone numbers, passport numbers and free text in every field that holds any
(the worker's id, messages, the complaint's record, notes, a referral's reason)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.status import Outcome, Status
from bot.storage.models import Case, CaseNote, Direction, Message, Referral, Worker

# What must never appear in an export (checked case-insensitively).
NAME = "Siti Wulandari Kusumawardhani"
EMPLOYER = "Mr Tan Boon Huat"
PHONE = "+6281298765432"
PASSPORT = "X9183746"
FREE_TEXT = "majikan mengunci saya di gudang belakang rumah"
SECRETS = (NAME, EMPLOYER, PHONE, PASSPORT, FREE_TEXT, "6281298765432", "Wulandari")
_NUMBERS = itertools.count(1)


@dataclass
class Spec:
    """One case to seed: where it is, what it is about, how long the desk took (minutes)."""

    organisation: str = "migrantcare"
    category: str | None = "wages_unpaid"
    country: str | None = "MY"
    opened: datetime = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
    first_reply: float | None = None
    closed: float | None = None  # minutes after opening; None: still open
    outcome: str = Outcome.RESOLVED
    status: str = Status.NEW
    intents: tuple[str | None, ...] = field(default=("greet",))  # what the worker's messages were


def _queue(organisation: str) -> str:
    return {
        "migrantcare": "migrantcare-casework",
        "sbmi": "sbmi-paralegal",
        "jbmi": "jbmi-paralegal",
        "kbri-kuala-lumpur": "kbri-kl-protection",
    }[organisation]


async def worker(
    session: AsyncSession, intents: tuple[str | None, ...], when: datetime, country: str | None
) -> Worker:
    """A worker whose messages were read as `intents`, each message full of personal data."""
    n = next(_NUMBERS)
    person = Worker(
        channel="whatsapp",
        channel_user_hash=f"hash-{n}",
        channel_user_id=f"whatsapp:{PHONE}{n}",
        language="id",
        country=country,
        created_at=when,
    )
    session.add(person)
    await session.flush()
    for i, intent in enumerate(intents):
        session.add(
            Message(
                worker_id=person.id,
                direction=Direction.IN,
                channel="whatsapp",
                channel_message_id=f"m-{n}-{i}",
                text=f"Saya {NAME}, paspor {PASSPORT}, hp {PHONE}: {FREE_TEXT} ({EMPLOYER})",
                status="processed",
                intent=intent,
                confidence=0.9,
                created_at=when + timedelta(minutes=i),
            )
        )
    return person


async def case(session: AsyncSession, spec: Spec) -> Case:
    person = await worker(session, spec.intents, spec.opened, spec.country)
    n = next(_NUMBERS)
    closed = spec.closed is not None
    found = Case(
        reference=f"HL-T{n:05d}",
        worker_id=person.id,
        source="complaint",
        category=spec.category,
        country=spec.country,
        priority="normal",
        status=Status.CLOSED if closed else spec.status,
        organisation=spec.organisation,
        queue=_queue(spec.organisation),
        routed_by=f"rule for {NAME}",
        record={"name": NAME, "passport": PASSPORT, "phone": PHONE, "story": FREE_TEXT},
        outcome=spec.outcome if closed else None,
        created_at=spec.opened,
        updated_at=spec.opened,
        queued_at=spec.opened,
        first_human_reply_at=(
            spec.opened + timedelta(minutes=spec.first_reply)
            if spec.first_reply is not None
            else None
        ),
        closed_at=spec.opened + timedelta(minutes=spec.closed) if spec.closed is not None else None,
    )
    session.add(found)
    await session.flush()
    session.add(CaseNote(case_id=found.id, kind="note", text=f"{NAME} {PHONE} {FREE_TEXT}"))
    session.add(
        Referral(
            case_id=found.id,
            from_organisation=spec.organisation,
            to_organisation="sbmi",
            to_queue="sbmi-paralegal",
            status="declined",
            previous_status="new",
            reason=f"declined: {EMPLOYER} {PASSPORT}",
        )
    )
    return found


async def cases(session: AsyncSession, specs: list[Spec]) -> None:
    for spec in specs:
        await case(session, spec)
