"""What the benchmarks that drive a real server share: `helpline run` in a subprocess, a fresh
database for it, and the settings that point its channels at local stubs of their APIs.

Used by bench/faults.py and bench/load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

PUBLIC_URL = "https://helpline.example.org"
TELEGRAM_TOKEN = "123456:BENCH-token_abc"
TELEGRAM_SECRET = "bench-secret"
ACCOUNT_SID = "AC" + "3" * 32
AUTH_TOKEN = "bench-auth-token"
WHATSAPP_FROM = "whatsapp:+14155238886"


class Server:
    """`helpline run` in a subprocess (working in `data`), killed and restarted on demand."""

    def __init__(self, env: dict[str, str], port: int, log: Path, data: Path) -> None:
        self.env = env
        self.port = port
        self.log = log
        self.data = data
        self.process: asyncio.subprocess.Process | None = None
        self.url = f"http://127.0.0.1:{port}"

    async def start(self, within: float = 180.0, command: list[str] | None = None) -> float:
        """Start and wait until /health answers; the seconds it took."""
        started = time.monotonic()
        if command is None:
            helpline = ROOT / ".venv" / "bin" / "helpline"
            program = [str(helpline)] if helpline.exists() else [sys.executable, "-m", "bot.cli"]
            command = [*program, "run", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *command, cwd=self.data, env=self.env, stdout=log, stderr=log
            )
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() - started < within:
                if self.process.returncode is not None:
                    raise RuntimeError(f"the server exited: see {self.log}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.url + "/health")).status_code == 200:
                        return time.monotonic() - started
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the server did not start within {within} s: see {self.log}")

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                await self.kill()


def server_env(
    database_url: str, data: Path, api_url: str, encryption_key: str, **extra: str
) -> dict[str, str]:
    """The settings of a server whose Telegram and Twilio APIs are the stubs at `api_url`."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")},
        "HELPLINE_DATABASE_URL": database_url,
        "HELPLINE_DATA_DIR": str(data),
        "HELPLINE_ENCRYPTION_KEYS": encryption_key,
        "HELPLINE_LOG_LEVEL": "warning",
        "HELPLINE_PUBLIC_URL": PUBLIC_URL,
        "HELPLINE_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "HELPLINE_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "HELPLINE_TELEGRAM_MODE": "webhook",
        "HELPLINE_TELEGRAM_API_URL": api_url,
        "HELPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "HELPLINE_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HELPLINE_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "HELPLINE_TWILIO_API_URL": api_url,
        **extra,
    }


def asyncpg_url(url: str, database: str | None = None) -> str:
    plain = "postgresql://" + url.split("://", 1)[1].split("?")[0]
    return plain.rsplit("/", 1)[0] + "/" + database if database else plain


async def fresh_database(kind: str, sqlite_path: Path, postgres_url: str) -> str:
    """An empty database: the SQLite file removed, or the PostgreSQL database recreated."""
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240
        return f"sqlite+aiosqlite:///{sqlite_path}"
    import asyncpg

    name = postgres_url.rsplit("/", 1)[1].split("?")[0]
    connection = await asyncpg.connect(asyncpg_url(postgres_url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return postgres_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
