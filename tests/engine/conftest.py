"""An engine on a real database with a scripted NLU and a tiny content set, for storage rules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.nlu.types import Entity, IntentScore, NluResult
from bot.storage import db
from bot.storage.crypto import Cipher


class ScriptedNlu:
    """Intent by keyword; counts calls so tests can see what was processed."""

    KEYWORDS = {"halo": "greet", "gaji": "wages_unpaid", "hapus": "delete_my_data", "ya": "affirm"}

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def parse(self, text: str) -> NluResult:
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


@pytest.fixture
def nlu() -> ScriptedNlu:
    return ScriptedNlu()


@pytest.fixture
async def engine(database_url: str, cipher: Cipher, nlu: ScriptedNlu) -> AsyncIterator[Engine]:
    database = db.create_engine(database_url)
    await db.migrate(database)
    policy = Policy(TinyContent(), threshold=0.5)
    yield Engine(db.session_factory(database), nlu, policy, cipher, lambda text: "id")
    await database.dispose()
