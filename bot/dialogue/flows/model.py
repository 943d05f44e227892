"""A complaint flow as loaded from flows/complaints/: steps, slots, options, conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.dialogue.flows.conditions import Condition


class SlotType(StrEnum):
    """What a step asks for; each has a parser in slots.py and a display in show.py."""

    TEXT = "text"
    CHOICE = "choice"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DURATION = "duration"
    COUNTRY = "country"
    PROVINCE = "province"
    PHONE = "phone"
    YESNO = "yesno"
    ATTACHMENT = "attachment"
    CONSENT = "consent"


SLOT_TYPES = tuple(t.value for t in SlotType)
# Names a condition may use without a step of that id.
BUILTIN_SLOTS = ("category", "anonymous")
SUMMARY = "summary"  # the `next` that ends the questions: the summary comes next

Bilingual = dict[str, str]  # {"id": ..., "en": ...}


@dataclass(frozen=True)
class Where:
    """A place in an editor's file, for messages that name file and line."""

    path: Path
    line: int


@dataclass(frozen=True)
class Option:
    id: str
    label: Bilingual
    synonyms: tuple[str, ...] = ()  # both languages: a worker may answer in either
    next: str | None = None
    where: Where | None = None


@dataclass(frozen=True)
class Step:
    id: str  # also the slot's name in the record
    type: SlotType
    question: Bilingual
    label: Bilingual  # how the summary names the answer
    help: Bilingual | None = None
    error: Bilingual | None = None  # replaces the type's generic "please answer like ..."
    when: Condition | None = None
    skip: bool = False  # the worker may skip it ("lewati")
    personal: bool = False  # personal data: not asked when the worker stays anonymous
    prefill: bool = False  # filled, without asking, from what the worker already wrote
    next: str | None = None
    options: tuple[Option, ...] = ()
    min_length: int = 2
    max_length: int = 2000
    minimum: float | None = None
    maximum: float | None = None
    currency: str | None = None  # money: when the worker names none (else the country's)
    urgent_if: bool | None = None  # yesno: this answer makes the complaint urgent
    home_allowed: bool = False  # country: Indonesia is an acceptable answer
    where: Where = Where(Path("?"), 1)  # where it is written (a flow, or common.yml)
    placed: Where | None = None  # where the flow lists it (its `use:` line for a shared step)
    when_where: Where | None = None  # the `when` line (a flow's `use` may set its own)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Flow:
    id: str
    category: str  # an intent of bot.intents.RIGHTS
    title: Bilingual
    steps: tuple[Step, ...]
    version: str  # hash of the resolved definition: conversations keep the one they began on
    synonyms: tuple[str, ...] = ()
    anonymous: bool = False  # the worker may go on without giving personal data
    where: Where = Where(Path("?"), 1)
    definition: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index(self, step_id: str) -> int:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), -1)

    def following(self, step: Step) -> str:
        """Where the flow goes after `step` when no option says otherwise."""
        if step.next:
            return step.next
        position = self.index(step.id)
        return self.steps[position + 1].id if position + 1 < len(self.steps) else SUMMARY
