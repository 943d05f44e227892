"""`helpline doctor`: is the configuration right, and do the database, Telegram and Twilio answer?

Each finding says what is wrong and what to do, naming the setting. Tokens never appear.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from bot.settings import PREFIX, Settings

Level = Literal["ok", "warn", "fail"]
# Telegram delivers webhooks only to these ports, over HTTPS.
TELEGRAM_PORTS = (443, 80, 88, 8443)


@dataclass(frozen=True, slots=True)
class Finding:
    level: Level
    topic: str
    text: str

    def __str__(self) -> str:
        return f"{self.level.upper():4}  {self.topic}: {self.text}"


async def diagnose(settings: Settings) -> list[Finding]:
    from bot.channels import quiet_library_logs

    quiet_library_logs()
    findings = [*_encryption(settings), *await _database(settings)]
    findings += _public_url(settings)
    if settings.telegram_enabled:
        findings += await _telegram(settings)
    else:
        findings.append(
            Finding("ok", "telegram", f"off (set {PREFIX}TELEGRAM_TOKEN to turn it on)")
        )
    if settings.whatsapp_enabled:
        findings += await _twilio(settings)
    else:
        findings.append(
            Finding(
                "ok",
                "whatsapp",
                f"off (set {PREFIX}TWILIO_ACCOUNT_SID, {PREFIX}TWILIO_AUTH_TOKEN and "
                f"{PREFIX}TWILIO_WHATSAPP_FROM to turn it on)",
            )
        )
    return findings


def _encryption(settings: Settings) -> list[Finding]:
    from bot.storage.crypto import Cipher, CryptoError

    if not settings.encryption_keys:
        key = settings.data_dir / "secret.key"
        return [
            Finding("warn", "encryption", f"development key {key}; set {PREFIX}ENCRYPTION_KEYS")
        ]
    try:
        Cipher([k.strip() for k in settings.encryption_keys.split(",") if k.strip()])
    except CryptoError as exc:
        return [Finding("fail", "encryption", f"{PREFIX}ENCRYPTION_KEYS: {exc}")]
    findings = [Finding("ok", "encryption", "keys are valid Fernet keys")]
    if settings.env == "production" and not settings.lookup_key:
        findings.append(
            Finding(
                "warn",
                "encryption",
                f"{PREFIX}LOOKUP_KEY is not set: the oldest encryption key keys the look-up "
                "hashes; set it to that key before removing it (README: Key rotation)",
            )
        )
    return findings


async def _database(settings: Settings) -> list[Finding]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import make_url

    from bot.storage import db

    url = settings.effective_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_heads()
            )
    except Exception as exc:
        return [
            Finding(
                "fail",
                "database",
                f"cannot connect to {shown} ({PREFIX}DATABASE_URL): {type(exc).__name__}: {exc}",
            )
        ]
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(db.alembic_config()).get_heads()
    if set(current) != set(head):
        have = ", ".join(current) or "empty"
        return [
            Finding(
                "warn",
                "database",
                f"{shown} answers; schema at {have}, newest {', '.join(head)}: "
                "`helpline run` migrates it on start",
            )
        ]
    return [Finding("ok", "database", f"{shown} answers, schema up to date")]


def _public_url(settings: Settings) -> list[Finding]:
    if not settings.public_url:
        if settings.telegram_enabled:
            return [Finding("ok", "public url", "not set: Telegram uses long polling")]
        return []
    parts = urlsplit(settings.public_url)
    host = parts.hostname or ""
    findings: list[Finding] = []
    if _is_local(host):
        findings.append(
            Finding(
                "fail",
                "public url",
                f"{PREFIX}PUBLIC_URL={settings.public_url}: Telegram and Twilio cannot reach "
                f"{host}; use the address the internet sees (a tunnel such as ngrok on a laptop)",
            )
        )
    if parts.scheme != "https":
        level: Level = "fail" if settings.telegram_webhook else "warn"
        findings.append(
            Finding(
                level,
                "public url",
                f"{PREFIX}PUBLIC_URL must use https: Telegram sends webhooks only over HTTPS, "
                "and Twilio's signatures should not travel in clear text",
            )
        )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if settings.telegram_webhook and port not in TELEGRAM_PORTS:
        findings.append(
            Finding(
                "fail",
                "public url",
                f"port {port}: Telegram delivers webhooks only to ports 443, 80, 88 or 8443",
            )
        )
    if not findings:
        findings.append(Finding("ok", "public url", settings.public_url))
    return findings


def _is_local(host: str) -> bool:
    if host in ("localhost", "") or host.endswith(".local") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


async def _telegram(settings: Settings) -> list[Finding]:
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.channels.telegram import WEBHOOK_PATH, build_bot, close_bot

    assert settings.telegram_token is not None
    api = settings.telegram_api_url or "https://api.telegram.org"
    bot = build_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    findings: list[Finding] = []
    try:
        me = await bot.get_me()
        findings.append(Finding("ok", "telegram", f"the token works: bot @{me.username}"))
        info = await bot.get_webhook_info()
        if settings.telegram_webhook:
            expected = f"{settings.public_url}{WEBHOOK_PATH}"
            findings.append(
                Finding("ok", "telegram", f"webhook mode: updates arrive at {expected}")
            )
            if info.url != expected:
                findings.append(
                    Finding(
                        "warn",
                        "telegram",
                        f"Telegram's webhook is {info.url or 'not set'}; "
                        f"`helpline run` sets it to {expected} when it starts",
                    )
                )
            if info.last_error_message:
                findings.append(
                    Finding(
                        "warn",
                        "telegram",
                        f"Telegram's last delivery to the webhook failed: {info.last_error_message}",
                    )
                )
        else:
            findings.append(Finding("ok", "telegram", "polling mode: no public address needed"))
            if info.url:
                findings.append(
                    Finding(
                        "warn",
                        "telegram",
                        f"a webhook is set ({info.url}); polling removes it when it starts",
                    )
                )
    except InvalidToken:
        findings.append(
            Finding(
                "fail",
                "telegram",
                f"{PREFIX}TELEGRAM_TOKEN was rejected by Telegram: copy the token @BotFather "
                "gave (send /token to @BotFather to see it again)",
            )
        )
    except NetworkError as exc:
        findings.append(
            Finding("fail", "telegram", f"cannot reach the Bot API at {api}: {exc.message}")
        )
    except TelegramError as exc:
        findings.append(Finding("fail", "telegram", f"the Bot API answered: {exc.message}"))
    finally:
        await close_bot(bot)
    return findings


async def _twilio(settings: Settings) -> list[Finding]:
    import httpx
    from twilio.base.exceptions import TwilioException

    from bot.channels.twilio_http import HttpxTwilioClient
    from bot.channels.whatsapp import INBOUND_PATH, STATUS_PATH

    assert settings.twilio_account_sid and settings.twilio_auth_token
    from twilio.rest import Client

    api = settings.twilio_api_url or "https://api.twilio.com"
    http = HttpxTwilioClient()
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        http_client=http,
    )
    if settings.twilio_api_url:
        client.api.base_url = settings.twilio_api_url.rstrip("/")
    findings: list[Finding] = []
    try:
        account = await client.api.v2010.accounts(settings.twilio_account_sid).fetch_async()
        if account.status != "active":
            findings.append(
                Finding("fail", "whatsapp", f"the Twilio account is {account.status}, not active")
            )
        else:
            findings.append(
                Finding("ok", "whatsapp", f"Twilio account {account.friendly_name!r} is active")
            )
    except TwilioException as exc:
        status = getattr(exc, "status", None)
        code = getattr(exc, "code", None)
        if status in (401, 403):
            text = (
                f"{PREFIX}TWILIO_ACCOUNT_SID / {PREFIX}TWILIO_AUTH_TOKEN were rejected by Twilio "
                f"({status}, code {code}): copy both from the Twilio Console's account info"
            )
        elif status == 404:
            text = f"{PREFIX}TWILIO_ACCOUNT_SID names no account Twilio knows (404)"
        else:
            text = f"Twilio answered {status} (code {code})"
        findings.append(Finding("fail", "whatsapp", text))
    except httpx.HTTPError as exc:
        findings.append(
            Finding("fail", "whatsapp", f"cannot reach Twilio at {api}: {type(exc).__name__}")
        )
    finally:
        await http.close()
    findings.append(
        Finding(
            "ok",
            "whatsapp",
            f"in Twilio, set the sender {settings.twilio_whatsapp_from}'s incoming-message webhook "
            f"to POST {settings.public_url}{INBOUND_PATH} (status callbacks are set per message: "
            f"{settings.public_url}{STATUS_PATH})",
        )
    )
    if not settings.twilio_template_sid:
        findings.append(
            Finding(
                "warn",
                "whatsapp",
                f"{PREFIX}TWILIO_TEMPLATE_SID is not set: an officer's reply after the 24-hour "
                "window is held, but the worker is not invited back to read it",
            )
        )
    return findings
