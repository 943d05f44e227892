"""The inbound webhook path in process: statements, transactions and CPU time a message.

.venv/bin/python bench/inbound.py --database sqlite          # counts, CPU a message
.venv/bin/python bench/inbound.py --database postgres --sql  # and the statements of one
.venv/bin/python bench/inbound.py --cprofile                 # and the top functions

The runtime is built as `helpline run` builds it (bot/runtime.py) on a fresh database, and
WhatsApp messages go through `Receiver.receive`, as the signed webhook hands them over after
its checks: stored (the webhook's answer waits for this commit), then the retrier's attempt
claims and processes them. Each message is waited for (`Receiver.idle`) before the next, so
the figures are the path's own work: no HTTP, no outbox (its sending is not counted), no
background loops. Returning workers, four messages each, from a rights question to thanks.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.launch import fresh_database  # noqa: E402
from bench.load import POSTGRES_URL  # noqa: E402
from bot import logs  # noqa: E402
from bot.channels.inbound import Receiver  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from bot.runtime import build, build_nlu  # noqa: E402
from bot.settings import Settings  # noqa: E402

TEXTS = ("halo", "sy di malaysia", "gaji sy blm dibayar 3 bulan", "terima kasih")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=100, help="each sends 4 messages")
    parser.add_argument("--sql", action="store_true", help="print the statements of one message")
    parser.add_argument("--cprofile", action="store_true", help="and the top 40 functions")
    args = parser.parse_args()
    logs.configure("warning")
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(args.database, Path(tmp) / "inbound.db", POSTGRES_URL)
        settings = Settings(database_url=url, data_dir=Path(tmp), content_dir=ROOT)
        nlu = build_nlu(Settings(data_dir=ROOT / "var" / "bench-models"))
        runtime = await build(settings, nlu=nlu)
        try:
            await measure(runtime, args.workers, sql=args.sql, profile=args.cprofile)
        finally:
            await runtime.close()


async def measure(runtime: Any, workers: int, *, sql: bool, profile: bool) -> None:
    receiver = Receiver(runtime.engine)
    counts = {"statements": 0, "transactions": 0, "checkouts": 0}
    shown: list[str] | None = None

    def statement(_c: Any, _cursor: Any, text: str, *_: Any) -> None:
        counts["statements"] += 1
        if shown is not None:
            shown.append(" ".join(text.split())[:160])

    def count(key: str) -> Any:
        return lambda *_: counts.__setitem__(key, counts[key] + 1)

    database = runtime.database.sync_engine
    event.listen(database, "before_cursor_execute", statement)
    event.listen(database, "begin", count("transactions"))
    event.listen(database.pool, "checkout", count("checkouts"))
    sent = 0

    async def send(user: str, text: str) -> None:
        nonlocal sent
        sent += 1
        await receiver.receive(Inbound("whatsapp", user, text, channel_message_id=f"SM{sent}"))
        await receiver.idle()

    # Warm-up: statement compilation, content, the NLU; each worker's first message.
    for n in range(20):
        for text in TEXTS:
            await send(f"+62811{n:07d}", text)
    if sql:
        shown = []
        await send("+628110000000", "sy di malaysia")
        print("the statements of a returning worker's message:")
        for line in shown:
            print("   ", line)
        shown = None
    profiler = cProfile.Profile() if profile else None
    totals = dict.fromkeys(counts, 0)
    cpu = wall = 0.0
    for n in range(workers):
        await send(f"+62812{n:07d}", "halo")  # a new worker: not counted
        before = dict(counts)
        cpu -= time.process_time()
        wall -= time.perf_counter()
        if profiler:
            profiler.enable()
        for text in TEXTS[1:]:
            await send(f"+62812{n:07d}", text)
        if profiler:
            profiler.disable()
        cpu += time.process_time()
        wall += time.perf_counter()
        for key in counts:
            totals[key] += counts[key] - before[key]
    messages = 3 * workers
    print(
        f"{runtime.database.dialect.name}: {messages} messages of returning workers, one at a "
        "time: " + ", ".join(f"{v / messages:.2f} {k}" for k, v in totals.items()) + " a message"
    )
    print(
        f"  CPU {1000 * cpu / messages:.2f} ms a message (this process), "
        f"wall {1000 * wall / messages:.2f} ms"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    asyncio.run(main())
