"""SQLite through aiosqlite with one hop to its thread a statement, not four.

aiosqlite runs every call on the connection's own thread. SQLAlchemy's adapter makes four such
calls a statement (make a cursor, execute, fetch the rows, close the cursor), and each is a
wake-up of that thread and two hand-overs of the GIL: about four fifths of a message's SQLite
statements' overhead in the helpline (bench/README.md, issue 15). The cursor here makes the
sqlite3 cursor, executes, reads every row and closes it in one call on the thread; the rows,
the description, `rowcount` and `lastrowid` come back with it, and the adapter's later calls
(fetch, close) are answered from them without a hop.

Reading every row at once is what SQLAlchemy's adapter does anyway for every statement but a
server-side (streamed) one, which the helpline does not use on SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, cast

import aiosqlite

_Outcome = tuple[list[Any], Any, int, int | None]


class _Cursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's aiosqlite adapter uses."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = None) -> _Cursor:
        self._take(await self._connection.statement("execute", sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> _Cursor:
        self._take(await self._connection.statement("executemany", sql, parameters))
        return self

    def _take(self, outcome: _Outcome) -> None:
        self._rows, self.description, self.rowcount, self.lastrowid = outcome

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def close(self) -> None:
        self._rows = []


def _run(conn: sqlite3.Connection, method: str, sql: str, parameters: Any) -> _Outcome:
    """On the connection's thread: the whole statement, from cursor to closing it."""
    cursor = conn.cursor()
    try:
        if parameters is None:
            getattr(cursor, method)(sql)
        else:
            getattr(cursor, method)(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection whose cursors take one hop a statement."""

    def cursor(self) -> _Cursor:  # type: ignore[override]
        return _Cursor(self)

    async def statement(self, method: str, sql: str, parameters: Any) -> _Outcome:
        """One statement, whole, on the connection's thread (aiosqlite's `_execute`)."""
        hop = cast(Callable[..., Awaitable[_Outcome]], self._execute)
        return await hop(_run, self._conn, method, sql, parameters)


def connect_one_hop(
    dialect: Any, _record: Any, cargs: Sequence[Any], cparams: dict[str, Any]
) -> Any:
    """A `do_connect` listener for an aiosqlite engine: the dialect's own arguments (file,
    timeout, URI options), the connection above."""

    def connector() -> OneHopConnection:
        connection = OneHopConnection(partial(sqlite3.connect, *cargs, **cparams), 64)
        connection._thread.daemon = True  # noqa: SLF001 - as SQLAlchemy does for aiosqlite
        return connection

    create: Callable[..., Any] = dialect.loaded_dbapi.connect
    return create(async_creator_fn=connector)
