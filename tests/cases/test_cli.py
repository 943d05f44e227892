"""`helpline user add`, `helpline cases list [--json]`, `helpline cases show REF`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cases import Desk
from bot.cases.cli import open_store
from bot.cli import app
from bot.settings import load_settings
from bot.storage.models import Staff, Worker
from tests.conftest import TEST_KEY


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "HELPLINE_DATA_DIR": str(tmp_path),
        "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
        "HELPLINE_ENCRYPTION_KEYS": TEST_KEY,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def _open_a_case() -> str:
    async def go() -> str:
        async with open_store(load_settings()) as store, store.sessions.begin() as session:
            worker = Worker(channel="telegram", channel_user_hash="h", channel_user_id="secret-id")
            session.add(worker)
            await session.flush()
            case = await Desk(store.directory).open_case(
                session,
                worker.id,
                source="complaint",
                category="wages_unpaid",
                country="MY",
                record={"employer": "Mrs Secret"},
            )
            return case.reference

    return asyncio.run(go())


def _stored(username: str) -> Staff | None:
    async def go() -> Staff | None:
        async with open_store(load_settings()) as store, store.sessions() as session:
            return await session.scalar(select(Staff).where(Staff.username == username))

    return asyncio.run(go())


def test_user_add_asks_for_the_name_workers_see(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "ani", "--role", "officer", "--organisation", "migrantcare"],
        input="Ani Lestari\n",
    )
    assert result.exit_code == 0, result.output
    assert "Name workers see" in result.output
    assert "shown to workers as 'Ani Lestari'" in result.output
    staff = _stored("ani")
    assert staff is not None and staff.display_name == "Ani Lestari"


def test_user_add_takes_the_display_name_as_an_option(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "rina", "--organisation", "migrantcare", "--display-name", "Rina"],
    )
    assert result.exit_code == 0, result.output
    assert "Name workers see" not in result.output
    staff = _stored("rina")
    assert staff is not None and staff.display_name == "Rina"


def test_user_add_needs_a_display_name_with_a_password_on_stdin(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "sari", "--organisation", "migrantcare", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 2 and "--display-name" in result.output
    assert _stored("sari") is None


def test_user_add_prints_a_one_time_link_and_no_password(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "ani", "--role", "officer", "--organisation", "migrantcare"],
        input="Ani\n",
    )
    assert result.exit_code == 0, result.output
    assert "/dashboard/password?token=" in result.output

    async def stored() -> Staff | None:
        async with open_store(load_settings()) as store, store.sessions() as session:
            return await session.scalar(select(Staff).where(Staff.username == "ani"))

    staff = asyncio.run(stored())
    assert staff is not None and staff.password_hash is None and staff.role == "officer"


def test_user_add_with_a_password_on_stdin(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app,
        ["user", "add", "root", "--role", "admin", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "token=" not in result.output


def test_user_add_explains_mistakes(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app, ["user", "add", "x1", "--organisation", "nowhere", "--display-name", "X"]
    )
    assert result.exit_code == 1 and "unknown organisation" in result.output


def test_cases_list_and_show_without_personal_data(env: dict[str, str]) -> None:
    reference = _open_a_case()
    listed = CliRunner().invoke(app, ["cases", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert row["reference"] == reference and row["queue"] == "sbmi-paralegal"
    assert set(row) >= {
        "status",
        "organisation",
        "category",
        "priority",
        "country",
        "created_at",
        "first_human_reply_at",
        "closed_at",
    }
    table = CliRunner().invoke(app, ["cases", "list"])
    assert reference in table.output and "1 case(s)" in table.output
    shown = CliRunner().invoke(app, ["cases", "show", reference.lower()])
    assert shown.exit_code == 0 and "SBMI" in shown.output
    for output in (listed.output, table.output, shown.output):
        assert "Secret" not in output and "secret-id" not in output
    missing = CliRunner().invoke(app, ["cases", "show", "HL-000000"])
    assert missing.exit_code == 1
