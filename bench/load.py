"""Load benchmark: how many workers' messages a second the helpline answers, and how fast.

.venv/bin/python bench/load.py --database sqlite
.venv/bin/python bench/load.py --database postgres                  # HELPLINE_BENCH_POSTGRES_URL
.venv/bin/python bench/load.py --database postgres --processes 2    # two servers, one database
.venv/bin/python bench/load.py --smoke                              # a few seconds

A real server (`helpline run` in a subprocess, bench/launch.py; `--processes N` starts N of
them on one PostgreSQL, a port each) answers simulated workers who hold the conversations of
tests/conversations/corpus/ (rights questions in informal Indonesian and English, status
queries, complaint flows, emergencies; `THEMES` weighs them) over the real paths: the web
chat API (a token from POST /chat/api/session, then POST /chat/api/messages) and the signed
Twilio and Telegram webhooks. The outbox sends to the tests' stubs of both APIs
(tests/channels/stubs.py), served by this process. Each simulated worker waits for the
answer before its next message: the web chat's response, or the first reply reaching the
stub. The load comes from `--generators` processes (aiohttp), each keeping `--concurrency`
workers in flight and spreading them over the servers; the same generators first drive a
bare Starlette JSON endpoint (another uvicorn process), so the ratio shows how much of the
machine the helpline leaves unused, and that the generator is not the bottleneck.

It prints messages answered per second, p50/p99 from the worker's send to the reply being
stored (the reply's row in the database) and to it being sent (the web chat's response; the
outbox's call to the stub for the webhooks), errors (HTTP errors and timeouts), lost
(a message accepted and never answered) and sent twice (replies the stubs received more
often than the outbox recorded sending them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from bench.launch import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WHATSAPP_FROM,
    Server,
    free_port,
    fresh_database,
    server_env,
)
from tests.channels.stubs import Recorder, TelegramStub, TwilioStub  # noqa: E402
from tests.live import serve  # noqa: E402

DATA = ROOT / "var" / "bench-load"
POSTGRES_URL = os.environ.get(
    "HELPLINE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/helpline_load"
)
CHANNELS = ("web", "whatsapp", "telegram")
# How often a conversation of each theme of the corpus is chosen (others: 1).
THEMES = {
    "rights_per_country": 6,
    "everyday": 4,
    "followups": 3,
    "new_topics": 3,
    "case_status": 2,
    "complaint_flows": 2,
    "crisis": 1,
    "danger": 1,
}
REPLY_WITHIN = 30.0  # seconds a simulated worker waits for an answer before counting an error


# The generator (run in its own processes) -------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one generator process does."""

    index: int
    servers: tuple[str, ...]
    stub: str  # the stubs' base URL (replies are awaited there)
    channels: tuple[str, ...]
    concurrency: int
    duration: float
    seed: int
    bare: bool = False  # the bare endpoint: web-chat-shaped requests, no conversation


@dataclass
class Sent:
    """One message a simulated worker sent."""

    channel: str
    message_id: str  # the channel's id of it (client_message_id, MessageSid, update_id)
    at: float  # wall clock (time.time()), comparable with the server's timestamps
    took: float = 0.0  # until the HTTP response (web: the replies)
    answered: float | None = None  # web: the response with replies; webhooks: the first reply
    error: str | None = None


def conversations() -> list[tuple[int, tuple[str, ...]]]:
    """(weight, what the worker says) for each conversation of the corpus."""
    from bench.conversations import load

    return [(THEMES.get(c.theme, 1), tuple(t.say for t in c.turns)) for c in load()]


def generate(plan: Plan) -> list[Sent]:
    """A generator process: simulated workers for `plan.duration` seconds."""
    return asyncio.run(_generate(plan))


async def _generate(plan: Plan) -> list[Sent]:
    import aiohttp
    from twilio.request_validator import RequestValidator

    rng = random.Random(plan.seed * 1000 + plan.index)
    scripts = conversations()
    weights = [w for w, _ in scripts]
    validator = RequestValidator(AUTH_TOKEN)
    ids = itertools.count(1)
    sent: list[Sent] = []
    ends = time.monotonic() + plan.duration
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REPLY_WITHIN)

    async def post(http: aiohttp.ClientSession, url: str, record: Sent, **kw: Any) -> Any:
        started = time.monotonic()
        try:
            async with http.post(url, **kw) as response:
                body = await response.read()
                record.took = time.monotonic() - started
                if response.status != 200:
                    record.error = f"HTTP {response.status}"
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            record.took = time.monotonic() - started
            record.error = type(exc).__name__
            return None

    async def await_reply(http: aiohttp.ClientSession, address: str, seen: int) -> int:
        """Wait until the stubs got more than `seen` replies for this worker; the count."""
        url = f"{plan.stub}/bench/replies"
        async with http.get(url, params={"address": address, "after": str(seen)}) as response:
            return int((await response.json())["count"])

    async def worker(http: aiohttp.ClientSession, slot: int) -> None:
        while time.monotonic() < ends:
            server = plan.servers[rng.randrange(len(plan.servers))]
            channel = rng.choice(plan.channels)
            n = next(ids)
            if plan.bare:
                script: tuple[str, ...] = ("halo",) * 3
            else:
                script = rng.choices(scripts, weights)[0][1]
            token = address = ""
            replies = 0
            if channel == "web":
                probe = Sent(channel, "", time.time())
                body = await post(http, f"{server}/chat/api/session", probe)
                if body is None or probe.error:
                    sent.append(probe)
                    await asyncio.sleep(0.1)
                    continue
                import json

                token = json.loads(body)["token"]
            elif channel == "whatsapp":
                address = f"whatsapp:+628{plan.index:02d}{n:08d}"
            else:
                address = str(1_000_000_000 + plan.index * 10_000_000 + n)
            for turn, text in enumerate(script):
                if time.monotonic() >= ends:
                    return
                if channel == "web":
                    record = Sent(channel, f"g{plan.index}-{n}-{turn}", time.time())
                    payload = {"text": text, "client_message_id": record.message_id}
                    await post(
                        http,
                        f"{server}/chat/api/messages",
                        record,
                        json=payload,
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if record.error is None:
                        record.answered = record.at + record.took
                    sent.append(record)
                    if record.error:
                        break
                    continue
                if channel == "whatsapp":
                    record = Sent(channel, f"SM{plan.index:04x}{n:014x}{turn:014x}", time.time())
                    params = {
                        "AccountSid": ACCOUNT_SID,
                        "MessageSid": record.message_id,
                        "From": address,
                        "To": WHATSAPP_FROM,
                        "Body": text,
                        "NumMedia": "0",
                        "ProfileName": "Siti",
                        "WaId": address.removeprefix("whatsapp:+"),
                    }
                    signature = validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", params)
                    await post(
                        http,
                        f"{server}/webhooks/twilio",
                        record,
                        data=params,
                        headers={"X-Twilio-Signature": signature},
                    )
                else:
                    update_id = plan.index * 100_000_000 + n * 100 + turn
                    record = Sent(channel, str(update_id), time.time())
                    chat = int(address)
                    update = {
                        "update_id": update_id,
                        "message": {
                            "message_id": n * 100 + turn,
                            "date": int(record.at),
                            "chat": {"id": chat, "type": "private", "first_name": "Siti"},
                            "from": {"id": chat, "is_bot": False, "first_name": "Siti"},
                            "text": text,
                        },
                    }
                    await post(
                        http,
                        f"{server}/webhooks/telegram",
                        record,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                    )
                sent.append(record)
                if record.error:
                    break
                try:
                    replies = await await_reply(http, address, replies)
                    record.answered = time.time()
                except (aiohttp.ClientError, TimeoutError):
                    record.error = "no reply"
                    break

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(worker(http, slot) for slot in range(plan.concurrency)))
    return sent


# The bare endpoint (its own process) -------------------------------------------------------


def bare_app() -> Starlette:
    """A JSON endpoint with the web chat's paths and nothing behind them."""

    async def session(request: Request) -> Response:
        return JSONResponse({"token": "bare"})

    async def message(request: Request) -> Response:
        data = await request.json()
        return JSONResponse({"replies": [{"text": f"ok {data['client_message_id']}"}]})

    return Starlette(
        routes=[
            Route("/chat/api/session", session, methods=["POST"]),
            Route("/chat/api/messages", message, methods=["POST"]),
            Route("/health", lambda request: JSONResponse({"status": "ok"})),
        ]
    )


def serve_bare(port: int) -> None:
    import uvicorn

    # As `helpline run` serves (bot/server.py): uvicorn's defaults.
    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning")


def floor_app(database_url: str) -> Starlette:
    """The bare endpoint with the storage a message needs and nothing else: the floor of the
    stack (Starlette, SQLAlchemy's AsyncSession, the driver, the database) under the helpline.

    Each message is what the web chat path writes at the least, with the helpline's engine
    settings (bot.storage.db: WAL, the write queue, pool): the message stored and committed
    before it is answered (1 transaction, 1 statement, its text encrypted), then processed
    under the worker's row (1 transaction: the state read, the message marked, the state
    written, the reply stored; 4 statements). No NLU, no policy, no dialogue state, no cases.
    """
    from contextlib import asynccontextmanager

    from sqlalchemy import text

    from bot.storage.db import create_engine, session_factory, writing

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    fernet = Fernet(Fernet.generate_key())
    postgres = engine.dialect.name == "postgresql"
    serial = "BIGSERIAL" if postgres else "INTEGER"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE IF EXISTS floor_messages"))
            await connection.execute(text("DROP TABLE IF EXISTS floor_workers"))
            await connection.execute(
                text(
                    f"CREATE TABLE floor_messages (id {serial} PRIMARY KEY, worker TEXT NOT NULL,"
                    " direction TEXT NOT NULL, body TEXT NOT NULL, processed BOOLEAN NOT NULL,"
                    " created_at TIMESTAMP NOT NULL)"
                )
            )
            await connection.execute(
                text("CREATE TABLE floor_workers (id TEXT PRIMARY KEY, turns INTEGER NOT NULL)")
            )
        yield
        await engine.dispose()

    insert = text(
        "INSERT INTO floor_messages (worker, direction, body, processed, created_at)"
        " VALUES (:worker, :direction, :body, :processed, :at) RETURNING id"
    )
    state = text(
        "SELECT turns FROM floor_workers WHERE id = :worker" + (" FOR UPDATE" if postgres else "")
    )
    upsert = text(
        "INSERT INTO floor_workers (id, turns) VALUES (:worker, :turns)"
        " ON CONFLICT (id) DO UPDATE SET turns = excluded.turns"
    )
    mark = text("UPDATE floor_messages SET processed = :yes WHERE id = :id")

    async def handle(worker: str, text: str) -> str:
        now = datetime.now()
        async with writing(sessions), sessions.begin() as db:
            body = fernet.encrypt(text.encode()).decode()
            row = {"worker": worker, "direction": "in", "body": body, "processed": False}
            message_id = (await db.execute(insert, {**row, "at": now})).scalar_one()
        async with writing(sessions), sessions.begin() as db:
            turns = (await db.execute(state, {"worker": worker})).scalar() or 0
            await db.execute(mark, {"yes": True, "id": message_id})
            await db.execute(upsert, {"worker": worker, "turns": turns + 1})
            reply = f"ok {turns + 1}"
            sealed = fernet.encrypt(reply.encode()).decode()
            out = {"worker": worker, "direction": "out", "body": sealed, "processed": True}
            await db.execute(insert, {**out, "at": datetime.now()})
        return reply

    return _floor_endpoints(handle, lifespan)


def driver_floor_app(database_url: str) -> Starlette:
    """`floor_app`'s two transactions written straight to the driver, without SQLAlchemy:
    asyncpg's pool and prepared statements on PostgreSQL; on SQLite, Python's sqlite3 on one
    thread of its own that runs a whole transaction per hop (aiosqlite hops once a statement).
    What a storage layer rewritten for the hot path could reach."""
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import asynccontextmanager

    from sqlalchemy.engine import make_url

    fernet = Fernet(Fernet.generate_key())
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    schema = (
        "CREATE TABLE floor_messages (id {serial} PRIMARY KEY, worker TEXT NOT NULL,"
        " direction TEXT NOT NULL, body TEXT NOT NULL, processed BOOLEAN NOT NULL,"
        " created_at TIMESTAMP NOT NULL)"
    )
    workers = "CREATE TABLE floor_workers (id TEXT PRIMARY KEY, turns INTEGER NOT NULL)"
    state: dict[str, Any] = {}

    if postgres:
        import asyncpg

        insert = (
            "INSERT INTO floor_messages (worker, direction, body, processed, created_at)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        upsert = (
            "INSERT INTO floor_workers (id, turns) VALUES ($1, $2)"
            " ON CONFLICT (id) DO UPDATE SET turns = excluded.turns"
        )

        @asynccontextmanager
        async def lifespan(app: Starlette) -> Any:
            dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
            pool = state["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
            async with pool.acquire() as connection:
                await connection.execute("DROP TABLE IF EXISTS floor_messages, floor_workers")
                await connection.execute(schema.format(serial="BIGSERIAL"))
                await connection.execute(workers)
            yield
            await pool.close()

        async def handle(worker: str, text: str) -> str:
            async with state["pool"].acquire() as db:
                body = fernet.encrypt(text.encode()).decode()
                async with db.transaction():
                    message_id = await db.fetchval(
                        insert, worker, "in", body, False, datetime.now()
                    )
                async with db.transaction():
                    turns = await db.fetchval(
                        "SELECT turns FROM floor_workers WHERE id = $1 FOR UPDATE", worker
                    )
                    turns = (turns or 0) + 1
                    await db.execute(
                        "UPDATE floor_messages SET processed = true WHERE id = $1", message_id
                    )
                    await db.execute(upsert, worker, turns)
                    sealed = fernet.encrypt(f"ok {turns}".encode()).decode()
                    await db.fetchval(insert, worker, "out", sealed, True, datetime.now())
            return f"ok {turns}"

    else:
        thread = ThreadPoolExecutor(1)  # one writer, as SQLite has
        insert = (
            "INSERT INTO floor_messages (worker, direction, body, processed, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id"
        )

        def connect() -> None:
            db = state["db"] = sqlite3.connect(url.database or "", isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("DROP TABLE IF EXISTS floor_messages")
            db.execute("DROP TABLE IF EXISTS floor_workers")
            db.execute(schema.format(serial="INTEGER"))
            db.execute(workers)

        @asynccontextmanager
        async def lifespan(app: Starlette) -> Any:
            await asyncio.get_running_loop().run_in_executor(thread, connect)
            yield
            thread.shutdown()

        def store(worker: str, body: str) -> int:
            db = state["db"]
            db.execute("BEGIN IMMEDIATE")
            message_id = db.execute(insert, (worker, "in", body, False, datetime.now())).fetchone()
            db.execute("COMMIT")
            return int(message_id[0])

        def process(worker: str, message_id: int) -> int:
            db = state["db"]
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT turns FROM floor_workers WHERE id = ?", (worker,)).fetchone()
            turns = (row[0] if row else 0) + 1
            db.execute("UPDATE floor_messages SET processed = 1 WHERE id = ?", (message_id,))
            db.execute(
                "INSERT INTO floor_workers (id, turns) VALUES (?, ?)"
                " ON CONFLICT (id) DO UPDATE SET turns = excluded.turns",
                (worker, turns),
            )
            sealed = fernet.encrypt(f"ok {turns}".encode()).decode()
            db.execute(insert, (worker, "out", sealed, True, datetime.now()))
            db.execute("COMMIT")
            return turns

        async def handle(worker: str, text: str) -> str:
            loop = asyncio.get_running_loop()
            body = fernet.encrypt(text.encode()).decode()
            message_id = await loop.run_in_executor(thread, store, worker, body)
            turns = await loop.run_in_executor(thread, process, worker, message_id)
            return f"ok {turns}"

    return _floor_endpoints(handle, lifespan)


def _floor_endpoints(handle: Callable[[str, str], Awaitable[str]], lifespan: Any) -> Starlette:
    """The web chat's paths in front of a floor's `handle(worker, text) -> reply`; the worker
    is the bearer token (each session a new one)."""

    async def session(request: Request) -> Response:
        return JSONResponse({"token": f"w{random.getrandbits(48)}"})

    async def message(request: Request) -> Response:
        data = await request.json()
        reply = await handle(request.headers.get("authorization", ""), data["text"])
        return JSONResponse({"replies": [{"text": reply}]})

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/chat/api/session", session, methods=["POST"]),
            Route("/chat/api/messages", message, methods=["POST"]),
            Route("/health", lambda request: JSONResponse({"status": "ok"})),
        ],
    )


def serve_floor(port: int, database_url: str, kind: str) -> None:
    import uvicorn

    app = floor_app(database_url) if kind == "sqlalchemy" else driver_floor_app(database_url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# The stubs, with a way to wait for a worker's replies ---------------------------------------


class Replies(Recorder):
    """A stub's recorder that also counts, per worker, the replies received."""

    def __init__(self, key: str, counts: Counter[str], changed: asyncio.Condition) -> None:
        super().__init__()
        self.key, self.counts, self.changed = key, counts, changed

    async def add(self, item: dict[str, Any]) -> None:
        await super().add(item)
        async with self.changed:
            self.counts[str(item[self.key])] += 1
            self.changed.notify_all()


class Stubs:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.changed = asyncio.Condition()
        self.telegram = TelegramStub(TELEGRAM_TOKEN)
        self.twilio = TwilioStub(ACCOUNT_SID, AUTH_TOKEN)
        self.telegram.sent = Replies("chat_id", self.counts, self.changed)
        self.twilio.sent = Replies("To", self.counts, self.changed)
        self.app = Starlette(
            routes=[
                *self.telegram.app.routes,
                *self.twilio.app.routes,
                Route("/bench/replies", self._replies),
            ]
        )

    async def _replies(self, request: Request) -> Response:
        address = request.query_params["address"]
        after = int(request.query_params["after"])
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: self.counts[address] > after), REPLY_WITHIN
            )
            return JSONResponse({"count": self.counts[address]})

    @property
    def received(self) -> int:
        return len(self.telegram.sent) + len(self.twilio.sent)


# Running and reporting ----------------------------------------------------------------------


@dataclass
class Result:
    name: str
    seconds: float
    sent: list[Sent]
    stored: dict[tuple[str, str], float] = field(default_factory=dict)  # reply row, wall clock
    outbox_sent: dict[tuple[str, str], float] = field(default_factory=dict)
    lost: int = 0
    twice: int = 0

    def line(self, bare_rate: float | None = None, *, totals: bool = True) -> str:
        answered = [s for s in self.sent if s.error is None and s.answered is not None]
        rate = len(answered) / self.seconds
        errors = Counter(s.error for s in self.sent if s.error)
        parts = [f"{self.name:20} {rate:7.1f} msg/s"]
        if self.stored:
            stored = [self.stored[(s.channel, s.message_id)] - s.at for s in answered]
            parts.append(f"stored p50 {_ms(stored, 50)} p99 {_ms(stored, 99)}")
        sent = [self.sent_after(s) for s in answered]
        parts.append(f"sent p50 {_ms(sent, 50)} p99 {_ms(sent, 99)}")
        parts.append(f"errors {sum(errors.values())}" + (f" {dict(errors)}" if errors else ""))
        if bare_rate:
            parts.append(f"{100 * rate / bare_rate:.1f}% of bare")
        if self.stored and totals:
            parts.append(f"lost {self.lost} sent twice {self.twice}")
        return "  ".join(parts)

    def sent_after(self, s: Sent) -> float:
        """Seconds from the worker's send to the reply being sent (the web: its response)."""
        if s.channel == "web" or (s.channel, s.message_id) not in self.outbox_sent:
            return (s.answered or s.at) - s.at
        return self.outbox_sent[(s.channel, s.message_id)] - s.at

    def rate(self) -> float:
        return sum(1 for s in self.sent if s.error is None and s.answered) / self.seconds


def _ms(values: Sequence[float], pct: int) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0] * 1000:.0f} ms"
    return f"{statistics.quantiles(values, n=100)[pct - 1] * 1000:.0f} ms"


async def drive(plans: list[Plan]) -> tuple[list[Sent], float]:
    """Run the generators (processes) and wait for all; what they sent and the seconds taken."""
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    with ProcessPoolExecutor(len(plans), mp_context=get_context("spawn")) as pool:
        results = await asyncio.gather(*(loop.run_in_executor(pool, generate, p) for p in plans))
    return [s for r in results for s in r], time.monotonic() - started


async def warm_up_pool(generators: int) -> None:
    """Start the generator processes' interpreter once (imports), outside any measurement."""
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(generators, mp_context=get_context("spawn")) as pool:
        await asyncio.gather(
            *(loop.run_in_executor(pool, conversations) for _ in range(generators))
        )


async def from_database(database_url: str, result: Result, stubs_received: int) -> None:
    """When each message's first reply was stored and sent; lost and sent-twice counts."""
    from sqlalchemy import case, func, select

    from bot.storage.db import create_engine
    from bot.storage.models import Message

    inbound = Message.__table__.alias("inbound")
    out = Message.__table__.alias("out")
    engine = create_engine(database_url)  # no keys: only columns stored in the clear
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(
                    inbound.c.channel,
                    inbound.c.channel_message_id,
                    inbound.c.status,
                    func.min(out.c.created_at),
                    func.min(out.c.sent_at),
                )
                .select_from(inbound.outerjoin(out, out.c.in_reply_to == inbound.c.id))
                .where(inbound.c.direction == "in")
                .group_by(inbound.c.id, inbound.c.channel, inbound.c.channel_message_id)
            )
            accepted = {(s.channel, s.message_id) for s in result.sent if s.error is None}
            for channel, message_id, status, created, sent_at in rows:
                key = (channel, message_id)
                if created is not None:
                    result.stored[key] = _wall(created)
                if sent_at is not None:
                    result.outbox_sent[key] = _wall(sent_at)
                if key in accepted and (status != "processed" or created is None):
                    result.lost += 1
            # What the outbox recorded sending (each part of a long message) vs what arrived.
            parts = await connection.scalar(
                select(
                    func.coalesce(
                        func.sum(case((out.c.parts_sent > 1, out.c.parts_sent), else_=1)), 0
                    )
                ).where(
                    out.c.direction == "out",
                    out.c.channel.in_(("telegram", "whatsapp")),
                    out.c.sent_at.is_not(None),
                )
            )
            result.twice = max(0, stubs_received - int(parts or 0))
    finally:
        await engine.dispose()
    for s in result.sent:
        if s.error is None and (s.channel, s.message_id) not in result.stored:
            s.answered = None  # no reply stored: lost, not answered


def _cpu_seconds(server: Server) -> float:
    """CPU time (user + system) the server's process has used so far (Linux)."""
    if server.process is None:
        return 0.0
    return _cpu_of(server.process.pid)


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, str]]:
    """(pid, name) of every process (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head = (entry / "stat").read_text().rpartition(")")[0]
            except OSError:
                continue
            found.append((int(entry.name), head.partition("(")[2]))
    return found


class MachineCpu:
    """CPU time of the parts on this machine around a stretch of load (`drive`): the load
    generators (child processes that ended: `drive`'s pool), PostgreSQL's processes, all."""

    def __init__(self) -> None:
        self.start = self._read()

    def _read(self) -> dict[str, float]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        parts = {"generators": children.ru_utime + children.ru_stime, "postgres": 0.0}
        for pid, name in _processes():
            if name == "postgres":
                parts["postgres"] += _cpu_of(pid)
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
        busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
        parts["machine"] = busy / os.sysconf("SC_CLK_TCK")
        return parts

    def line(self, messages: int) -> str:
        end = self._read()
        spent = {k: end[k] - self.start[k] for k in end}
        per = {k: 1000 * v / max(1, messages) for k, v in spent.items()}
        return (
            f"  machine CPU a message: generators {per['generators']:.1f} ms, "
            f"PostgreSQL {per['postgres']:.1f} ms, all processes {per['machine']:.1f} ms"
        )


def _wall(value: datetime) -> float:
    return value.timestamp()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", type=int, default=1, help="servers on one database")
    parser.add_argument("--generators", type=int, default=2, help="load generator processes")
    parser.add_argument("--concurrency", type=int, default=16, help="workers in flight each")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--channels", default=",".join(CHANNELS), help="of " + ",".join(CHANNELS))
    parser.add_argument("--smoke", action="store_true", help="a few seconds of everything")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the servers, e.g. HELPLINE_EVENT_LOOP=asyncio (repeatable)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also drive the storage floor: the bare endpoint with a message's storage only",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.concurrency, args.generators = 4.0, 4, 1
    if args.processes > 1 and args.database != "postgres":
        parser.error("--processes needs --database postgres")
    channels = tuple(c for c in args.channels.split(",") if c)
    if not set(channels) <= set(CHANNELS):
        parser.error(f"--channels: of {', '.join(CHANNELS)}")
    DATA.mkdir(parents=True, exist_ok=True)
    print(f"starting the generators ({args.generators}) ...", flush=True)
    await warm_up_pool(args.generators)
    results = await run(args, channels)
    bare = results[0].rate()
    print()
    for result in results:
        totals = not result.name.startswith(" ")
        print(result.line(bare if totals and result is not results[0] else None, totals=totals))
    ok = all(r.lost == 0 and r.twice == 0 for r in results)
    return 0 if ok else 1


async def run(args: argparse.Namespace, channels: tuple[str, ...]) -> list[Result]:
    def plans(servers: Sequence[str], stub: str, chans: tuple[str, ...], bare: bool) -> list[Plan]:
        return [
            Plan(i, tuple(servers), stub, chans, args.concurrency, args.duration, args.seed, bare)
            for i in range(args.generators)
        ]

    # The bare endpoint first, with the same generators.
    port = free_port()
    bare_server = Server(dict(os.environ), port, DATA / "bare.log", DATA)
    await bare_server.start(
        command=[sys.executable, str(Path(__file__)), "--bare-server", str(port)]
    )
    try:
        machine = MachineCpu()
        sent, took = await drive(plans([bare_server.url], "", ("web",), True))
        cpu = _cpu_seconds(bare_server)  # its whole life: it does nothing else
        done = sum(1 for s in sent if s.error is None)
        print(f"  bare endpoint's CPU: {1000 * cpu / max(1, done):.2f} ms a request", flush=True)
        print(machine.line(done), flush=True)
    finally:
        await bare_server.stop()
    results = [Result("bare endpoint", took, sent)]
    for kind in ("sqlalchemy", "driver") if args.floor else ():
        floor_url = await fresh_database(args.database, DATA / "floor.db", POSTGRES_URL)
        port = free_port()
        floor_server = Server(dict(os.environ), port, DATA / "floor.log", DATA)
        command = [sys.executable, str(Path(__file__)), "--floor-server", str(port)]
        await floor_server.start(command=[*command, floor_url, kind])
        try:
            cpu_before = _cpu_seconds(floor_server)
            machine = MachineCpu()
            sent, took = await drive(plans([floor_server.url], "", ("web",), False))
            cpu = _cpu_seconds(floor_server) - cpu_before
            done = sum(1 for s in sent if s.error is None)
            print(
                f"  storage floor's CPU ({kind}): {cpu:.1f} s for {done} messages, "
                f"{1000 * cpu / max(1, done):.1f} ms a message",
                flush=True,
            )
            print(machine.line(done), flush=True)
        finally:
            await floor_server.stop()
        results.append(Result(f"floor {kind} {args.database}", took, sent))

    database_url = await fresh_database(args.database, DATA / "load.db", POSTGRES_URL)
    stubs = Stubs()
    servers: list[Server] = []
    async with serve(stubs.app) as api_url:
        stubs.telegram.url = stubs.twilio.url = api_url
        extra = dict(item.split("=", 1) for item in args.server_env)
        env = server_env(database_url, DATA, api_url, Fernet.generate_key().decode(), **extra)
        try:
            for n in range(args.processes):
                server = Server(env, free_port(), DATA / f"server-{n}.log", DATA)
                (DATA / f"server-{n}.log").unlink(missing_ok=True)
                print(f"starting server {n + 1} on {args.database} ...", flush=True)
                took = await server.start()
                print(f"  up in {took:.1f} s", flush=True)
                servers.append(server)
            urls = [s.url for s in servers]
            name = f"helpline {args.database}" + (
                f" x{args.processes}" if args.processes > 1 else ""
            )
            print(f"{args.duration:.0f} s of load on {', '.join(channels)} ...", flush=True)
            cpu_before = sum(_cpu_seconds(s) for s in servers)
            machine = MachineCpu()
            sent, took = await drive(plans(urls, api_url, channels, False))
            machine_line = machine.line(sum(1 for s in sent if s.error is None))
            # The last replies (the outbox) before counting.
            ends = time.monotonic() + 10
            accepted = {s.message_id for s in sent if s.error is None and s.channel != "web"}
            while time.monotonic() < ends and stubs.received < len(accepted):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
            # CPU time is the steady figure on a shared machine (wall time is not).
            cpu = sum(_cpu_seconds(s) for s in servers) - cpu_before
            answered = sum(1 for s in sent if s.error is None)
            print(
                f"  servers' CPU: {cpu:.1f} s for {answered} messages accepted, "
                f"{1000 * cpu / max(1, answered):.1f} ms a message",
                flush=True,
            )
            print(machine_line, flush=True)
        finally:
            for server in servers:
                await server.stop()
            stubs.telegram.end_polls()
    result = Result(name, took, sent)
    await from_database(database_url, result, stubs.received)
    results.append(result)
    by_channel: dict[str, list[Sent]] = defaultdict(list)
    for s in sent:
        by_channel[s.channel].append(s)
    for channel, items in sorted(by_channel.items()):
        part = Result(f"  {channel}", took, items, result.stored, result.outbox_sent)
        results.append(part)
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--bare-server"]:  # the bare endpoint's own process
        serve_bare(int(sys.argv[2]))
        sys.exit(0)
    if sys.argv[1:2] == ["--floor-server"]:  # the storage floor's own process
        serve_floor(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        sys.exit(0)
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(main()))
