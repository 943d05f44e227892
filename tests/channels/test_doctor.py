"""`helpline doctor` against the local stubs: it says exactly what is wrong."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.doctor import Finding, diagnose
from bot.settings import load_settings
from tests.channels.fixtures import ACCOUNT_SID, AUTH_TOKEN, TELEGRAM_TOKEN, channel_settings
from tests.channels.stubs import TelegramStub, TwilioStub
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


async def _findings(database_url: str, **overrides: Any) -> list[Finding]:
    settings = load_settings(database_url=database_url, encryption_keys=TEST_KEY, **overrides)
    return await diagnose(settings)


def _failures(findings: list[Finding]) -> list[str]:
    return [f"{f.topic}: {f.text}" for f in findings if f.level == "fail"]


async def test_all_good(
    database_url: str, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> None:
    settings = channel_settings(
        telegram_stub, twilio_stub, database_url=database_url, encryption_keys=TEST_KEY
    )
    telegram_stub.webhook = {"url": "https://helpline.example.org/webhooks/telegram"}
    findings = await diagnose(settings)
    assert _failures(findings) == []
    assert [f.level for f in findings] == ["ok"] * len(findings)
    text = "\n".join(map(str, findings))
    assert "bot @helpline_test_bot" in text
    assert "is active" in text
    assert "POST https://helpline.example.org/webhooks/twilio" in text
    assert TELEGRAM_TOKEN not in text and AUTH_TOKEN not in text


async def test_wrong_credentials_are_named(
    empty_database_url: str, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> None:
    settings = channel_settings(
        telegram_stub,
        twilio_stub,
        database_url=empty_database_url,
        encryption_keys=TEST_KEY,
        telegram_token="999:wrong",
        twilio_auth_token="wrong",
        twilio_template_sid=None,
    )
    findings = await diagnose(settings)
    failures = _failures(findings)
    assert any("HELPLINE_TELEGRAM_TOKEN was rejected by Telegram" in f for f in failures)
    assert any(
        "HELPLINE_TWILIO_ACCOUNT_SID / HELPLINE_TWILIO_AUTH_TOKEN were rejected" in f
        and "20003" in f
        for f in failures
    )
    warnings = [f.text for f in findings if f.level == "warn"]
    assert any("HELPLINE_TWILIO_TEMPLATE_SID is not set" in w for w in warnings)
    assert any("schema at empty" in w for w in warnings)  # never migrated
    assert "999:wrong" not in "\n".join(map(str, findings))


async def test_unreachable_hosts_and_bad_public_urls(database_url: str) -> None:
    findings = await _findings(
        database_url,
        public_url="http://127.0.0.1:8000",
        telegram_token=TELEGRAM_TOKEN,
        telegram_mode="webhook",
        telegram_api_url="http://127.0.0.1:9",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_whatsapp_from="+14155238886",
        twilio_api_url="http://127.0.0.1:9",
    )
    failures = "\n".join(_failures(findings))
    assert "cannot reach the Bot API at http://127.0.0.1:9" in failures
    assert "cannot reach Twilio at http://127.0.0.1:9" in failures
    assert "Telegram and Twilio cannot reach 127.0.0.1" in failures
    assert "HELPLINE_PUBLIC_URL must use https" in failures
    assert "port 8000" in failures


async def test_a_failing_webhook_and_a_suspended_account(
    database_url: str, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> None:
    telegram_stub.webhook = {"url": "https://old.example.org/hook"}
    telegram_stub.webhook_error = "Wrong response from the webhook: 502 Bad Gateway"
    twilio_stub.account_status = "suspended"
    settings = channel_settings(
        telegram_stub, twilio_stub, database_url=database_url, encryption_keys=TEST_KEY
    )
    findings = await diagnose(settings)
    text = "\n".join(map(str, findings))
    assert "webhook is https://old.example.org/hook" in text
    assert "last delivery to the webhook failed: Wrong response from the webhook" in text
    assert "FAIL  whatsapp: the Twilio account is suspended, not active" in text


async def test_an_unreachable_database(tmp_path: Path) -> None:
    findings = await _findings("postgresql+asyncpg://nobody:secret@127.0.0.1:9/none")
    (failure,) = _failures(findings)
    assert "cannot connect to postgresql+asyncpg://nobody:***@127.0.0.1:9/none" in failure
    assert "HELPLINE_DATABASE_URL" in failure and "secret" not in failure
    assert "telegram: off" in "\n".join(f"{f.topic}: {f.text}" for f in findings)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_command(
    database_url: str, tmp_path: Path, telegram_stub: TelegramStub, twilio_stub: TwilioStub
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELPLINE_")},
        "HELPLINE_DATABASE_URL": database_url,
        "HELPLINE_DATA_DIR": str(tmp_path),
        "HELPLINE_ENCRYPTION_KEYS": TEST_KEY,
        "HELPLINE_PUBLIC_URL": "https://helpline.example.org",
        "HELPLINE_TELEGRAM_TOKEN": "999:wrong",
        "HELPLINE_TELEGRAM_API_URL": telegram_stub.url,
        "HELPLINE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "HELPLINE_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HELPLINE_TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "HELPLINE_TWILIO_API_URL": twilio_stub.url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "doctor",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    text = out.decode()
    assert process.returncode == 1, text
    assert "FAIL  telegram: HELPLINE_TELEGRAM_TOKEN was rejected by Telegram" in text
    assert "OK    whatsapp: Twilio account 'Helpline test account' is active" in text
    assert "1 problem(s)" in text
