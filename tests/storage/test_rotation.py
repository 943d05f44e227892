"""Key rotation end to end: data written under key A, key B put first, `helpline rotate-keys`,
key A removed (kept only as the look-up key), and every encrypted field still opens; a run
that crashed half-way is finished by running it again; the bot may write while it runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import LargeBinary, Text, column, func, select, table
from typer.testing import CliRunner

from bot.cases import Actor
from bot.cases.status import Source
from bot.cli import app
from bot.dialogue.policy import Policy
from bot.messages import Inbound
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.storage import rotation
from bot.storage.crypto import Cipher, CryptoError
from bot.storage.models import (
    AuditEntry,
    Case,
    CaseNote,
    Conversation,
    Evidence,
    EvidenceStatus,
    Message,
    Referral,
    Worker,
)
from bot.storage.rotation import encrypted_columns, rotate_keys
from tests.conftest import TEST_KEY
from tests.fakes import ScriptedNlu, TinyContent, add_officer

KEY_A = TEST_KEY  # the runtime fixture's key


async def _built(url: str, tmp_path: Path, cipher: Cipher) -> Runtime:
    return await build(
        Settings(database_url=url, data_dir=tmp_path),
        cipher=cipher,
        nlu=(ScriptedNlu(), 0.5),
        policy=Policy(TinyContent(), threshold=0.5),
        detect_language=lambda text: "id",
    )


async def _fill(runtime: Runtime) -> None:
    """A value in every encrypted column, written with the runtime's keys."""
    for n in range(4):
        await runtime.engine.handle(
            Inbound("telegram", "77", f"halo {n}", channel_message_id=str(n))
        )
    await runtime.engine.handle(Inbound("whatsapp", "+628123456789", "tolong, paspor ditahan"))
    async with runtime.sessions.begin() as session:
        staff = await add_officer(session)
        officer = Actor(staff.id, staff.role, staff.organisation)
        worker = await session.scalar(select(Worker).where(Worker.channel == "telegram"))
        assert worker is not None
        case = await runtime.desk.open_case(session, worker.id, source=Source.TALK_TO_HUMAN)
        await runtime.desk.claim(session, officer, case)
        await runtime.desk.reply(session, officer, case, "Halo, saya Ani dari MigrantCare.")
        await runtime.desk.note(session, officer, case, "Paspor ditahan majikan sejak Mei.")
        case.record = {"employer": "Tuan X", "salary_months_unpaid": 2}
        conversation = await session.scalar(
            select(Conversation).where(Conversation.worker_id == worker.id)
        )
        assert conversation is not None
        conversation.flow = {"name": "complaint", "answers": {"city": "Kaohsiung"}}
        message = await session.scalar(select(Message).where(Message.worker_id == worker.id))
        assert message is not None
        message.attachments = [{"kind": "photo", "file_id": "AgAD-77"}]
        session.add(
            Evidence(
                message_id=message.id,
                worker_id=worker.id,
                channel="telegram",
                position=0,
                kind="photo",
                status=EvidenceStatus.STORED,
                data=b"\x89PNG a photo of a contract",
            )
        )
        session.add(
            Referral(
                case_id=case.id,
                from_organisation=staff.organisation,
                to_organisation="bp2mi",
                to_queue="general",
                status="declined",
                previous_status="in_progress",
                reason="Bukan wilayah kami.",
            )
        )


async def _everything(runtime: Runtime) -> dict[str, Any]:
    """Every encrypted field, decrypted through the models."""
    async with runtime.sessions() as session:

        async def rows(model: Any, *fields: str) -> list[tuple[Any, ...]]:
            found = (await session.scalars(select(model).order_by(model.id))).all()
            return [tuple(getattr(r, f) for f in ("id", *fields)) for r in found]

        return {
            "workers": await rows(Worker, "channel", "channel_user_id"),
            "conversations": await rows(Conversation, "flow"),
            "messages": await rows(Message, "text", "attachments", "status"),
            "evidence": await rows(Evidence, "data"),
            "cases": await rows(Case, "reference", "record"),
            "notes": await rows(CaseNote, "text"),
            "referrals": await rows(Referral, "reason"),
        }


async def _raw_tokens(runtime: Runtime) -> dict[str, list[bytes]]:
    """The stored tokens of every encrypted column, as the database holds them."""
    tokens: dict[str, list[bytes]] = {}
    async with runtime.sessions() as session:
        for target in encrypted_columns():
            kind = LargeBinary() if target.binary else Text()
            raw = table(target.table, column(target.name, kind))
            values = (await session.execute(select(raw.c[target.name]))).scalars().all()
            tokens[target.label] = [
                bytes(v) if target.binary else str(v).encode() for v in values if v is not None
            ]
    return tokens


def _helpline(url: str, keys: str, *args: str, lookup_key: str | None = None) -> tuple[int, str]:
    env = {"HELPLINE_DATABASE_URL": url, "HELPLINE_ENCRYPTION_KEYS": keys}
    if lookup_key:
        env["HELPLINE_LOOKUP_KEY"] = lookup_key
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


async def test_rotating_to_a_new_key_lets_the_old_one_go_and_everything_still_opens(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    await _fill(runtime)
    before = await _everything(runtime)
    assert all(before.values()), before.keys()  # every encrypted column holds a value
    behind = sum(len(v) for v in (await _raw_tokens(runtime)).values())
    await runtime.close()
    key_b = Fernet.generate_key().decode()

    # Key B first, key A kept: a check counts what key A alone opens, and changes nothing.
    code, output = await asyncio.to_thread(
        _helpline, database_url, f"{key_b},{KEY_A}", "rotate-keys", "--check"
    )
    assert code == 1 and "still need an older key" in output, output
    assert f"{behind} value(s) still need an older key" in output

    code, output = await asyncio.to_thread(
        _helpline, database_url, f"{key_b},{KEY_A}", "rotate-keys", "--batch-size", "3"
    )
    assert code == 0, output
    assert "older keys can be removed" in output
    assert "messages.text" in output and "evidence.data" in output

    # Key A removed from the encryption keys; it stays the look-up key (workers' ids).
    after = await _built(database_url, tmp_path, Cipher([key_b], lookup_key=KEY_A))
    try:
        assert await _everything(after) == before
        b_alone = Fernet(key_b.encode())
        for label, values in (await _raw_tokens(after)).items():
            for token in values:
                b_alone.decrypt(token)  # raises if any value still needs key A
            with pytest.raises(InvalidToken):
                if values:
                    Fernet(KEY_A.encode()).decrypt(values[0])
                else:
                    raise InvalidToken(label)
        # A returning worker is still found by the look-up hash: no second worker.
        async with after.sessions() as session:
            workers = await session.scalar(select(func.count()).select_from(Worker))
        await after.engine.handle(
            Inbound("telegram", "77", "masih di sini", channel_message_id="9")
        )
        async with after.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Worker)) == workers
            entries = (
                await session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.action.like("keys.%"))
                    .order_by(AuditEntry.id)
                )
            ).all()
        assert [e.action for e in entries] == ["keys.rotation_started", "keys.rotated"]
        assert entries[1].staff_id is None
        assert entries[1].data["rotated"] == behind and entries[1].data["unreadable"] == 0
    finally:
        await after.close()

    # Run again: nothing left to do. With key A gone, a check says so too.
    code, output = await asyncio.to_thread(
        _helpline, database_url, key_b, "rotate-keys", "--check", lookup_key=KEY_A
    )
    assert code == 0 and "older keys can be removed" in output, output


async def test_a_rotation_that_crashed_half_way_is_finished_by_running_it_again(
    runtime: Runtime, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _fill(runtime)
    before = await _everything(runtime)
    key_b = Fernet.generate_key().decode()
    both = Cipher([key_b, KEY_A])
    db = runtime.database
    total = (await rotate_keys(db, both, check_only=True)).total("scanned")

    calls = 0
    real_rotate = Cipher.rotate

    def crashing(self: Cipher, token: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 9:
            raise RuntimeError("the process was killed")
        return real_rotate(self, token)

    monkeypatch.setattr(Cipher, "rotate", crashing)
    with pytest.raises(RuntimeError):
        await rotate_keys(db, both, batch_size=2)
    monkeypatch.setattr(Cipher, "rotate", real_rotate)

    half = await rotate_keys(db, both, check_only=True)
    done = half.total("current")
    assert 0 < done < total  # committed batches stayed; the rest waits
    assert sum(c.behind for c in half.columns) == total - done

    finished = await rotate_keys(db, both, batch_size=2)
    assert finished.complete
    assert finished.total("rotated") == total - done  # only what the crash left
    assert finished.total("current") == done
    again = await rotate_keys(db, both, batch_size=2)
    assert again.complete and again.total("rotated") == 0  # idempotent

    with pytest.raises(CryptoError):  # key A alone opens nothing any more
        Cipher([KEY_A]).decrypt((await _raw_tokens(runtime))["messages.text"][0].decode())
    await runtime.close()
    after = await _built(database_url, tmp_path, Cipher([key_b], lookup_key=KEY_A))
    try:
        assert await _everything(after) == before
    finally:
        await after.close()


async def test_the_bot_writes_while_the_keys_rotate(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    await _fill(runtime)
    await runtime.close()
    key_b = Fernet.generate_key().decode()
    deployed = await _built(database_url, tmp_path, Cipher([key_b, KEY_A]))  # new key first
    try:
        db = deployed.database

        async def conversation() -> None:
            for n in range(6):
                await deployed.engine.handle(
                    Inbound("telegram", "88", f"pesan {n}", channel_message_id=f"c{n}")
                )
                await deployed.engine.handle(
                    Inbound("telegram", "77", f"lagi {n}", channel_message_id=f"d{n}")
                )

        report, _ = await asyncio.gather(
            rotate_keys(db, deployed.cipher, batch_size=1), conversation()
        )
        assert report.total("unreadable") == 0
        check = await rotate_keys(db, Cipher([key_b]), check_only=True)
        assert check.complete, [c for c in check.columns if c.behind or c.unreadable]
        texts = [row[1] for row in (await _everything(deployed))["messages"]]
        assert "pesan 5" in texts and "lagi 5" in texts and "halo 0" in texts
    finally:
        await deployed.close()


def test_every_encrypted_column_of_the_models_is_rotated() -> None:
    labels = {c.label for c in encrypted_columns()}
    assert labels >= {
        "workers.channel_user_id",
        "conversations.flow",
        "messages.text",
        "messages.attachments",
        "evidence.data",
        "cases.record",
        "case_notes.text",
        "referrals.reason",
    }
    assert rotation.BYTES_BATCH_SIZE < rotation.BATCH_SIZE


def test_the_lookup_key_keeps_workers_hashes_when_the_oldest_key_leaves() -> None:
    key_b = Fernet.generate_key().decode()
    original = Cipher([KEY_A]).lookup_hash("+628123456789")
    assert Cipher([key_b, KEY_A]).lookup_hash("+628123456789") == original
    assert Cipher([key_b], lookup_key=KEY_A).lookup_hash("+628123456789") == original
    assert Cipher([key_b]).lookup_hash("+628123456789") != original


def test_doctor_asks_production_for_a_lookup_key_of_its_own() -> None:
    from bot.doctor import _encryption

    url = "postgresql+asyncpg://helpline@db/helpline"
    without = Settings(env="production", database_url=url, encryption_keys=KEY_A)
    assert any(f.level == "warn" and "HELPLINE_LOOKUP_KEY" in f.text for f in _encryption(without))
    with_key = Settings(env="production", database_url=url, encryption_keys=KEY_A, lookup_key=KEY_A)
    assert [f.level for f in _encryption(with_key)] == ["ok"]


class _BotWritesBetweenReadAndWrite:
    """The database as rotate_keys sees it, with the bot changing a message after the
    messages' batch was read and before it is written (one read per column: batches of 1000)."""

    def __init__(self, engine: Any, bot_write: Any) -> None:
        self.engine, self.bot_write, self.reads = engine, bot_write, 0
        self.at = [c.label for c in encrypted_columns()].index("messages.text") + 1

    def connect(self) -> Any:
        self.reads += 1
        return self.engine.connect()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Any]:
        if self.reads == self.at and self.bot_write is not None:
            write, self.bot_write = self.bot_write, None
            await write()
        async with self.engine.begin() as connection:
            yield connection


async def test_a_value_the_bot_wrote_meanwhile_is_kept(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    await _fill(runtime)
    await runtime.close()
    key_b = Fernet.generate_key().decode()
    deployed = await _built(database_url, tmp_path, Cipher([key_b, KEY_A]))
    try:
        async with deployed.sessions() as session:
            first = await session.scalar(select(Message).order_by(Message.id).limit(1))
            assert first is not None

        async def bot_write() -> None:
            async with deployed.sessions.begin() as session:
                message = await session.get(Message, first.id)
                assert message is not None
                message.text = "ditulis ulang oleh bot"

        database = _BotWritesBetweenReadAndWrite(deployed.database, bot_write)
        report = await rotate_keys(database, deployed.cipher, batch_size=1000)
        texts = {c.column: c for c in report.columns}["messages.text"]
        assert texts.changed == 1 and texts.rotated == texts.scanned - 1
        assert report.complete
        async with deployed.sessions() as session:
            kept = await session.get(Message, first.id)
            assert kept is not None and kept.text == "ditulis ulang oleh bot"
    finally:
        await deployed.close()
