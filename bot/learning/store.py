"""Keeping, listing, labelling and exporting the messages the bot did not understand.

Only the scrubbed text is stored (bot/learning/scrub.py), encrypted, with a keyed hash of it
that groups repeats; nothing links a row to the worker or their message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.learning.scrub import PLACEHOLDERS, Scrubber
from bot.nlu.normalize import normalize
from bot.storage.crypto import Cipher
from bot.storage.models import LearningStatus, Unrecognised, utcnow

MAX_CHARS = 300  # longer messages are rarely one intent; their start is enough to label
LEARNED = "learned.yml"  # nlu_data/<lang>/learned.yml


class Recorder:
    """What the engine calls for a message it did not understand."""

    def __init__(self, scrubber: Scrubber, cipher: Cipher) -> None:
        self.scrubber = scrubber
        self.cipher = cipher

    def record(
        self,
        session: AsyncSession,
        text: str,
        *,
        language: str | None,
        reason: str,
        guess: str | None,
        confidence: float | None,
    ) -> Unrecognised | None:
        scrubbed = self.scrubber.scrub(text[:MAX_CHARS])
        if not _has_words(scrubbed):
            return None  # nothing left to learn from ("<phone>", "?", a sticker)
        row = Unrecognised(
            text=scrubbed,
            fingerprint=self.cipher.lookup_hash(normalize(scrubbed)),
            language=language,
            reason=reason,
            guess=guess,
            confidence=confidence,
            status=LearningStatus.NEW,
        )
        session.add(row)
        return row


def _has_words(text: str) -> bool:
    for mark in PLACEHOLDERS:
        text = text.replace(mark, " ")
    return any(ch.isalpha() for ch in text)


@dataclass(frozen=True)
class Group:
    """Repeats of one scrubbed message, waiting for a label."""

    fingerprint: str
    text: str
    language: str | None
    count: int
    guess: str | None
    first: datetime
    last: datetime


async def waiting(session: AsyncSession, limit: int = 100) -> list[Group]:
    """Unlabelled messages, repeats counted, the most frequent first."""
    rows = (
        await session.execute(
            select(
                Unrecognised.fingerprint,
                func.count(),
                func.min(Unrecognised.id),
                func.min(Unrecognised.created_at),
                func.max(Unrecognised.created_at),
            )
            .where(Unrecognised.status == LearningStatus.NEW)
            .group_by(Unrecognised.fingerprint)
            .order_by(func.count().desc(), func.max(Unrecognised.created_at).desc())
            .limit(limit)
        )
    ).all()
    groups = []
    for fingerprint, count, first_id, first, last in rows:
        sample = await session.get_one(Unrecognised, first_id)
        groups.append(
            Group(fingerprint, sample.text, sample.language, count, sample.guess, first, last)
        )
    return groups


async def label(session: AsyncSession, fingerprint: str, intent: str | None, staff_id: int) -> int:
    """Every waiting repeat gets the intent (None: dismissed); how many rows changed."""
    status = LearningStatus.LABELLED if intent else LearningStatus.DISMISSED
    result = await session.execute(
        update(Unrecognised)
        .where(Unrecognised.fingerprint == fingerprint, Unrecognised.status == LearningStatus.NEW)
        .values(status=status, intent=intent, labelled_by=staff_id, labelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def export_labelled(session: AsyncSession, nlu_data: Path) -> dict[str, int]:
    """Labelled messages not yet exported go into nlu_data/<lang>/learned.yml (Rasa's YAML),
    merged with what is there; returns the new examples per language."""
    rows = (
        await session.scalars(
            select(Unrecognised).where(
                Unrecognised.status == LearningStatus.LABELLED,
                Unrecognised.exported_at.is_(None),
            )
        )
    ).all()
    by_lang: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        lang = row.language if row.language in ("id", "en") else "id"
        if row.intent:
            by_lang[lang][row.intent].append(_example(row.text))
    added: dict[str, int] = {}
    for lang, intents in by_lang.items():
        path = nlu_data / lang / LEARNED
        existing = _read(path)
        count = 0
        for intent, examples in intents.items():
            have = existing.setdefault(intent, [])
            for example in examples:
                if example not in have:
                    have.append(example)
                    count += 1
        _write(path, existing)
        added[lang] = count
    now = utcnow()
    for row in rows:
        row.exported_at = now
    return added


def _example(text: str) -> str:
    """Placeholders are dropped: the classifier learns from the words around them."""
    for mark in PLACEHOLDERS:
        text = text.replace(mark, "")
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    return re.sub(r"([,.;:!?])(?:\s*[,.;:!?])+", r"\1", text).strip(" ,.;:")


def _read(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, list[str]] = {}
    for item in doc.get("nlu") or ():
        lines = str(item.get("examples") or "").splitlines()
        found[str(item["intent"])] = [ln.strip()[2:] for ln in lines if ln.strip().startswith("- ")]
    return found


def _write(path: Path, examples: dict[str, list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "version": "3.1",
        "nlu": [
            {
                "intent": intent,
                "examples": LiteralScalarString("".join(f"- {e}\n" for e in texts)),
            }
            for intent, texts in sorted(examples.items())
            if texts
        ],
    }
    yaml = YAML()
    yaml.width = 4096
    with path.open("w", encoding="utf-8") as out:
        out.write("# Examples labelled by editors from messages the bot did not understand\n")
        out.write("# (helpline nlu export-labelled). Scrubbed of personal data; edit freely.\n")
        yaml.dump(doc, out)


async def delete_older_than(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(
        delete(Unrecognised)
        .where(Unrecognised.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
