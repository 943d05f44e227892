"""`helpline chat --flow NAME`: editors preview a flow in the terminal, in either language."""

from __future__ import annotations

import json
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


def test_chat_speaks_the_default_language_first(env: dict[str, str]) -> None:
    env = {**env, "HELPLINE_DEFAULT_LANGUAGE": "en"}
    result = CliRunner().invoke(app, ["chat", "--user", "w1"], input="/menu\n", env=env)
    assert result.exit_code == 0, result.output
    assert "Make a complaint" in result.output and "Lapor" not in result.output


def test_parse_reads_as_the_bot_does_with_its_threshold(
    env: dict[str, str], trained_nlu: tuple[NluBackend, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`helpline parse` applies HELPLINE_NLU_THRESHOLD, as the bot's policy does."""
    monkeypatch.setattr(
        runtime, "build_nlu", lambda settings: (trained_nlu[0], runtime.nlu_threshold(settings))
    )
    text = "gaji saya belum dibayar 3 bulan\n"
    lines = {}
    for threshold in ("0", "1"):
        env_t = {**env, "HELPLINE_NLU_THRESHOLD": threshold}
        result = CliRunner().invoke(app, ["parse"], input=text, env=env_t)
        assert result.exit_code == 0, result.output
        lines[threshold] = json.loads(result.output.strip().splitlines()[-1])
    assert lines["0"]["intent"] == "wages_unpaid" and lines["0"]["understood"] is True
    assert lines["1"]["intent"] == "out_of_scope" and lines["1"]["understood"] is False
