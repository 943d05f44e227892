"""Start-up and size benchmark: how soon `helpline run` answers, how much memory it holds, and
how fast `helpline parse` answers one message at a time.

.venv/bin/python bench/start.py                  # everything, 5 restarts
.venv/bin/python bench/start.py --runs 9 --messages 1000
.venv/bin/python bench/start.py --only parse     # or: start, memory

- start: `helpline run` in a subprocess (bench/launch.py) on SQLite in a temporary data
  directory. The first start is cold (no cached model: it trains, and creates the database;
  Python compiles the modules, kept in the data directory: see bench_env);
  each later start is a restart (the model cached in the data directory, the database
  migrated). Timed from launching the process until `/health` answers 200; the server builds
  the runtime, NLU included, before it listens, so a health answer means the NLU is loaded
  (`/health` reports the backend, checked). The server's own CPU time at that moment (from
  /proc) is printed beside the wall time: on a shared machine it is the steadier figure.
- memory: VmRSS and VmHWM (/proc/PID/status) of the server at ready, and after `--messages`
  messages through the web chat API (POST /chat/api/session, then POST /chat/api/messages
  with the bearer token, one at a time per simulated worker), texts from bench/heldout/.
- parse: `helpline parse` in a subprocess, each held-out message written to its stdin and
  its JSON line awaited before the next: p50/p99 of that round trip, and p50/p99 of the parse
  process's CPU time for each message (/proc/PID/task/*/schedstat, nanoseconds): on a shared
  machine the wall-clock p99 is mostly waiting for a CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.launch import Server, free_port  # noqa: E402

HELDOUT = ROOT / "bench" / "heldout"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def heldout_texts() -> list[str]:
    """The held-out messages of both languages, in file order."""
    from bot.nlu.data import load_rasa

    return [e.text for lang in ("id", "en") for e in load_rasa(HELDOUT / f"{lang}.yml")]


def helpline_command() -> list[str]:
    helpline = ROOT / ".venv" / "bin" / "helpline"
    return [str(helpline)] if helpline.exists() else [sys.executable, "-m", "bot.cli"]


def bench_env(data: Path, bytecode: bool = True) -> dict[str, str]:
    """A helpline on SQLite in `data`, no channel configured (the web chat only).

    With `bytecode`, Python keeps the compiled modules in `data`/pycache (written by the cold
    start, read by the restarts), as an installed helpline has them (the Docker image compiles
    them when it is built) whatever PYTHONDONTWRITEBYTECODE says here; without, it inherits
    this environment's setting (PYTHONDONTWRITEBYTECODE=1 on the developers' machines: every
    start compiles bot/ from source, ~0.3 s)."""
    from cryptography.fernet import Fernet

    key_file = data / "bench.key"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")},
        "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'helpline.db'}",
        "HELPLINE_DATA_DIR": str(data),
        "HELPLINE_ENCRYPTION_KEYS": key_file.read_text(),
        "HELPLINE_LOG_LEVEL": "warning",
    }
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(data / "pycache")
    return env


# /proc ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    rss: int  # bytes resident now (VmRSS)
    peak: int  # the most ever resident (VmHWM)

    def __str__(self) -> str:
        return f"VmRSS {self.rss / 2**20:.0f} MiB, VmHWM {self.peak / 2**20:.0f} MiB"


def memory(pid: int, proc: Path = Path("/proc")) -> Memory:
    fields: dict[str, int] = {}
    for line in (proc / str(pid) / "status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024  # kB
    return Memory(fields["VmRSS"], fields["VmHWM"])


def cpu_seconds(pid: int, proc: Path = Path("/proc")) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat, fields 14 and 15)."""
    stat = (proc / str(pid) / "stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_nanoseconds(pid: int, proc: Path = Path("/proc")) -> int:
    """CPU time of all a process's threads so far, in ns (/proc/PID/task/*/schedstat, first
    field): fine enough to time one message, and unaffected by waiting for a CPU."""
    total = 0
    for task in (proc / str(pid) / "task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that just ended
            total += int((task / "schedstat").read_text().split()[0])
    return total


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def spread(values: Sequence[float], unit: str = "s", scale: float = 1.0) -> str:
    return (
        f"median {statistics.median(values) * scale:.2f} {unit},"
        f" max {max(values) * scale:.2f} {unit} (of {len(values)})"
    )


# start and memory -----------------------------------------------------------------------------


@dataclass
class Start:
    seconds: float  # launch -> /health 200
    cpu: float  # the server's CPU seconds at that moment
    ready: Memory
    health: dict[str, object]


async def start(server: Server) -> Start:
    seconds = await server.start(
        within=300, command=[*helpline_command(), "run", "--port", str(server.port)]
    )
    assert server.process is not None
    pid = server.process.pid
    cpu, ready = cpu_seconds(pid), memory(pid)
    async with httpx.AsyncClient(timeout=10) as client:
        health = (await client.get(server.url + "/health")).json()
    if not health.get("nlu"):
        raise RuntimeError(f"/health does not report the NLU: {health}")
    return Start(seconds, cpu, ready, health)


async def chat(url: str, texts: Sequence[str], count: int, workers: int = 4) -> int:
    """`count` messages through the web chat API, `workers` simulated workers at a time, each
    writing 10 messages in a conversation of its own; the number answered."""
    queue = iter(itertools.islice(itertools.cycle(texts), count))
    answered = 0

    async def worker(client: httpx.AsyncClient, slot: int) -> None:
        nonlocal answered
        token = ""
        for n, text in enumerate(queue, 1):
            if n % 10 == 1:
                session = await client.post(url + "/chat/api/session")
                session.raise_for_status()
                token = session.json()["token"]
            response = await client.post(
                url + "/chat/api/messages",
                json={"text": text, "client_message_id": f"s{slot}-{n}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            if response.json().get("replies"):
                answered += 1

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(worker(client, slot) for slot in range(workers)))
    return answered


async def bench_start(
    runs: int, messages: int, texts: Sequence[str], bytecode: bool = True
) -> None:
    with tempfile.TemporaryDirectory(prefix="helpline-start-") as tmp:
        data = Path(tmp)
        env = bench_env(data, bytecode)
        starts: list[Start] = []
        for run in range(runs + 1):
            server = Server(env, free_port(), data / "server.log", data)
            try:
                s = await start(server)
                label = "cold (trains, new database)" if run == 0 else f"restart {run}"
                print(
                    f"  {label:28} ready in {s.seconds:.2f} s (server CPU {s.cpu:.2f} s);"
                    f" {s.ready}; /health {s.health}",
                    flush=True,
                )
                starts.append(s)
                if run == runs and messages:
                    assert server.process is not None
                    took = time.monotonic()
                    answered = await chat(server.url, texts, messages)
                    took = time.monotonic() - took
                    after = memory(server.process.pid)
                    print(
                        f"  after {messages} web chat messages ({answered} answered,"
                        f" {took:.1f} s): {after}",
                        flush=True,
                    )
            finally:
                await server.stop()
        warm = starts[1:]
        print()
        print(f"start (cold): {starts[0].seconds:.2f} s, server CPU {starts[0].cpu:.2f} s")
        if warm:
            print(f"start (restart): {spread([s.seconds for s in warm])}")
            print(f"  server CPU at ready: {spread([s.cpu for s in warm])}")
            rss = [s.ready.rss for s in warm]
            print(f"  VmRSS at ready: {spread(rss, 'MiB', 2**-20)}")


# parse ----------------------------------------------------------------------------------------


def bench_parse(texts: Sequence[str], passes: int) -> list[float]:
    """Round trip of each message through one `helpline parse` process, one at a time."""
    with tempfile.TemporaryDirectory(prefix="helpline-parse-") as tmp:
        env = bench_env(Path(tmp))
        env["HELPLINE_DATA_DIR"] = str(ROOT / "var")  # the model cached by `helpline run`
        process = subprocess.Popen(
            [*helpline_command(), "parse"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
            bufsize=1,
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            times: list[float] = []
            cpu_times: list[float] = []
            # The first answer includes loading (or training) the model: not counted.
            process.stdin.write("halo\n")
            process.stdin.flush()
            process.stdout.readline()
            cpu_before = cpu_seconds(process.pid)
            for _ in range(passes):
                for text in texts:
                    line = text.replace("\n", " ") + "\n"
                    cpu_started = cpu_nanoseconds(process.pid)
                    started = time.perf_counter()
                    process.stdin.write(line)
                    process.stdin.flush()
                    if not process.stdout.readline():
                        raise RuntimeError("helpline parse exited")
                    times.append(time.perf_counter() - started)
                    cpu_times.append((cpu_nanoseconds(process.pid) - cpu_started) / 1e9)
            cpu = cpu_seconds(process.pid) - cpu_before
        finally:
            process.stdin.close()
            process.wait(30)
    print(
        f"parse: p50 {percentile(times, 0.5) * 1e3:.3f} ms, p99 {percentile(times, 0.99) * 1e3:.3f}"
        f" ms over {len(times)} messages one at a time (write to answer);"
        f" CPU of the parse process a message: p50 {percentile(cpu_times, 0.5) * 1e3:.3f} ms,"
        f" p99 {percentile(cpu_times, 0.99) * 1e3:.3f} ms, mean {cpu / len(times) * 1e3:.3f} ms"
    )
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="restarts after the cold start")
    parser.add_argument("--messages", type=int, default=1000, help="web chat messages")
    parser.add_argument("--passes", type=int, default=3, help="passes over held-out (parse)")
    parser.add_argument("--only", choices=["start", "memory", "parse"])
    parser.add_argument(
        "--no-bytecode-cache",
        dest="bytecode",
        action="store_false",
        help="the server inherits PYTHONDONTWRITEBYTECODE (compiles bot/ at every start)",
    )
    args = parser.parse_args()
    texts = heldout_texts()
    if args.only in (None, "start", "memory"):
        messages = 0 if args.only == "start" else args.messages
        runs = 1 if args.only == "memory" else args.runs
        asyncio.run(bench_start(runs, messages, texts, args.bytecode))
    if args.only in (None, "parse"):
        bench_parse(texts, args.passes)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
