"""`helpline rotate-keys`: every encrypted value in the database encrypted again with the newest
key, so that older keys can be removed.

Works on the stored tokens themselves (MultiFernet.rotate), never on decrypted rows: a value is
decrypted and encrypted in memory only. Every encrypted column of every table is found from the
models, walked by primary key in batches, each batch committed on its own:

- resumable and idempotent: a value the newest key already opens is left as it is, so a run
  that stopped half-way (a crash, a deploy) is finished by running it again, and a second run
  changes nothing;
- safe while the bot runs: a value is replaced only if it is still the one that was read
  (compare-and-set), so a value the bot wrote meanwhile, with the newest key, is kept. The bot
  must already have the new key (first in its list) before this runs, or it cannot read what
  this writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import LargeBinary, Table, Text, and_, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.crypto import Cipher, CryptoError
from bot.storage.models import (
    AuditEntry,
    Base,
    EncryptedBytes,
    EncryptedJSON,
    EncryptedText,
    utcnow,
)

BATCH_SIZE = 500
BYTES_BATCH_SIZE = 20  # evidence files are megabytes each


@dataclass
class ColumnReport:
    """What one encrypted column held: values read, re-encrypted, already under the newest key,
    changed by the bot between read and write (left as the bot wrote them), and unreadable
    with every configured key (left untouched)."""

    column: str
    scanned: int = 0
    rotated: int = 0
    current: int = 0
    changed: int = 0
    unreadable: int = 0

    @property
    def behind(self) -> int:
        """Values still under an older key after this run (or found so by a check)."""
        return self.scanned - self.current - self.rotated - self.changed - self.unreadable


@dataclass
class RotationReport:
    columns: list[ColumnReport]

    def total(self, field: str) -> int:
        return sum(int(getattr(c, field)) for c in self.columns)

    @property
    def complete(self) -> bool:
        """Every value opens with the newest key: older keys can go."""
        return all(c.behind == 0 and c.unreadable == 0 for c in self.columns)


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    key: str  # the single-column primary key
    name: str
    binary: bool

    @property
    def label(self) -> str:
        return f"{self.table}.{self.name}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column of the models, found by its type (a new one is rotated too)."""
    found = []
    for model_table in Base.metadata.sorted_tables:
        for col in model_table.columns:
            if not isinstance(col.type, (EncryptedText, EncryptedJSON, EncryptedBytes)):
                continue
            keys = list(model_table.primary_key.columns)
            if len(keys) != 1:
                raise TypeError(f"{model_table.name}: rotation needs a one-column primary key")
            found.append(
                EncryptedColumn(
                    model_table.name, keys[0].name, col.name, isinstance(col.type, EncryptedBytes)
                )
            )
    return found


async def rotate_keys(
    engine: AsyncEngine,
    cipher: Cipher,
    *,
    batch_size: int = BATCH_SIZE,
    check_only: bool = False,
) -> RotationReport:
    """Re-encrypt every stored value with the newest key; with check_only, count only."""
    columns = encrypted_columns()
    if not check_only:
        await _audit(engine, "keys.rotation_started", columns=len(columns))
    reports = []
    for target in columns:
        size = min(batch_size, BYTES_BATCH_SIZE) if target.binary else batch_size
        reports.append(await _rotate_column(engine, cipher, target, size, check_only))
    report = RotationReport(reports)
    if not check_only:
        totals = {f: report.total(f) for f in ("scanned", "rotated", "current", "changed")}
        await _audit(engine, "keys.rotated", **totals, unreadable=report.total("unreadable"))
    return report


async def _rotate_column(
    engine: AsyncEngine, cipher: Cipher, target: EncryptedColumn, size: int, check_only: bool
) -> ColumnReport:
    # Lightweight table: the raw stored token, not the decrypting column type of the model.
    raw = table(
        target.table,
        column(target.key),
        column(target.name, LargeBinary() if target.binary else Text()),
    )
    key, value = raw.c[target.key], raw.c[target.name]
    report = ColumnReport(target.label)
    last: Any = None
    while True:
        query = select(key, value).where(value.is_not(None)).order_by(key).limit(size)
        if last is not None:
            query = query.where(key > last)
        # Read, then write in a transaction of its own that starts with its first write (SQLite
        # cannot turn a read that another writer overtook into a write).
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        updates = []
        for row_key, stored in rows:
            report.scanned += 1
            token = bytes(stored) if target.binary else str(stored).encode()
            if cipher.is_newest(token):
                report.current += 1
                continue
            try:
                fresh = cipher.rotate(token)
            except CryptoError:
                report.unreadable += 1
                continue
            updates.append((row_key, stored, fresh if target.binary else fresh.decode()))
        if updates and not check_only:
            async with engine.begin() as connection:
                for row_key, stored, fresh_value in updates:
                    result = await connection.execute(
                        update(raw)
                        .where(and_(key == row_key, value == stored))
                        .values({target.name: fresh_value})
                    )
                    if result.rowcount == 1:
                        report.rotated += 1
                    else:  # the bot wrote it meanwhile (with the newest key), or deleted it
                        report.changed += 1
        if len(rows) < size:
            return report
        last = rows[-1][0]


async def _audit(engine: AsyncEngine, action: str, **data: int) -> None:
    entries: Table = AuditEntry.__table__  # type: ignore[assignment]
    async with engine.begin() as connection:
        await connection.execute(
            entries.insert().values(
                at=utcnow(), staff_id=None, case_id=None, action=action, data=data
            )
        )


def as_rows(report: RotationReport) -> Iterator[dict[str, Any]]:
    for col in report.columns:
        yield {**asdict(col), "behind": col.behind}
