"""Logs: one JSON object a line in production, for a log collector to read."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from bot import logs


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_production_logs_are_json_lines(capsys: pytest.CaptureFixture[str], restored: None) -> None:
    logs.configure("info", json=True)
    structlog.get_logger("bot.test").info("inbound.stored", message_id=7, channel="telegram")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "inbound.stored"
    assert record["message_id"] == 7 and record["level"] == "info"
    assert record["timestamp"].endswith("Z")
