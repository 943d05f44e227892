"""Logs: one JSON object a line in production, for a log collector to read."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from bot import logs
from bot.messages import Inbound
from bot.runtime import Runtime


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    logs.configure("info")  # the JSON handler off the root logger again


def _records(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.strip().splitlines()]  # fails on a non-JSON line


def test_production_logs_are_json_lines(capsys: pytest.CaptureFixture[str], restored: None) -> None:
    logs.configure("info", json=True)
    structlog.get_logger("bot.test").info("inbound.stored", message_id=7, channel="telegram")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["event"] == "inbound.stored"
    assert record["message_id"] == 7 and record["level"] == "info"
    assert record["timestamp"].endswith("Z")


def test_other_libraries_records_are_json_too(
    capsys: pytest.CaptureFixture[str], restored: None
) -> None:
    logs.configure("info", json=True)
    # A library's logger that nothing configured (as uvicorn's in `helpline run`, which passes
    # log_config=None; a test server elsewhere in the run may have given uvicorn's its own).
    logging.getLogger("a.library").warning("Invalid HTTP request received.")
    try:
        raise ValueError("boom")
    except ValueError:
        structlog.get_logger("bot.jobs").exception("job.failed", job="retention")
    records = _records(capsys.readouterr().err)
    library, job = records[-2], records[-1]
    assert library["event"] == "Invalid HTTP request received."
    assert library["level"] == "warning" and library["logger"] == "a.library"
    assert library["timestamp"].endswith("Z")
    assert job["event"] == "job.failed" and "ValueError: boom" in job["exception"]


def test_a_traceback_in_the_console_shows_no_local_variables(
    capsys: pytest.CaptureFixture[str], restored: None
) -> None:
    logs.configure("info")  # the console renderer (not production)

    def understand(text: str) -> None:
        try:
            raise ValueError("boom")
        except ValueError:
            structlog.get_logger("bot.test").exception("parse.failed")

    understand("majikan saya namanya Siti Rahayu")
    err = capsys.readouterr().err
    assert "parse.failed" in err and "ValueError: boom" in err
    assert "Siti Rahayu" not in err


async def test_a_conversation_logs_no_personal_data(
    runtime: Runtime, capsys: pytest.CaptureFixture[str], restored: None
) -> None:
    logs.configure("debug", json=True)
    capsys.readouterr()
    secret_words = "paspor saya ditahan majikan Siti Rahayu"
    await runtime.engine.handle(Inbound("whatsapp", "+628129990001", secret_words))
    await runtime.engine.handle(Inbound("telegram", "5550001", "nama saya Siti Rahayu"))
    err = capsys.readouterr().err
    records = _records(err)
    assert any(r["event"] == "inbound.processed" for r in records)
    for personal in ("Siti", "Rahayu", "paspor", "628129990001", "5550001"):
        assert personal not in err
