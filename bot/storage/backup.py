"""Backups of the whole database, and restoring one: PostgreSQL through pg_dump's custom format
(pg_restore), SQLite through its online backup API (a consistent copy while the bot runs).

A backup holds the data as stored: messages, ids and complaints stay encrypted, so it is useless
without HELPLINE_ENCRYPTION_KEYS (kept apart from it) and harmless to anyone without them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup or restore did not happen; the message says why."""


class Kind(StrEnum):
    POSTGRES = "postgresql"
    SQLITE = "sqlite"


@dataclass(frozen=True)
class Target:
    kind: Kind
    url: URL

    @classmethod
    def of(cls, database_url: str) -> Target:
        url = make_url(database_url)
        backend = url.get_backend_name()
        if backend == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("an in-memory SQLite database cannot be backed up")
            return cls(Kind.SQLITE, url)
        if backend == "postgresql":
            return cls(Kind.POSTGRES, url)
        raise BackupError(f"cannot back up a {backend} database")

    @property
    def sqlite_path(self) -> Path:
        return Path(str(self.url.database))

    def pg_environment(self) -> dict[str, str]:
        """libpq's variables: the password never shows in the process list."""
        env = dict(os.environ)
        for name, value in {
            "PGHOST": self.url.host,
            "PGPORT": str(self.url.port) if self.url.port else None,
            "PGUSER": self.url.username,
            "PGPASSWORD": self.url.password,
            "PGDATABASE": self.url.database,
        }.items():
            if value is not None:
                env[name] = str(value)
        return env

    @property
    def schema(self) -> str | None:
        value = self.url.query.get("search_path")
        return str(value) if value else None


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database to `path` (replaced if it exists)."""
    target = Target.of(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if target.kind is Kind.SQLITE:
        if not target.sqlite_path.exists():
            raise BackupError(f"no database at {target.sqlite_path}")
        partial.unlink(missing_ok=True)
        with _sqlite(target.sqlite_path) as source, _sqlite(partial) as copy:
            source.backup(copy)
            _check_sqlite(copy)
    else:
        args = ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
        if target.schema:
            args.append(f"--schema={target.schema}")
        _run("pg_dump", args, target)
    partial.replace(path)  # a backup file is whole or absent
    path.chmod(0o600)


def restore(database_url: str, path: Path) -> None:
    """Replace the database's tables with those in the backup at `path`.

    Stop every helpline process first: they would write into a database being replaced."""
    if not path.is_file():
        raise BackupError(f"no backup at {path}")
    target = Target.of(database_url)
    if target.kind is Kind.SQLITE:
        with _sqlite(path) as backup_file:
            _check_sqlite(backup_file)
            target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            with _sqlite(target.sqlite_path) as database:
                backup_file.backup(database)
        return
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run(
        "pg_restore",
        ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        + ["--exit-on-error", f"--dbname={target.url.database}", str(path)],
        target,
    )


class _sqlite:
    """A plain sqlite3 connection, closed on leaving (sqlite3's own context manager only
    commits)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _check_sqlite(connection: sqlite3.Connection) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a SQLite database: {exc}") from None
    if result is None or result[0] != "ok":
        raise BackupError(f"the SQLite database is damaged: {result}")


def _run(program: str, args: list[str], target: Target) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client; "
            "its major version must be at least the server's)"
        )
    done = subprocess.run(
        [executable, *args],
        env=target.pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")
