"""The outbox alone: CPU, SQL statements and transactions for each message it sends.

.venv/bin/python bench/outbox.py --channel whatsapp               # SQLite, Twilio's stub
.venv/bin/python bench/outbox.py --channel telegram --database postgres

A fresh database gets `--workers` workers on the channel, each of whom wrote a moment ago (the
WhatsApp window is open) and has `--each` replies pending. `Outbox.run()` (as the server runs
it: `--concurrency` sends at once, the channel's shared pacer at `--rate` a second) sends them
all through the real channel adapter to the tests' stub of the channel's API, served by a
child process so that its CPU is not counted. Printed: this process's CPU time a message sent
(the outbox, the adapter, the driver), SQL statements and transactions (commits) a message,
and the wall time from start until everything is marked sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from bench.launch import (  # noqa: E402
    ACCOUNT_SID,
    AUTH_TOKEN,
    TELEGRAM_TOKEN,
    WHATSAPP_FROM,
    free_port,
    fresh_database,
)
from bench.load import POSTGRES_URL  # noqa: E402
from bot import logs  # noqa: E402
from bot.outbox import Outbox, Sender, SharedPacer  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.crypto import Cipher  # noqa: E402
from bot.storage.models import Direction, Message, MessageStatus, Worker, utcnow  # noqa: E402


def serve_stub(port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette

    from tests.channels.stubs import TelegramStub, TwilioStub

    telegram, twilio = TelegramStub(TELEGRAM_TOKEN), TwilioStub(ACCOUNT_SID, AUTH_TOKEN)
    app = Starlette(routes=[*telegram.app.routes, *twilio.app.routes])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def _seed(sessions: Any, channel: str, workers: int, each: int, cipher: Cipher) -> int:
    now = utcnow()
    async with sessions.begin() as session:
        for n in range(workers):
            user = str(1_000_000 + n) if channel == "telegram" else f"+62812{n:07d}"
            worker = Worker(
                channel=channel,
                channel_user_hash=cipher.lookup_hash(user),
                channel_user_id=user,
                language="id",
                last_seen_at=now,
            )
            session.add(worker)
            await session.flush()
            rows: list[dict[str, Any]] = [
                {
                    "worker_id": worker.id,
                    "direction": Direction.IN,
                    "channel": channel,
                    "channel_message_id": f"in-{n}",
                    "text": "halo",
                    "status": MessageStatus.PROCESSED,
                    "received_at": now,
                    "created_at": now,
                }
            ]
            rows += [
                {
                    "worker_id": worker.id,
                    "direction": Direction.OUT,
                    "channel": channel,
                    "text": f"Balasan {k} untuk pekerja {n}: terima kasih sudah menghubungi kami.",
                    "status": MessageStatus.PENDING,
                    "quick_replies": [{"title": "Menu", "payload": "/menu"}],
                    "created_at": now,
                }
                for k in range(each)
            ]
            for row in rows:
                await session.execute(insert(Message).values(**row))
    return workers * each


def _sender(channel: str, api_url: str) -> tuple[Sender, Any]:
    if channel == "telegram":
        from bot.channels.telegram import TelegramSender, build_bot, close_bot

        bot = build_bot(TELEGRAM_TOKEN, api_url)
        return TelegramSender(bot), lambda: close_bot(bot)
    from bot.channels.whatsapp import WhatsAppChannel

    whatsapp = WhatsAppChannel(
        ACCOUNT_SID,
        AUTH_TOKEN,
        WHATSAPP_FROM,
        public_url="https://helpline.example",
        api_url=api_url,
    )
    return whatsapp.sender, whatsapp.stop


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--channel", choices=["whatsapp", "telegram"], default="whatsapp")
    parser.add_argument("--workers", type=int, default=150)
    parser.add_argument("--each", type=int, default=2, help="replies pending for each worker")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=None, help="sends a second (the channel's)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run here")
    args = parser.parse_args()
    logs.configure("warning")  # as the servers of bench/load.py log

    port = free_port()
    stub = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__)), "--stub", str(port)
    )
    api_url = f"http://127.0.0.1:{port}"
    key = Fernet.generate_key().decode()
    cipher = Cipher([key])
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(args.database, Path(tmp) / "outbox.db", POSTGRES_URL)
        engine = db.create_engine(url, cipher=cipher)
        watcher = db.create_engine(url, cipher=cipher)  # not counted
        try:
            await db.migrate(engine)
            sessions = db.session_factory(engine)
            total = await _seed(sessions, args.channel, args.workers, args.each, cipher)
            sender, close = _sender(args.channel, api_url)
            for _ in range(100):  # the stub is up
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                await asyncio.sleep(0.1)
            if args.rate is None:
                from bot.channels import telegram, whatsapp

                module = telegram if args.channel == "telegram" else whatsapp
                args.rate = float(module.PER_SECOND)
            pacer = SharedPacer(sessions, args.channel, args.rate)
            outbox = Outbox(
                sessions,
                {args.channel: sender},
                pacers={args.channel: pacer},
                concurrency=args.concurrency,
            )
            counts = {"statements": 0, "commits": 0}

            def statement(*_: Any) -> None:
                counts["statements"] += 1

            def commit(*_: Any) -> None:
                counts["commits"] += 1

            event.listen(engine.sync_engine, "before_cursor_execute", statement)
            event.listen(engine.sync_engine, "commit", commit)
            profile = None
            if args.profile:
                import cProfile

                profile = cProfile.Profile()
                profile.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            running = asyncio.ensure_future(outbox.run())
            sent = 0
            while sent < total:
                await asyncio.sleep(0.05)
                async with watcher.connect() as connection:
                    sent = int(
                        await connection.scalar(
                            select(func.count())
                            .select_from(Message)
                            .where(Message.direction == Direction.OUT, Message.sent_at.is_not(None))
                        )
                        or 0
                    )
                if time.perf_counter() - wall > 300:
                    raise SystemExit(f"only {sent} of {total} sent in 300 s")
            wall = time.perf_counter() - wall
            cpu = time.process_time() - cpu
            if profile is not None:
                profile.disable()
                profile.dump_stats(str(args.profile))
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            await close()
        finally:
            await engine.dispose()
            await watcher.dispose()
            stub.terminate()
            await stub.wait()
    print(
        f"{args.channel} on {args.database}: {total} messages in {wall:.1f} s "
        f"({total / wall:.1f}/s at a limit of {args.rate:g}/s); "
        f"CPU {1000 * cpu / total:.2f} ms a message (this process, watcher included); "
        f"{counts['statements'] / total:.2f} statements and "
        f"{counts['commits'] / total:.2f} transactions a message"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stub"]:
        serve_stub(int(sys.argv[2]))
        sys.exit(0)
    asyncio.run(main())
