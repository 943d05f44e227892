"""Fault benchmark: is every message the helpline accepted answered, once, whatever breaks?

.venv/bin/python bench/faults.py --database sqlite
.venv/bin/python bench/faults.py --database postgres   # HELPLINE_BENCH_POSTGRES_URL's server
.venv/bin/python bench/faults.py --smoke                # a short run: one kill, one API fault

A real server (`helpline run` in a subprocess) serves signed Telegram and Twilio webhooks;
the channel APIs it sends through are the tests' stubs (tests/channels/stubs.py), served by
this process behind a switch that makes them fail. Simulated workers each send one message,
redelivered every second until the server answers 200 (as Telegram and Twilio do), while
the faults below happen in turn:

  kill       SIGKILL of the server, restarted at once (the fault ends when it answers again)
  database   PostgreSQL: every connection of the server terminated (pg_terminate_backend),
             twice a second; SQLite: another process holds the write lock
  api-500    the channel APIs answer 500
  api-429    the channel APIs answer 429 (retry after 1 s)
  api-hang   the channel APIs hang 12 s, then answer 504 (past Telegram's client timeout)

It prints how many messages were accepted (HTTP 200), answered (a reply reached the worker's
chat), lost (accepted, never answered), sent twice (a reply the worker got twice) and how
long after the fault that held it up each was answered. Targets: lost = 0, every message
answered within 10 s of the end of the fault that held it up, sent twice at most
HELPLINE_SEND_CONCURRENCY per kill.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.types import Receive, Scope, Send  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from bench.launch import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WHATSAPP_FROM,
    Server,
    asyncpg_url,
    free_port,
    fresh_database,
    server_env,
)
from tests.channels.stubs import TelegramStub, TwilioStub  # noqa: E402
from tests.live import serve  # noqa: E402

DATA = ROOT / "var" / "bench-faults"
POSTGRES_URL = os.environ.get(
    "HELPLINE_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/helpline_faults"
)
TEXTS = [
    "halo",
    "gaji saya belum dibayar 3 bulan",
    "paspor saya ditahan majikan",
    "hi, my salary has not been paid",
    "apa itu bpjs ketenagakerjaan",
    "sy di taiwan, boleh ganti majikan?",
    "bagaimana cara pulang ke indonesia",
    "terima kasih",
]
LATE = 10.0  # seconds after the fault ended
HANG = 12.0


@dataclass
class Fault:
    name: str
    start: float
    end: float = 0.0


@dataclass
class Worker:
    channel: str  # "telegram" | "whatsapp"
    address: str  # the chat id, or the WhatsApp number
    text: str
    accepted_at: float | None = None
    answered_at: float | None = None
    attempts: int = 0


class FaultyApi:
    """The stubs' app behind a switch: while `mode` is set, sends fail that way."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.mode: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        sending = path.endswith("/sendMessage") or path.endswith("/Messages.json")
        mode = self.mode
        if not sending or mode is None:
            await self.app(scope, receive, send)
            return
        telegram = path.endswith("/sendMessage")
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        if mode == "api-hang":
            await asyncio.sleep(HANG)
            status, body = 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        elif mode == "api-429":
            status = 429
            if telegram:
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            else:
                body = {"code": 20429, "message": "Too Many Requests", "status": 429}
                headers.append((b"retry-after", b"1"))
        else:
            status = 500
            body = (
                {"ok": False, "error_code": 500, "description": "Internal Server Error"}
                if telegram
                else {"code": 20500, "message": "Internal Server Error", "status": 500}
            )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


class Bench:
    def __init__(self, database: str, duration: float, rate: float, seed: int) -> None:
        self.database = database
        self.duration = duration
        self.rate = rate
        self.random = random.Random(seed)
        self.telegram = TelegramStub(TELEGRAM_TOKEN)
        self.twilio = TwilioStub(ACCOUNT_SID, AUTH_TOKEN)
        self.api = FaultyApi(Starlette(routes=[*self.telegram.app.routes, *self.twilio.app.routes]))
        self.validator = RequestValidator(AUTH_TOKEN)
        self.workers: list[Worker] = []
        self.faults: list[Fault] = []
        self.kills = 0
        self.t0 = time.monotonic()
        self.sids = itertools.count(1)

    def now(self) -> float:
        return time.monotonic() - self.t0

    # The workers ---------------------------------------------------------------------------

    def new_worker(self, n: int) -> Worker:
        text = self.random.choice(TEXTS)
        if n % 2:
            return Worker("whatsapp", f"whatsapp:+6281{n:08d}", text)
        return Worker("telegram", str(700_000 + n), text)

    async def deliver(self, client: httpx.AsyncClient, server: Server, worker: Worker) -> None:
        """Post the update until the server answers 200, once a second (as the channels do)."""
        if worker.channel == "telegram":
            update = self.telegram.text_update(int(worker.address), worker.text)
        else:
            params = {
                "AccountSid": ACCOUNT_SID,
                "MessageSid": f"SM{next(self.sids):032x}",
                "From": worker.address,
                "To": WHATSAPP_FROM,
                "Body": worker.text,
                "NumMedia": "0",
                "ProfileName": "Siti",
                "WaId": worker.address.removeprefix("whatsapp:+"),
            }
            signature = self.validator.compute_signature(PUBLIC_URL + "/webhooks/twilio", params)
        while True:
            worker.attempts += 1
            try:
                if worker.channel == "telegram":
                    response = await client.post(
                        server.url + "/webhooks/telegram",
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                    )
                else:
                    response = await client.post(
                        server.url + "/webhooks/twilio",
                        data=params,
                        headers={"X-Twilio-Signature": signature},
                    )
                if response.status_code == 200:
                    worker.accepted_at = worker.accepted_at or self.now()
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(1.0)

    async def watch_replies(self) -> None:
        """When each worker's first reply reached their chat."""
        by_address = {w.address: w for w in self.workers}
        seen_telegram = seen_twilio = 0
        while True:
            for item in self.telegram.sent.items[seen_telegram:]:
                worker = by_address.get(str(item["chat_id"]))
                if worker is not None and worker.answered_at is None:
                    worker.answered_at = self.now()
            seen_telegram = len(self.telegram.sent.items)
            for item in self.twilio.sent.items[seen_twilio:]:
                worker = by_address.get(str(item.get("To")))
                if worker is not None and worker.answered_at is None:
                    worker.answered_at = self.now()
            seen_twilio = len(self.twilio.sent.items)
            await asyncio.sleep(0.05)

    def sent_twice(self) -> int:
        sent = Counter((str(i["chat_id"]), i["text"]) for i in self.telegram.sent.items)
        sent.update((str(i.get("To")), i.get("Body")) for i in self.twilio.sent.items)
        return sum(count - 1 for count in sent.values())

    # The faults ----------------------------------------------------------------------------

    async def fault(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        fault = Fault(name, self.now())
        self.faults.append(fault)
        await work()
        fault.end = self.now() + (HANG if name == "api-hang" else 0.0)
        print(f"  {fault.start:6.1f} s  {name:9} {fault.end - fault.start:5.1f} s", flush=True)

    async def kill(self, server: Server) -> None:
        await server.kill()
        self.kills += 1
        await server.start()

    def api_fault(self, mode: str, seconds: float) -> Callable[[], Awaitable[None]]:
        async def work() -> None:
            self.api.mode = mode
            await asyncio.sleep(seconds)
            self.api.mode = None

        return work

    def database_fault(self, url: str, seconds: float) -> Callable[[], Awaitable[None]]:
        async def terminate() -> None:
            import asyncpg

            name = url.rsplit("/", 1)[1].split("?")[0]
            connection = await asyncpg.connect(asyncpg_url(url, "postgres"))
            try:
                ends = time.monotonic() + seconds
                while time.monotonic() < ends:
                    await connection.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()",
                        name,
                    )
                    await asyncio.sleep(0.5)
            finally:
                await connection.close()

        async def lock() -> None:
            path = url.split(":///", 1)[1]
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                await asyncio.sleep(seconds)
                connection.execute("ROLLBACK")
            finally:
                connection.close()

        return terminate if url.startswith("postgresql") else lock

    async def run(self, server: Server, database_url: str, plan: list[tuple[float, str]]) -> None:
        count = int(self.duration * self.rate)
        self.workers = [self.new_worker(n) for n in range(count)]
        watcher = asyncio.ensure_future(self.watch_replies())
        deliveries: list[asyncio.Task[None]] = []

        async def faults() -> None:
            for at, name in plan:
                await asyncio.sleep(max(0.0, at - self.now()))
                if name == "kill":
                    await self.fault(name, lambda: self.kill(server))
                elif name == "database":
                    await self.fault(name, self.database_fault(database_url, 5.0))
                else:
                    await self.fault(name, self.api_fault(name, 4.0))

        async with httpx.AsyncClient(timeout=10) as client:
            self.t0 = time.monotonic()
            faulting = asyncio.ensure_future(faults())
            for n, worker in enumerate(self.workers):
                await asyncio.sleep(max(0.0, n / self.rate - self.now()))
                deliveries.append(asyncio.ensure_future(self.deliver(client, server, worker)))
            await faulting
            await asyncio.gather(*deliveries)
            # Then wait for the last answers (at most a minute).
            ends = time.monotonic() + 60
            while time.monotonic() < ends and any(w.answered_at is None for w in self.workers):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # anything sent twice late
        watcher.cancel()

    def lateness(self, worker: Worker) -> float:
        """Seconds from the later of acceptance and the end of the last fault before the answer."""
        assert worker.accepted_at is not None and worker.answered_at is not None
        ends = [f.end for f in self.faults if f.start <= worker.answered_at]
        return worker.answered_at - max([worker.accepted_at, *ends])

    def report(self, concurrency: int) -> bool:
        accepted = [w for w in self.workers if w.accepted_at is not None]
        answered = [w for w in accepted if w.answered_at is not None]
        late = [w for w in answered if self.lateness(w) > LATE]
        lost = len(accepted) - len(answered)
        twice = self.sent_twice()
        worst = max((self.lateness(w) for w in answered), default=0.0)
        print(
            f"\n{self.database}: sent {len(self.workers)}  accepted {len(accepted)}  "
            f"answered {len(answered)}  lost {lost}  sent twice {twice} "
            f"(kills {self.kills}, send concurrency {concurrency})\n"
            f"  answered later than {LATE:.0f} s after the fault ended: {len(late)} "
            f"(worst {worst:.1f} s); redeliveries {sum(w.attempts - 1 for w in self.workers)}"
        )
        ok = lost == 0 and not late and twice <= concurrency * self.kills
        print("  targets met" if ok else "  TARGETS MISSED")
        return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=float, default=70.0, help="seconds of load")
    parser.add_argument("--rate", type=float, default=5.0, help="new workers a second")
    parser.add_argument("--concurrency", type=int, default=8, help="HELPLINE_SEND_CONCURRENCY")
    parser.add_argument("--smoke", action="store_true", help="20 s: one kill, one API fault")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.smoke:
        args.duration = 12.0
        plan = [(3.0, "kill"), (7.0, "api-500")]
    else:
        plan = [
            (6.0, "kill"),
            (16.0, "database"),
            (26.0, "api-500"),
            (34.0, "api-429"),
            (42.0, "api-hang"),
            (58.0, "database"),
            (64.0, "kill"),
        ]
    DATA.mkdir(parents=True, exist_ok=True)
    log = DATA / f"server-{args.database}.log"
    log.unlink(missing_ok=True)
    database_url = await fresh_database(args.database, DATA / "faults.db", POSTGRES_URL)
    bench = Bench(args.database, args.duration, args.rate, args.seed)
    async with serve(bench.api) as api_url:
        bench.telegram.url = bench.twilio.url = api_url
        env = server_env(
            database_url,
            DATA,
            api_url,
            Fernet.generate_key().decode(),
            HELPLINE_SEND_CONCURRENCY=str(args.concurrency),
        )
        server = Server(env, free_port(), log, DATA)
        print(f"starting the server on {args.database} ...", flush=True)
        took = await server.start()
        print(f"  up in {took:.1f} s; {args.duration:.0f} s of load at {args.rate}/s; faults:")
        try:
            await bench.run(server, database_url, plan)
        finally:
            await server.stop()
            bench.telegram.end_polls()
    return 0 if bench.report(args.concurrency) else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(asyncio.run(main()))
