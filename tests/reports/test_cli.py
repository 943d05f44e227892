"""`helpline report [--json]`: the figures of the reports page, from the same code."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cases.cli import open_store
from bot.cli import app
from bot.reports import Filters, Labels, Scope, as_json, build
from bot.settings import load_settings
from bot.storage.models import AuditEntry
from tests.conftest import TEST_KEY
from tests.reports import seed
from tests.reports.seed import SECRETS, Spec

NOVEMBER = ["--from", "2026-11", "--to", "2026-11"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HELPLINE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("HELPLINE_ENCRYPTION_KEYS", TEST_KEY)


def _seed() -> None:
    async def go() -> None:
        async with open_store(load_settings()) as store, store.sessions.begin() as session:
            specs = [Spec(first_reply=30.0, intents=("wages_unpaid",)) for _ in range(6)]
            specs += [Spec(category="abuse_violence", country="SA") for _ in range(2)]
            specs += [Spec(organisation="sbmi") for _ in range(5)]
            await seed.cases(session, specs)

    asyncio.run(go())


def _page_figures() -> dict[str, object]:
    """What the dashboard's JSON export holds for the same report."""

    async def go() -> dict[str, object]:
        async with open_store(load_settings()) as store, store.sessions() as session:
            filters = Filters.months("2026-11", "2026-11", date(2026, 12, 2))
            found = await build(
                session, store.directory, Scope.ORGANISATION, ["migrantcare"], filters, 5
            )
            return as_json(found, Labels("en", store.directory))

    return asyncio.run(go())


def test_json_holds_the_pages_figures(env: None) -> None:
    _seed()
    result = CliRunner().invoke(
        app, ["report", "-o", "migrantcare", "--json", "--lang", "en", *NOVEMBER]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == _page_figures()
    rows = {r["key"]: r["shown"] for r in data["cases"]["category"]["rows"]}
    # One small category beside a total of 8 would be 8 - 6: the six are hidden too.
    assert rows == {"wages_unpaid": "x", "abuse_violence": "<5"}
    for secret in SECRETS:
        assert secret.lower() not in result.output.lower()


def test_readable_report_in_indonesian(env: None) -> None:
    _seed()
    result = CliRunner().invoke(app, ["report", "-o", "migrantcare", *NOVEMBER])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Kasus menurut kategori" in text
    assert "Gaji tidak dibayar atau dipotong" in text
    assert "Nov 2026" in text
    assert "<5" in text
    for secret in SECRETS:
        assert secret.lower() not in text.lower()

    async def audited() -> list[AuditEntry]:
        async with open_store(load_settings()) as store, store.sessions() as session:
            return list((await session.scalars(select(AuditEntry))).all())

    entries = asyncio.run(audited())
    assert [(e.action, e.data["export"], e.staff_id) for e in entries] == [
        ("report_exported", "cli", None)
    ]


def test_the_network_counts_no_organisation_that_did_not_opt_in(env: None) -> None:
    _seed()
    result = CliRunner().invoke(app, ["report", "--json", *NOVEMBER])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scope"] == "network"
    assert data["organisations"] == []  # the shipped organisations.yml shares nobody's figures
    assert data["cases"]["category"]["rows"] == []


def test_an_unknown_organisation_is_refused(env: None) -> None:
    result = CliRunner().invoke(app, ["report", "-o", "nobody"])
    assert result.exit_code == 2
    assert "unknown organisation 'nobody'" in result.output
