"""The building blocks of bench/start.py, run quickly (no timing is asserted: the benchmark's
figures are its own business)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.start import (
    bench_env,
    chat,
    cpu_nanoseconds,
    cpu_seconds,
    heldout_texts,
    memory,
    percentile,
    spread,
)
from bot.runtime import Runtime
from bot.server import create_server_app
from tests.live import serve


def test_memory_and_cpu_time_are_read_from_proc() -> None:
    before, before_ns = cpu_seconds(os.getpid()), cpu_nanoseconds(os.getpid())
    sum(i * i for i in range(2_000_000))  # some CPU time
    used = memory(os.getpid())
    assert 0 < used.rss <= used.peak
    assert cpu_seconds(os.getpid()) > before
    assert cpu_nanoseconds(os.getpid()) - before_ns > 10_000_000  # more than 10 ms
    assert "VmRSS" in str(used)


def test_proc_files_are_parsed_as_the_kernel_writes_them(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "status").write_text("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n")
    # A process name with spaces and parentheses, then utime 300 and stime 100 ticks.
    fields = ["S", *["0"] * 10, "300", "100", *["0"] * 30]
    (tmp_path / "7" / "stat").write_text("7 (a (b) c) " + " ".join(fields))
    assert memory(7, tmp_path).rss == 1024 * 1024
    assert memory(7, tmp_path).peak == 2048 * 1024
    assert cpu_seconds(7, tmp_path) == pytest.approx(400 / os.sysconf("SC_CLK_TCK"))


def test_percentiles_and_spread() -> None:
    values = [float(i) for i in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert spread([1.0, 3.0, 2.0]) == "median 2.00 s, max 3.00 s (of 3)"


def test_the_messages_are_the_held_out_set_and_the_server_runs_on_sqlite(tmp_path: Path) -> None:
    texts = heldout_texts()
    assert len(texts) > 1000
    env = bench_env(tmp_path)
    assert env["HELPLINE_DATABASE_URL"].startswith("sqlite+aiosqlite:///" + str(tmp_path))
    assert env["HELPLINE_ENCRYPTION_KEYS"] == bench_env(tmp_path)["HELPLINE_ENCRYPTION_KEYS"]
    # Restarts read the bytecode the cold start wrote, as an installed helpline does.
    assert env["PYTHONPYCACHEPREFIX"].startswith(str(tmp_path))
    assert "PYTHONDONTWRITEBYTECODE" not in env


def test_without_the_bytecode_cache_the_environment_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    env = bench_env(tmp_path, bytecode=False)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and "PYTHONPYCACHEPREFIX" not in env


async def test_messages_go_through_the_web_chat_api(runtime: Runtime) -> None:
    async with serve(create_server_app(runtime)) as url:
        answered = await chat(url, ["halo", "gaji saya belum dibayar"], 23, workers=2)
    assert answered == 23
