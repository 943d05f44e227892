"""Complaint flows through the real engine: trained NLU, real content and flows, a real database.

`chat` is one worker; `world.restart()` builds a new runtime on the same database, as a
restarted process would. Time is the worker's: each message is received a minute after the
last unless a test says otherwise, and the case desk's clock follows it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.dialogue.flows import FlowLibrary
from bot.dialogue.flows.model import Step
from bot.dialogue.flows.progress import FlowMemory, Progress
from bot.messages import Attachment, Inbound, Reply
from bot.nlu.types import NluBackend
from bot.runtime import Runtime, build
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.crypto import Cipher
from bot.storage.models import Case, Conversation, Worker
from tests.conftest import TEST_KEY
from tests.conftest import Loaded as Loaded  # kept where the flow tests import it from

# Monday 10:00 in Jakarta: most queues are at work.
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
REFERENCE = re.compile(r"\bHL-[0-9A-Z]{6}\b")

# A worker's first message about each problem, in each language (the NLU's tests keep these
# classified right; here they only start the conversation).
FIRST: dict[str, dict[str, str]] = {
    "wages_unpaid": {
        "id": "gaji saya belum dibayar 3 bulan",
        "en": "my salary has not been paid for 3 months",
    },
    "document_withheld": {
        "id": "paspor saya ditahan majikan",
        "en": "my employer keeps my passport",
    },
    "abuse_violence": {"id": "saya dipukul majikan kemarin", "en": "my employer hit me last week"},
    "repatriation": {
        "id": "saya mau pulang ke indonesia tapi tidak boleh",
        "en": "i want to go home but my employer won't let me",
    },
    "health_accident": {
        "id": "saya sakit dan butuh ke rumah sakit",
        "en": "i had an accident at work and hurt my hand",
    },
    "working_conditions": {"id": "saya tidak pernah dapat libur", "en": "i never get a day off"},
    "recruitment_fees": {
        "id": "agen minta biaya penempatan 30 juta",
        "en": "the agency charged me a huge placement fee",
    },
    "trafficking_scam": {
        "id": "saya ditipu lowongan kerja palsu",
        "en": "i was tricked by a fake job offer",
    },
    "legal_status": {
        "id": "visa saya sudah habis overstay",
        "en": "my visa expired and i am overstaying",
    },
    "social_security": {"id": "klaim bpjs saya ditolak", "en": "my bpjs claim was rejected"},
    "lost_contact": {
        "id": "anak saya di malaysia tidak bisa dihubungi",
        "en": "my daughter in malaysia cannot be contacted",
    },
    "contract_info": {
        "id": "kontrak saya diputus sebelum habis",
        "en": "my contract was terminated early",
    },
    "migrate_safely": {
        "id": "bagaimana cara cek agensi resmi",
        "en": "how do i check if an agency is licensed",
    },
}

# A valid typed answer for each slot type, in each language.
ANSWERS: dict[str, dict[str, str]] = {
    "text": {"id": "Ani Susanti dari Kowloon", "en": "Ani Susanti from Kowloon"},
    "number": {"id": "10", "en": "10"},
    "money": {"id": "RM1500", "en": "RM1500"},
    "date": {"id": "5 Januari 2025", "en": "5 January 2025"},
    "duration": {"id": "3 bulan", "en": "3 months"},
    "country": {"id": "Malaysia", "en": "Malaysia"},
    "phone": {"id": "+60 12-345 6789", "en": "+60 12-345 6789"},
    "province": {"id": "sy dr jatim", "en": "East Java"},
    "yesno": {"id": "iya", "en": "yes"},
}
DESCRIPTION = {
    "id": "Majikan tidak mau bayar dan marah-marah setiap hari kepada saya.",
    "en": "My employer refuses to pay and shouts at me every day.",
}
WORDS = {
    "id": {
        "back": "kembali",
        "skip": "lewati",
        "cancel": "batal",
        "done": "selesai",
        "send": "kirim",
        "yes": "ya",
        "no": "tidak",
    },
    "en": {
        "back": "back",
        "skip": "skip",
        "cancel": "cancel",
        "done": "done",
        "send": "send",
        "yes": "yes",
        "no": "no",
    },
}


def joined(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


@dataclass
class World:
    settings: Settings
    nlu: tuple[NluBackend, float]
    runtime: Runtime
    now: datetime = START

    async def restart(self) -> None:
        """A new process on the same database: nothing survives but what is stored."""
        await self.runtime.close()
        self.runtime = await build(self.settings, nlu=self.nlu)
        self.runtime.desk.clock = lambda: self.now

    @property
    def library(self) -> FlowLibrary:
        return self.runtime.flows

    async def case(self, reference: str | None = None) -> Case:
        async with self.runtime.sessions() as session:
            query = select(Case).order_by(Case.id.desc())
            if reference:
                query = query.where(Case.reference == reference)
            case = await session.scalar(query)
            assert case is not None
            return case


@dataclass
class Chat:
    world: World
    user: str
    channel: str = "web"
    replies: list[Reply] = field(default_factory=list)
    sent: int = 0

    async def say(
        self,
        text: str,
        *,
        after: timedelta = timedelta(minutes=1),
        attachments: tuple[Attachment, ...] = (),
    ) -> list[Reply]:
        self.world.now += after
        self.sent += 1
        inbound = Inbound(
            self.channel,
            self.user,
            text,
            channel_message_id=f"{self.user}-{self.sent}",
            attachments=attachments,
            received_at=self.world.now,
        )
        self.replies = await self.world.runtime.engine.handle(inbound)
        return self.replies

    async def press(self, title: str) -> list[Reply]:
        """The quick reply whose title contains `title` (case-insensitive), from the last replies."""
        for reply in reversed(self.replies):
            for quick in reply.quick_replies:
                if title.lower() in quick.title.lower():
                    return await self.say(quick.payload)
        raise AssertionError(f"no button {title!r} in {self.buttons}")

    @property
    def text(self) -> str:
        return joined(self.replies)

    @property
    def buttons(self) -> list[str]:
        return [q.title for r in self.replies for q in r.quick_replies]

    async def memory(self) -> FlowMemory:
        cipher: Cipher = self.world.runtime.cipher
        async with self.world.runtime.sessions() as session:
            flow = await session.scalar(
                select(Conversation.flow)
                .join(Worker, Worker.id == Conversation.worker_id)
                .where(
                    Worker.channel == self.channel,
                    Worker.channel_user_hash == cipher.lookup_hash(self.user),
                )
            )
        return FlowMemory.from_json(flow)

    async def progress(self) -> Progress | None:
        return (await self.memory()).progress

    async def step(self) -> Step | None:
        """The question the worker is looking at (None at the summary or outside a flow)."""
        progress = await self.progress()
        if progress is None or progress.flow is None:
            return None
        flow = self.world.library.get(progress.flow, progress.version)
        assert flow is not None
        return flow.step(progress.step)

    async def answer(self, step: Step, lang: str) -> list[Reply]:
        """A valid answer to `step`, the way a worker gives it."""
        if step.type == "consent":
            return await self.press("Ya, saya setuju" if lang == "id" else "Yes, I agree")
        if step.type == "choice":
            return await self.say("1")  # typed, as on a phone: the first button
        if step.type == "attachment":
            await self.say("", attachments=(Attachment("photo", file_id="photo-1"),))
            return await self.say(WORDS[lang]["done"])
        if step.id == "description":
            return await self.say(DESCRIPTION[lang])
        return await self.say(ANSWERS[step.type][lang])

    async def finish(self, lang: str, limit: int = 40) -> str:
        """Answer every question validly up to the summary, send it, return the reference."""
        for _ in range(limit):
            step = await self.step()
            progress = await self.progress()
            if step is None:
                assert progress is not None and progress.step == "summary", self.text
                await self.say(WORDS[lang]["send"])
                found = set(REFERENCE.findall(self.text))
                assert len(found) == 1, self.text
                return found.pop()
            await self.answer(step, lang)
        raise AssertionError("the flow did not reach its summary")

    async def start_about(self, category: str, lang: str) -> None:
        """First message about the problem, then "yes, report it" under the rights answer."""
        offer = "Ya, laporkan" if lang == "id" else "Yes, report it"
        await self.say(FIRST[category][lang])
        if offer not in self.buttons:  # the answer depends on the country: asked first
            await self.press("Malaysia")
        await self.press(offer)


@pytest.fixture
async def world(
    database_url: str,
    tmp_path: Path,
    trained_nlu: tuple[NluBackend, float],
    cached_content: None,  # from tests/conftest.py
) -> AsyncIterator[World]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        content_dir=PROJECT_ROOT,
        encryption_keys=TEST_KEY,
    )
    runtime = await build(settings, nlu=trained_nlu)
    world = World(settings, trained_nlu, runtime)
    runtime.desk.clock = lambda: world.now
    yield world
    await world.runtime.close()


@pytest.fixture
def chat(world: World) -> Chat:
    return Chat(world, "ani")


def record_of(case: Case) -> dict[str, Any]:
    assert case.record is not None
    return case.record


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every category in both languages on SQLite; on PostgreSQL each category once (the
    languages alternate), which proves the storage without doubling the run."""
    from bot import intents

    dropped = []
    for item in items:
        spec = getattr(item, "callspec", None)
        if item.path.parent != Path(__file__).parent or spec is None:
            continue
        if {"category", "lang"} - set(spec.params) or spec.params.get("database_url") != "postgres":
            continue
        index = intents.RIGHTS.index(spec.params["category"])
        if ("id", "en")[index % 2] != spec.params["lang"]:
            dropped.append(item)
    if dropped:
        items[:] = [i for i in items if i not in dropped]
        config.hook.pytest_deselected(items=dropped)


async def until(chat: Chat, step_id: str, lang: str, limit: int = 40) -> None:
    """Answer validly until the worker is asked `step_id`."""
    for _ in range(limit):
        step = await chat.step()
        if step is not None and step.id == step_id:
            return
        assert step is not None, f"reached the summary before {step_id!r}"
        await chat.answer(step, lang)
    raise AssertionError(f"never asked {step_id!r}")
