"""What the NLU found in a message: typed results shared by every backend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: (
        str | None
    )  # ISO 4217 ("MYR", "HKD", "TWD", "SGD", "SAR", "IDR", "USD"), None if unsaid


@dataclass(frozen=True, slots=True)
class Duration:
    amount: float
    unit: str  # "day" | "week" | "month" | "year"


EntityValue = str | Money | Duration | date


@dataclass(frozen=True, slots=True)
class Entity:
    type: str  # "country" | "money" | "date" | "duration" | "phone"
    value: EntityValue  # country: ISO 3166 alpha-2 ("MY"); phone: E.164; date: a date
    text: str  # as the worker wrote it
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class NluResult:
    text: str
    intent: IntentScore
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...]

    def entity(self, type_: str) -> Entity | None:
        return next((e for e in self.entities if e.type == type_), None)


class NluBackend(Protocol):
    """One method that varies: the embedded classifier and the Rasa client both fit it."""

    async def parse(self, text: str) -> NluResult: ...


class NluError(Exception):
    """The NLU backend could not answer (a Rasa server down, a model missing)."""
