"""Where a message's time goes: the engine's stages, timed one message at a time, in process.

.venv/bin/python bench/stages.py --database sqlite            # per stage, SQL statements
.venv/bin/python bench/stages.py --database postgres --cprofile  # and the top functions

The runtime is built as `helpline run` builds it (bot/runtime.py: the case desk's hooks, the
embedded NLU, the project's content) on a fresh database; the corpus's conversations
(tests/conversations/corpus/, weighed as bench/load.py weighs them) go through
`Engine.handle` as web chat messages, one after another, so nothing waits for anything but
the work itself. Each stage is timed from outside (wrapped, not changed), and the SQL
statements each message sends are counted.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.launch import fresh_database  # noqa: E402
from bench.load import POSTGRES_URL, conversations  # noqa: E402
from bot import logs  # noqa: E402
from bot.messages import Inbound  # noqa: E402
from bot.runtime import build, build_nlu  # noqa: E402
from bot.settings import Settings  # noqa: E402

STAGES = ("store", "understand", "lock+load", "hooks.context", "decide", "after_decision")


class Timer:
    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap_async(self, owner: Any, name: str, stage: str) -> None:
        original: Callable[..., Awaitable[Any]] = getattr(owner, name)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - started

        setattr(owner, name, timed)

    def wrap_sync(self, owner: Any, name: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - started

        setattr(owner, name, timed)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--cprofile", action="store_true", help="and the top 40 functions")
    parser.add_argument("--sql", action="store_true", help="print the statements of 3 messages")
    args = parser.parse_args()
    logs.configure("warning")
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(args.database, Path(tmp) / "stages.db", POSTGRES_URL)
        settings = Settings(database_url=url, data_dir=Path(tmp), content_dir=ROOT)
        nlu = build_nlu(Settings(data_dir=ROOT / "var" / "bench-models"))
        runtime = await build(settings, nlu=nlu)
        try:
            if args.sql:
                await show_sql(runtime)
            else:
                await measure(runtime, args.messages, args.cprofile)
        finally:
            await runtime.close()


async def show_sql(runtime: Any) -> None:
    """The statements of a worker's second and third messages (a rights question)."""
    engine = runtime.engine
    await engine.handle(Inbound("web", "sql", "halo", channel_message_id="1"))

    def show(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        print("   ", " ".join(statement.split())[:160])

    event.listen(runtime.database.sync_engine, "before_cursor_execute", show)
    for n, text in enumerate(["sy di malaysia", "gaji sy blm dibayar 3 bulan"], 2):
        print(f"message {n}: {text}")
        await engine.handle(Inbound("web", "sql", text, channel_message_id=str(n)))


async def measure(runtime: Any, count: int, profile: bool) -> None:
    engine = runtime.engine
    statements = 0

    def counted(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(runtime.database.sync_engine, "before_cursor_execute", counted)
    scripts = conversations()
    rng = random.Random(1)
    weights = [w for w, _ in scripts]
    texts: list[tuple[str, str]] = []
    n = 0
    while len(texts) < count + 100:
        n += 1
        texts += [(f"w{n}", say) for say in rng.choices(scripts, weights)[0][1]]
    # The first 100 warm the caches (statement compilation, content, the NLU).
    for user, say in texts[:100]:
        await engine.handle(Inbound("web", user, say, channel_message_id=f"{user}-{say}"))
    timer = Timer()
    timer.wrap_async(engine, "_store", "store")
    timer.wrap_async(engine, "_understand", "understand")
    timer.wrap_async(engine.hooks, "context", "hooks.context")
    timer.wrap_async(engine.hooks, "after_decision", "after_decision")
    timer.wrap_sync(engine.policy, "decide", "decide")
    statements = 0
    took: list[float] = []
    profiler = cProfile.Profile() if profile else None
    started_all = time.perf_counter()
    cpu = time.process_time()
    for i, (user, say) in enumerate(texts[100 : 100 + count]):
        inbound = Inbound("web", f"{user}", say, channel_message_id=f"m{i}")
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        await engine.handle(inbound)
        if profiler:
            profiler.disable()
        took.append(time.perf_counter() - started)
    total = time.perf_counter() - started_all
    cpu = time.process_time() - cpu
    whole = sum(took)
    print(f"{runtime.database.dialect.name}: {count} messages, one at a time")
    print(
        f"  {1000 * whole / count:.2f} ms a message (p50 {1000 * statistics.median(took):.2f}, "
        f"p99 {1000 * statistics.quantiles(took, n=100)[98]:.2f}); {count / total:.0f} msg/s; "
        f"{statements / count:.1f} SQL statements a message; "
        f"{1000 * cpu / count:.2f} ms of this process's CPU a message"
    )
    accounted = 0.0
    for stage in ("store", "understand", "hooks.context", "decide", "after_decision"):
        spent = timer.spent[stage]
        accounted += spent
        print(f"  {stage:16} {1000 * spent / count:6.2f} ms  {100 * spent / whole:5.1f}%")
    rest = whole - accounted
    print(
        f"  {'the rest':16} {1000 * rest / count:6.2f} ms  {100 * rest / whole:5.1f}%"
        "  (the lock, loading worker and conversation, writing the outcome, commit)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    asyncio.run(main())
