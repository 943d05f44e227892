"""`helpline migrate`: the schema brought up to date by a command (Kubernetes' migration Job)."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import TEST_KEY


def test_migrate_brings_an_empty_database_to_the_newest_schema(empty_database_url: str) -> None:
    env = {"HELPLINE_DATABASE_URL": empty_database_url, "HELPLINE_ENCRYPTION_KEYS": TEST_KEY}
    result = CliRunner().invoke(app, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    assert "newest schema" in result.output
    again = CliRunner().invoke(app, ["migrate"], env=env)  # a second run finds nothing to do
    assert again.exit_code == 0, again.output
