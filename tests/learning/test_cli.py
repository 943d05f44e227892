"""`helpline nlu export-labelled`: labelled messages into nlu_data/<lang>/learned.yml, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.nlu.data import load_rasa
from bot.storage import db
from bot.storage.crypto import Cipher
from bot.storage.models import LearningStatus, Unrecognised
from tests.conftest import TEST_KEY


async def _store(url: str, rows: list[Unrecognised]) -> None:
    engine = db.create_engine(url, cipher=Cipher([TEST_KEY]))
    try:
        async with db.session_factory(engine).begin() as session:
            session.add_all(rows)
    finally:
        await engine.dispose()


def _row(text: str, status: str, intent: str | None, language: str) -> Unrecognised:
    return Unrecognised(
        text=text,
        fingerprint=text[:64],
        language=language,
        reason="unclear",
        status=status,
        intent=intent,
    )


def test_export_writes_labelled_examples_once(database_url: str, tmp_path: Path) -> None:
    asyncio.run(
        _store(
            database_url,
            [
                _row("ada kursus jahit gk <name>", LearningStatus.LABELLED, "find_support", "id"),
                _row("where can i learn to sew", LearningStatus.LABELLED, "find_support", "en"),
                _row("<name> jual pulsa", LearningStatus.DISMISSED, None, "id"),
                _row("cuaca besok", LearningStatus.NEW, None, "id"),
            ],
        )
    )
    env = {"HELPLINE_DATABASE_URL": database_url, "HELPLINE_ENCRYPTION_KEYS": TEST_KEY}
    out = tmp_path / "nlu_data"
    result = CliRunner().invoke(app, ["nlu", "export-labelled", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 new example(s)" in result.output
    examples = sorted((e.language, e.intent, e.text) for e in load_rasa(out))
    assert examples == [
        ("en", "find_support", "where can i learn to sew"),
        ("id", "find_support", "ada kursus jahit gk"),
    ]
    again = CliRunner().invoke(app, ["nlu", "export-labelled", "--out", str(out)], env=env)
    assert again.exit_code == 0 and "nothing labelled" in again.output
    assert len(load_rasa(out)) == 2
