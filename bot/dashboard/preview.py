"""The editors' preview chat: a draft of a content file, chatted with before it is published.

A sandbox is the real engine and policy over a copy of flows/ with the draft in its place,
on a database of its own (a SQLite file in the sandbox's temporary folder, made from the
models): nothing touches the published files or workers' data. The case desk is not part
of it (no cases are opened, nobody is alerted). Sandboxes live in this process's memory;
a conversation that reaches another process (or an expired sandbox) is replayed from the
worker's messages, which the page sends with every message.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from bot.content import Content
from bot.content.problems import Problem
from bot.content.publishing import draft_root, errors
from bot.dialogue.flows import FlowLibrary, FlowRunner
from bot.dialogue.policy import Policy
from bot.engine import Engine
from bot.messages import Inbound
from bot.nlu.types import NluBackend
from bot.storage import db
from bot.storage.crypto import Cipher
from bot.storage.models import Base

LIFETIME = 30 * 60  # seconds a sandbox is kept after its last message
MOST = 20  # sandboxes kept at once in a process; the oldest goes first
USER = "preview"
CHANNEL = "web"


@dataclass
class Line:
    who: str  # "worker" or "bot"
    text: str
    choices: tuple[str, ...] = ()  # the quick replies' titles (a worker may type one)


@dataclass
class Sandbox:
    engine: Engine
    database: AsyncEngine
    folder: Path
    transcript: list[Line] = field(default_factory=list)
    said: list[str] = field(default_factory=list)  # the worker's messages, in order
    used: float = field(default_factory=time.monotonic)

    async def say(self, text: str) -> None:
        self.used = time.monotonic()
        self.said.append(text)
        self.transcript.append(Line("worker", text))
        for reply in await self.engine.handle(Inbound(CHANNEL, USER, text)):
            choices = tuple(choice.title for choice in reply.quick_replies)
            self.transcript.append(Line("bot", reply.text, choices))

    async def close(self) -> None:
        await self.database.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


Understanding = Callable[[], tuple[NluBackend, float]]


async def open_sandbox(
    root: Path,
    rel: str,
    draft: str,
    understanding: tuple[NluBackend, float],
    detect_language: Callable[[str], str | None],
) -> Sandbox:
    """A sandbox over the draft; raises SandboxRefused with the errors if it cannot serve."""
    folder = Path(tempfile.mkdtemp(prefix="helpline-preview-"))
    try:
        content, flows = await asyncio.to_thread(_load, root, rel, draft, folder)
        database = db.create_engine(
            f"sqlite+aiosqlite:///{folder / 'preview.db'}",
            cipher=Cipher([Fernet.generate_key().decode()]),
            # No connection kept open between messages: a sandbox left behind holds none.
            poolclass=NullPool,
        )
        async with database.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    nlu, threshold = understanding
    policy = Policy(content, threshold=threshold, flows=FlowRunner(flows))
    engine = Engine(
        db.session_factory(database),
        nlu,
        policy,
        Cipher([Fernet.generate_key().decode()]),
        detect_language,
    )
    sandbox = Sandbox(engine, database, folder)
    # Removed by close(), else when the sandbox is dropped or the process exits at the latest.
    weakref.finalize(sandbox, shutil.rmtree, folder, True)
    return sandbox


class SandboxRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _load(root: Path, rel: str, draft: str, folder: Path) -> tuple[Content, FlowLibrary]:
    from bot.content import ContentError
    from bot.dialogue.flows import FlowError

    with draft_root(root, rel, draft) as copy:
        shutil.copytree(copy / "flows", folder / "flows")
    try:
        return Content.load(folder), FlowLibrary.load(folder)
    except (ContentError, FlowError) as error:
        raise SandboxRefused(errors(error.problems)) from error


class Sandboxes:
    """This process's sandboxes, by staff member, file and draft."""

    def __init__(self) -> None:
        self._open: dict[str, Sandbox] = {}
        self._lock = asyncio.Lock()

    @staticmethod
    def key(staff_id: int, rel: str, draft: str) -> str:
        return hashlib.sha256(f"{staff_id}\0{rel}\0{draft}".encode()).hexdigest()

    async def get(self, staff_id: int, rel: str, draft: str, said: Sequence[str]) -> Sandbox | None:
        """The sandbox for this draft if it has heard exactly `said`, else None."""
        await self._expire()
        found = self._open.get(self.key(staff_id, rel, draft))
        if found is not None and found.said == list(said):
            return found
        return None

    async def put(self, staff_id: int, rel: str, draft: str, sandbox: Sandbox) -> None:
        key = self.key(staff_id, rel, draft)
        async with self._lock:
            old = self._open.pop(key, None)
            self._open[key] = sandbox
            by_age = sorted(self._open.items(), key=lambda kv: kv[1].used)
            extra = by_age[: max(0, len(by_age) - MOST)]
            for k, _ in extra:
                self._open.pop(k)
        if old is not None and old is not sandbox:
            await old.close()
        for _, box in extra:
            await box.close()

    async def drop(self, staff_id: int, rel: str, draft: str) -> None:
        found = self._open.pop(self.key(staff_id, rel, draft), None)
        if found is not None:
            await found.close()

    async def _expire(self) -> None:
        now = time.monotonic()
        old = [k for k, box in self._open.items() if now - box.used > LIFETIME]
        for k in old:
            box = self._open.pop(k, None)
            if box is not None:
                await box.close()

    async def close(self) -> None:
        for box in list(self._open.values()):
            await box.close()
        self._open.clear()
