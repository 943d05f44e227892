"""`helpline backup` and `helpline restore` for real: dump, drop the database, restore, and
every case and message is back and readable with the keys (also after a key was added)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from bot.cases import Actor
from bot.cases.status import Source
from bot.cli import app
from bot.dialogue.policy import Policy
from bot.messages import Inbound
from bot.runtime import Runtime, build
from bot.settings import Settings
from bot.storage.crypto import Cipher
from bot.storage.models import Case, CaseNote, Message, Worker
from tests.conftest import TEST_KEY
from tests.fakes import ScriptedNlu, TinyContent, add_officer


async def _everything(runtime: Runtime) -> dict[str, Any]:
    """What must survive, decrypted: every message, worker id, case and note."""
    async with runtime.sessions() as session:
        messages = (await session.scalars(select(Message).order_by(Message.id))).all()
        workers = (await session.scalars(select(Worker).order_by(Worker.id))).all()
        cases = (await session.scalars(select(Case).order_by(Case.id))).all()
        notes = (await session.scalars(select(CaseNote).order_by(CaseNote.id))).all()
        return {
            "messages": [(m.id, m.direction, m.channel, m.text, m.status) for m in messages],
            "workers": [(w.id, w.channel, w.channel_user_id) for w in workers],
            "cases": [(c.id, c.reference, c.queue, c.status) for c in cases],
            "notes": [(n.id, n.case_id, n.text) for n in notes],
        }


async def _built(url: str, tmp_path: Path, cipher: Cipher) -> Runtime:
    return await build(
        Settings(database_url=url, data_dir=tmp_path),
        cipher=cipher,
        nlu=(ScriptedNlu(), 0.5),
        policy=Policy(TinyContent(), threshold=0.5),
        detect_language=lambda text: "id",
    )


def _helpline(url: str, *args: str) -> str:
    env = {"HELPLINE_DATABASE_URL": url, "HELPLINE_ENCRYPTION_KEYS": TEST_KEY}
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


async def test_a_backup_restored_into_a_dropped_database_has_everything_readable(
    runtime: Runtime, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    for n in range(3):
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
    before = await _everything(runtime)
    assert len(before["messages"]) >= 8 and before["cases"] and before["notes"]

    path = tmp_path / "backups" / "helpline.dump"
    assert "backup written" in _helpline(database_url, "backup", str(path))  # while it runs
    await runtime.close()

    # Drop the database, then restore into an empty one.
    if database_url.startswith("sqlite"):
        database = Path(str(make_url(database_url).database))
        for leftover in database.parent.glob(database.name + "*"):
            leftover.unlink()
        restored_url = database_url
    else:
        server = request.getfixturevalue("postgres_server")
        server.drop(str(make_url(database_url).database))
        empty = server.create(migrated=False)
        request.addfinalizer(lambda: server.drop(empty))
        restored_url = server.url(empty)
    assert "restored" in _helpline(restored_url, "restore", "--yes", str(path))

    restored = await _built(restored_url, tmp_path, Cipher([TEST_KEY]))
    try:
        assert await _everything(restored) == before
    finally:
        await restored.close()
    # Rotation: a new key first, the old one kept last, reads everything the backup held.
    rotated = await _built(
        restored_url, tmp_path, Cipher([Fernet.generate_key().decode(), TEST_KEY])
    )
    try:
        assert await _everything(rotated) == before
    finally:
        await rotated.close()


def test_restoring_a_file_that_is_no_backup_fails_and_says_so(tmp_path: Path) -> None:
    junk = tmp_path / "junk.dump"
    junk.write_text("not a database")
    url = f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}"
    env = {"HELPLINE_DATABASE_URL": url, "HELPLINE_ENCRYPTION_KEYS": TEST_KEY}
    result = CliRunner().invoke(app, ["restore", "--yes", str(junk)], env=env)
    assert result.exit_code == 1
    assert "restore failed: not a SQLite database" in result.output
