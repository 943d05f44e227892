"""Fakes shared by tests: a scripted NLU and a tiny content set with the real content's API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.nlu.types import Entity, IntentScore, NluResult
from bot.staff import create_staff
from bot.storage.models import Staff


class ScriptedNlu:
    """Intent by keyword; counts calls so tests can see what was processed."""

    KEYWORDS = {"halo": "greet", "gaji": "wages_unpaid", "hapus": "delete_my_data", "ya": "affirm"}

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def parse(self, text: str) -> NluResult:
        return self.answer(text)

    def answer(self, text: str) -> NluResult:
        self.calls.append(text)
        name = next((i for k, i in self.KEYWORDS.items() if k in text.lower()), "out_of_scope")
        entities = (Entity("country", "TW", "taiwan", 0, 6),) if "taiwan" in text.lower() else ()
        score = IntentScore(name, 0.9)
        return NluResult(text, score, (score,), entities)


@dataclass(frozen=True)
class Item:
    number: str
    label: str
    intent: str


@dataclass(frozen=True)
class Answer:
    text: str
    country_specific: bool


class TinyContent:
    def menu(self, lang: str) -> list[Item]:
        return [Item("1", "Gaji" if lang == "id" else "Wages", "wages_unpaid")]

    def country_codes(self) -> list[str]:
        return ["MY", "TW"]

    def country_label(self, code: str, lang: str) -> str:
        return {"MY": "Malaysia", "TW": "Taiwan"}[code]

    def answer(self, intent: str, lang: str, country: str | None) -> Answer:
        return Answer(f"[{intent}/{lang}/{country}]", intent == "wages_unpaid")

    def has_answer(self, intent: str) -> bool:
        return intent == "wages_unpaid"

    def emergency(self, lang: str, country: str | None) -> str:
        return f"EMERGENCY {country}"

    def support_kind(self, text: str) -> str | None:
        return "shelter" if "shelter" in text else None

    def support_city(self, text: str) -> None:
        return None

    def support(
        self, lang: str, kind: str | None, country: str | None, city: str | None = None
    ) -> str:
        return f"[support/{lang}/{kind}/{country}/{city}]"


async def add_officer(session: AsyncSession, username: str = "ani") -> Staff:
    """An officer of Migrant CARE (display name from the username), with a password set."""
    return await create_staff(
        session,
        username=username,
        display_name=username.title(),
        role="officer",
        organisation="migrantcare",
        known_organisations={"migrantcare"},
        password="correct horse battery staple",
    )
