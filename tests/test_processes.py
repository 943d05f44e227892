"""Three `helpline run` processes on one PostgreSQL behave as one helpline.

Real servers (bench/launch.py) answer signed Twilio webhooks, Telegram webhooks and the web chat
API; the channel APIs are the tests' stubs, served here. Simulated workers write several
messages each, every message to another process (as a load balancer would send them); one
process is SIGKILLed in the middle and what was sent to it goes to the others, as Telegram and
Twilio deliver again. Then: every accepted message was stored and processed once and answered,
the replies reached the stubs at least once (at most HELPLINE_SEND_CONCURRENCY of them twice
for the kill, bench/faults.py's count) and in each worker's order, an officer's dashboard
attached to one process saw a worker's message that another process processed (NOTIFY), and
each scheduled job ran once per due time across the three.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from twilio.request_validator import RequestValidator

from bench.launch import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WHATSAPP_FROM,
    Server,
    free_port,
    server_env,
)
from bot.cases import Directory
from bot.nlu.types import NluBackend
from bot.settings import PROJECT_ROOT
from bot.staff.accounts import create_staff
from bot.storage import db
from bot.storage.crypto import Cipher
from bot.storage.models import Case, Message, ScheduledJob, Worker
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.databases import PostgresServer
from tests.live import serve

pytestmark = pytest.mark.postgres

# Plain http: the dashboard's cookies come back to a test client talking to 127.0.0.1.
PUBLIC_URL = "http://helpline.test"
CONCURRENCY = 4  # HELPLINE_SEND_CONCURRENCY
PASSWORD = "correct horse battery staple"
WORKERS = 3  # per channel
TEXTS = [
    "halo",
    "gaji saya belum dibayar 3 bulan",
    "paspor saya ditahan majikan",
    "apa itu bpjs ketenagakerjaan",
    "bagaimana cara pulang ke indonesia",
    "hi, my salary has not been paid",
    "sy di taiwan, boleh ganti majikan?",
]
MESSAGES = 4  # per worker, each a different text


@dataclass
class Simulated:
    channel: str  # telegram | whatsapp | web
    address: str  # chat id, WhatsApp number, or the web chat's token
    texts: list[str]
    accepted: list[str] = field(default_factory=list)  # channel message ids, in order


class Helplines:
    """The processes, and a client that posts to them as a load balancer would."""

    def __init__(self, servers: list[Server], client: httpx.AsyncClient) -> None:
        self.servers = servers
        self.client = client
        self.failovers = 0

    async def post(self, first: int, path: str, **kwargs: Any) -> httpx.Response:
        """POST to the `first`-th process, or the next one when that fails, until a 200 (the
        balancer does not know a process died: requests to it fail, and go to the next)."""
        for attempt in itertools.count():
            server = self.servers[(first + attempt) % len(self.servers)]
            try:
                response = await self.client.post(server.url + path, **kwargs)
            except httpx.HTTPError:
                self.failovers += 1
                await asyncio.sleep(0.1)
                continue
            if response.status_code == 200:
                return response
            assert response.status_code >= 500, (path, response.status_code, response.text)
            await asyncio.sleep(0.2)
        raise AssertionError("unreachable")


@pytest.fixture
def database(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.create(migrated=True)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop(name)


@pytest.fixture
def data_dir(
    request: pytest.FixtureRequest, trained_nlu: tuple[NluBackend, float], tmp_path: Path
) -> Path:
    """The servers' data directory, with the NLU model the run trained (no training at start)."""
    cache = request.config.cache
    if cache is None:
        pytest.skip("needs pytest's cache (the trained model)")
    data = tmp_path / "data"
    shutil.copytree(cache.mkdir("helpline-nlu") / "models", data / "models")
    return data


@contextlib.asynccontextmanager
async def three_servers(
    database: str, data: Path, logs: Path, api_url: str, key: str
) -> AsyncIterator[list[Server]]:
    env = server_env(
        database,
        data,
        api_url,
        key,
        HELPLINE_PUBLIC_URL=PUBLIC_URL,
        HELPLINE_SEND_CONCURRENCY=str(CONCURRENCY),
        HELPLINE_METRICS_TOKEN="metrics-token",
    )
    servers = [Server(env, free_port(), logs / f"server-{n}.log", data) for n in range(3)]
    try:
        await asyncio.gather(*(server.start(within=120) for server in servers))
        yield servers
    finally:
        await asyncio.gather(*(server.stop() for server in servers))


async def test_three_processes_answer_as_one(database: str, data_dir: Path, tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    telegram, twilio = TelegramStub(TELEGRAM_TOKEN), TwilioStub(ACCOUNT_SID, AUTH_TOKEN)
    stubs = Starlette(routes=[*telegram.app.routes, *twilio.app.routes])
    began = time.monotonic()
    engine = db.create_engine(database, cipher=Cipher([key]))
    sessions = db.session_factory(engine)
    try:
        async with (
            serve(stubs) as api_url,
            three_servers(database, data_dir, tmp_path, api_url, key) as servers,
            httpx.AsyncClient(timeout=15) as client,
        ):
            telegram.url = twilio.url = api_url
            started = time.monotonic()
            print(f"\n  started in {started - began:.1f} s")
            helplines = Helplines(servers, client)
            workers = await simulated_workers(helplines)
            async with asyncio.timeout(90):
                watched = await load_with_a_kill(helplines, workers, sessions)
                print(f"  load accepted in {time.monotonic() - started:.1f} s")
                await until_answered(sessions, workers)
                print(f"  answered in {time.monotonic() - started:.1f} s")
                await asyncio.sleep(1.5)  # anything sent twice late
            elapsed = time.monotonic() - started
            await check_answers(sessions, workers, telegram, twilio)
            await check_order(sessions, workers, telegram, twilio)
            await check_jobs(sessions, elapsed)
            assert watched.latency is not None, "the dashboard saw nothing of the other process"
            heard = await live_notifications_heard(client, servers[2])
            assert heard >= 1
            print(
                f"\n  {sum(len(w.accepted) for w in workers)} messages, failovers "
                f"{helplines.failovers}, dashboard latency {watched.latency:.2f} s, "
                f"notifications heard by the dashboard's process {heard:g}, "
                f"{elapsed:.0f} s in all"
            )
            telegram.end_polls()
    finally:
        await engine.dispose()


async def simulated_workers(helplines: Helplines) -> list[Simulated]:
    shuffle = random.Random(16)
    workers = []
    for n in range(WORKERS):
        for channel in ("telegram", "whatsapp", "web"):
            texts = shuffle.sample(TEXTS, MESSAGES)
            if channel == "telegram":
                address = str(810_000 + n)
            elif channel == "whatsapp":
                address = f"whatsapp:+62812{n:07d}"
            else:
                session = await helplines.post(n, "/chat/api/session")
                address = session.json()["token"]
            workers.append(Simulated(channel, address, texts))
    return workers


@dataclass
class Watched:
    latency: float | None = None  # from the message's 200 to the dashboard's event


async def load_with_a_kill(
    helplines: Helplines, workers: list[Simulated], sessions: async_sessionmaker[AsyncSession]
) -> Watched:
    telegram_stub = TelegramStub(TELEGRAM_TOKEN)  # only to build updates (ids are unique)
    telegram_stub.update_ids = itertools.count(50_000)
    validator = RequestValidator(AUTH_TOKEN)
    sids = itertools.count(1)
    total = len(workers) * MESSAGES
    accepted = 0
    killed = asyncio.Event()

    async def send(worker: Simulated, index: int, text: str, first: int) -> None:
        nonlocal accepted
        if worker.channel == "telegram":
            update = telegram_stub.text_update(int(worker.address), text)
            response = await helplines.post(
                first,
                "/webhooks/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            )
            worker.accepted.append(str(update["update_id"]))
        elif worker.channel == "whatsapp":
            params = {
                "AccountSid": ACCOUNT_SID,
                "MessageSid": f"SM{next(sids):032x}",
                "From": worker.address,
                "To": WHATSAPP_FROM,
                "Body": text,
                "NumMedia": "0",
                "ProfileName": "Siti",
                "WaId": worker.address.removeprefix("whatsapp:+"),
            }
            signature = validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", params)
            response = await helplines.post(
                first, "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
            )
            worker.accepted.append(params["MessageSid"])
        else:
            message_id = f"{worker.address[:8]}-{index}"
            response = await helplines.post(
                first,
                "/chat/api/messages",
                json={"text": text, "client_message_id": message_id},
                headers={"Authorization": f"Bearer {worker.address}"},
            )
            assert response.json()["replies"], response.text
            worker.accepted.append(message_id)
        accepted += 1
        victim = helplines.servers[1]
        by_victim = str(response.request.url).startswith(victim.url + "/")
        if accepted >= total * 0.4 and by_victim and not killed.is_set():
            # Mid-load, just after it accepted a message: that message's processing and
            # replies are half done, and others are on their way to it.
            killed.set()
            await victim.kill()

    async def write(number: int, worker: Simulated) -> None:
        pause = random.Random(number)
        for index, text in enumerate(worker.texts):
            await send(worker, index, text, first=number + index)
            await asyncio.sleep(pause.uniform(0.05, 0.3))

    watched = Watched()
    await asyncio.gather(
        *(write(n, w) for n, w in enumerate(workers)),
        watch_the_dashboard(helplines, sessions, killed, watched),
    )
    assert killed.is_set()
    return watched


async def watch_the_dashboard(
    helplines: Helplines,
    sessions: async_sessionmaker[AsyncSession],
    killed: asyncio.Event,
    watched: Watched,
) -> None:
    """A worker asks for a person on process 0; their officer opens the case on process 2; the
    worker's next message, processed by process 0, shows on process 2's dashboard at once."""
    chat, dashboard = helplines.servers[0], helplines.servers[2]
    client = helplines.client
    token = (await client.post(chat.url + "/chat/api/session")).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    async def say(text: str, message_id: str) -> None:
        response = await client.post(
            chat.url + "/chat/api/messages",
            json={"text": text, "client_message_id": message_id},
            headers=bearer,
        )
        assert response.status_code == 200, response.text

    await say("saya mau bicara dengan petugas", "live-1")
    async with sessions.begin() as session:
        case = await session.scalar(select(Case).order_by(Case.id.desc()).limit(1))
        assert case is not None and case.organisation is not None
        reference, organisation = case.reference, case.organisation
        await create_staff(
            session,
            username="rina",
            display_name="Rina",
            role="officer",
            organisation=organisation,
            known_organisations=set(Directory.load(PROJECT_ROOT).organisations),
            password=PASSWORD,
        )
    officer = httpx.AsyncClient(base_url=dashboard.url, timeout=15)
    try:
        await officer.get("/dashboard/login")
        signed_in = await officer.post(
            "/dashboard/login",
            data={
                "csrftoken": officer.cookies["helpline_csrf"],
                "username": "rina",
                "password": PASSWORD,
                "next": "/dashboard/",
            },
        )
        assert signed_in.status_code in (302, 303), signed_in.text
        await killed.wait()  # while the others take over the killed one's work
        seen: list[tuple[float, str]] = []
        opened = asyncio.Event()

        async def read() -> None:
            async with officer.stream("GET", f"/dashboard/cases/{reference}/events") as stream:
                assert stream.status_code == 200
                opened.set()
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        seen.append((time.monotonic(), line))

        reader = asyncio.ensure_future(read())
        try:
            await asyncio.wait_for(opened.wait(), 10)
            await asyncio.sleep(1.0)  # the stream sent what there was, and waits
            await say("terima kasih, saya tunggu", "live-2")
            said = time.monotonic()
            await until(lambda: any("saya tunggu" in line for _, line in seen), within=20)
            watched.latency = next(t for t, line in seen if "saya tunggu" in line) - said
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    finally:
        await officer.aclose()


async def until(condition: Callable[[], bool], within: float) -> None:
    ends = time.monotonic() + within
    while not condition():
        assert time.monotonic() < ends, "not within the time"
        await asyncio.sleep(0.05)


async def until_answered(
    sessions: async_sessionmaker[AsyncSession], workers: list[Simulated]
) -> None:
    """Every message processed and every reply to a Telegram or WhatsApp worker sent."""

    async def pending() -> int:
        async with sessions() as session:
            rows = (await session.execute(select(Message.direction, Message.status))).all()
        inbound = [s for d, s in rows if d == "in"]
        unsent = [s for d, s in rows if d == "out" and s in ("pending", "sending")]
        return len(inbound) - inbound.count("processed") + len(unsent)

    while await pending():  # noqa: ASYNC110
        await asyncio.sleep(0.25)


async def messages_by_worker(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[tuple[str, str], list[Message]]:
    async with sessions() as session:
        rows = (
            await session.execute(select(Message, Worker).join(Worker).order_by(Message.id))
        ).all()
    found: dict[tuple[str, str], list[Message]] = defaultdict(list)
    for message, worker in rows:
        found[(worker.channel, worker.channel_user_id)].append(message)
    return found


def address_of(worker: Simulated, web_users: dict[str, str]) -> tuple[str, str]:
    if worker.channel == "web":
        return ("web", web_users[worker.address])
    return (worker.channel, worker.address.removeprefix("whatsapp:"))


async def check_answers(
    sessions: async_sessionmaker[AsyncSession],
    workers: list[Simulated],
    telegram: TelegramStub,
    twilio: TwilioStub,
) -> None:
    found = await messages_by_worker(sessions)
    web_users = await web_user_ids(found, workers)
    for worker in workers:
        messages = found[address_of(worker, web_users)]
        inbound = [m for m in messages if m.direction == "in"]
        # Stored once each (a redelivery recognised), in the order written, all processed.
        assert [m.channel_message_id for m in inbound] == worker.accepted, worker.channel
        assert len(worker.accepted) == MESSAGES
        assert all(m.status == "processed" for m in inbound)
        for message in inbound:
            replies = [m for m in messages if m.in_reply_to == message.id]
            assert replies, f"{worker.channel} message {message.channel_message_id} unanswered"
            # Processed once: a second processing would store its replies again.
            assert len({r.text for r in replies}) == len(replies), [r.text for r in replies]
            assert all(r.status in ("sent", "delivered", "read") for r in replies), [
                r.status for r in replies
            ]
    # Each reply reached the stub; "sent twice" as bench/faults.py counts it, against what the
    # outbox recorded sending (parts of long messages each count).
    recorded = sum(
        max(1, m.parts_sent)
        for messages in found.values()
        for m in messages
        if m.direction == "out" and m.channel in ("telegram", "whatsapp") and m.sent_at
    )
    received = len(telegram.sent.items) + len(twilio.sent.items)
    assert received >= recorded
    twice = received - recorded
    assert twice <= CONCURRENCY, f"{twice} replies sent twice for one kill"
    by_address = Counter(str(i["chat_id"]) for i in telegram.sent.items)
    by_address.update(str(i.get("To")) for i in twilio.sent.items)
    for worker in workers:
        if worker.channel != "web":
            assert by_address[worker.address] >= MESSAGES


async def web_user_ids(
    found: dict[tuple[str, str], list[Message]], workers: list[Simulated]
) -> dict[str, str]:
    """Web chat workers by token: the user id the server derived is found by message ids."""
    by_message = {
        m.channel_message_id: user
        for (channel, user), messages in found.items()
        if channel == "web"
        for m in messages
        if m.direction == "in"
    }
    return {w.address: by_message[w.accepted[0]] for w in workers if w.channel == "web"}


async def check_order(
    sessions: async_sessionmaker[AsyncSession],
    workers: list[Simulated],
    telegram: TelegramStub,
    twilio: TwilioStub,
) -> None:
    """Each worker got the replies in the order of their messages (first arrivals)."""
    found = await messages_by_worker(sessions)
    arrived: dict[str, list[str]] = defaultdict(list)
    for item in telegram.sent.items:
        arrived[str(item["chat_id"])].append(str(item["text"]))
    for item in twilio.sent.items:
        arrived[str(item.get("To"))].append(str(item.get("Body")))
    checked = 0
    for worker in workers:
        if worker.channel == "web":
            continue  # answered in place, in each message's own response
        replies = [m for m in found[address_of(worker, {})] if m.direction == "out"]
        texts = arrived[worker.address]
        firsts: list[tuple[int, int]] = []  # (the message replied to, where it first arrived)
        for reply in replies:
            head = reply.text[:40]
            if sum(1 for r in replies if r.text[:40] == head) > 1:
                continue  # the same words twice: which arrival is which cannot be told
            at = next((i for i, text in enumerate(texts) if head in text), None)
            assert at is not None, f"never arrived: {head!r}"
            assert reply.in_reply_to is not None
            firsts.append((reply.in_reply_to, at))
        positions = [at for _, at in sorted(firsts)]
        assert positions == sorted(positions), (worker.channel, firsts)
        checked += len(positions)
    assert checked >= WORKERS * 2 * MESSAGES


async def check_jobs(sessions: async_sessionmaker[AsyncSession], elapsed: float) -> None:
    """Each job ran once per due time across the three (a job every minute: once)."""
    async with sessions() as session:
        jobs = (await session.scalars(select(ScheduledJob))).all()
    assert {j.name for j in jobs} == {
        "flag_overdue",
        "flag_unclaimed",
        "waiting_notice",
        "staff_chat",
        "daily_digest",
        "retention",
        "awareness",
    }
    for job in jobs:
        assert job.last_run_at is not None
        every = (job.due_at - job.last_run_at).total_seconds()
        assert 1 <= job.runs <= 1 + int(elapsed // every), (job.name, job.runs, every)


async def live_notifications_heard(client: httpx.AsyncClient, server: Server) -> float:
    response = await client.get(
        server.url + "/metrics", headers={"Authorization": "Bearer metrics-token"}
    )
    response.raise_for_status()
    for line in response.text.splitlines():
        if line.startswith('helpline_live_notifications_total{direction="heard"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
