"""`helpline chat --flow NAME`: editors preview a flow in the terminal, in either language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from bot import runtime
from bot.cli import app
from bot.nlu.types import NluBackend
from tests.conftest import TEST_KEY


@pytest.fixture
def env(
    tmp_path: Path,
    trained_nlu: tuple[NluBackend, float],
    cached_content: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    monkeypatch.setattr(runtime, "build_nlu", lambda settings: trained_nlu)
    # `chat` points the logs at the runner's stdout, closed afterwards: restore them.
    logging_before = structlog.get_config()
    yield {
        "HELPLINE_DATA_DIR": str(tmp_path),
        "HELPLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chat.db",
        "HELPLINE_ENCRYPTION_KEYS": TEST_KEY,
    }
    structlog.configure(**logging_before)


def test_chat_starts_a_flow_in_the_language_asked(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app, ["chat", "--flow", "wages_unpaid", "--lang", "en"], input="yes\nAni\n", env=env
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        out.index("Let's write your report about: Wages unpaid or cut")
        < out.index("What is your name?")
        < out.index("Which country do you work in?")
    )
    assert "[Yes, I agree]" in out


def test_chat_names_the_flows_when_one_is_unknown(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["chat", "--flow", "wages"], input="", env=env)
    assert result.exit_code == 2
    assert "no flow 'wages'" in result.output and "wages_unpaid" in result.output
