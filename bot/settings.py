"""Settings from HELPLINE_* environment variables (and an optional .env), validated at start-up."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "HELPLINE_"
DEFAULT_RETENTION_DAYS = 365


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    database_url: str = ""  # empty: SQLite in data_dir
    data_dir: Path = PROJECT_ROOT / "var"
    content_dir: Path = PROJECT_ROOT  # the checkout root that holds flows/
    nlu_data_dir: Path = PROJECT_ROOT / "nlu_data"
    # Editors publishing from the dashboard write content_dir/flows/ ("files"); "off" where
    # flows/ is read-only (an image without a shared volume): editors then publish through git.
    content_publishing: Literal["files", "off"] = "files"
    # Every process checks this often whether an editor published (then reloads the content).
    content_poll_seconds: float = Field(default=10, gt=0)
    # A `reviewed` date older than this is due on the dashboard's content page.
    content_review_days: int = Field(default=180, ge=1, le=3650)
    nlu_backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str | None = None
    rasa_timeout: float = Field(default=2.0, gt=0)
    nlu_threshold: float | None = Field(default=None, ge=0, le=1)
    encryption_keys: str | None = None  # comma-separated Fernet keys, newest first
    # Keys the look-up hashes of workers' channel ids and the cookie secrets; unset: the last
    # (oldest) encryption key. Set it to that key before the key leaves ENCRYPTION_KEYS.
    lookup_key: SecretStr | None = None
    default_language: Literal["id", "en"] = "id"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    flow_expiry_hours: float = Field(default=168, gt=0)  # unfinished complaints are deleted
    # Outbound messages a process sends at once (also the most a crash can send twice).
    send_concurrency: int = Field(default=8, ge=1, le=100)
    # Closed cases lose their personal data this long after closing (bot/cases/retention.py).
    retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=1, le=3650)
    # Channels (bot/channels): a channel whose settings are absent is off.
    public_url: str | None = None  # https://helpline.example.org, where webhooks arrive
    telegram_token: SecretStr | None = None
    telegram_secret: SecretStr | None = None  # webhook secret; derived from the token if unset
    telegram_mode: Literal["webhook", "polling"] | None = None  # default: webhook with public_url
    telegram_api_url: str | None = None  # a local Bot API server (or a test stub)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None  # whatsapp:+14155238886
    # Messages a second the WhatsApp sender may send, shared by every process: the account's
    # throughput for the sender with Twilio (Twilio's console or support says what it is).
    whatsapp_per_second: float = Field(default=50, gt=0, le=1000)
    twilio_template_sid: str | None = None  # HX..., the approved "an officer answered" template
    twilio_api_url: str | None = None  # a test stub instead of https://api.twilio.com
    # The case desk's timers and its staff group chat (bot/cases/waiting.py, escalation.py).
    telegram_staff_chat: str | None = None  # a Telegram group's chat id: urgent cases
    waiting_notice_minutes: float = Field(default=3, gt=0)  # unanswered while an officer holds
    waiting_notice_repeat_minutes: float = Field(default=60, gt=0)  # the next notice, if ever
    urgent_claim_minutes: float = Field(default=15, gt=0)  # then the supervisors are told
    # The supervisors' daily digest (bot/cases/digest.py): to each organisation's staff chat
    # (organisations.yml), else to the staff chat above, at this local hour unless it names one.
    digest_hour: int = Field(default=7, ge=0, le=23)
    # Anonymised reports (bot/reports): a figure counting fewer cases or conversations than this
    # is shown as "<N", never as the number.
    report_min_cell: int = Field(default=5, ge=3, le=1000)  # "<2" would say "1"
    # Bearer token for /metrics; unset, only a scraper on this machine may read them.
    metrics_token: SecretStr | None = None
    # Partner sites that may show the web chat in a frame (the widget): comma-separated origins.
    web_chat_origins: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Settings:
        self._check_channels()
        if self.waiting_notice_repeat_minutes < self.waiting_notice_minutes:
            raise ValueError(
                f"{PREFIX}WAITING_NOTICE_REPEAT_MINUTES must be at least "
                f"{PREFIX}WAITING_NOTICE_MINUTES"
            )
        self._check_web_chat_origins()
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ValueError(f"{PREFIX}RASA_URL is required when {PREFIX}NLU_BACKEND is 'rasa'")
        if self.env == "production":
            if not self.encryption_keys:
                raise ValueError(f"{PREFIX}ENCRYPTION_KEYS is required in production")
            if not self.database_url or self.database_url.startswith("sqlite"):
                raise ValueError(
                    f"{PREFIX}DATABASE_URL must name a PostgreSQL database in production"
                )
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError(
                f"{PREFIX}DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return self

    def _check_channels(self) -> None:
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError(
                    f"{PREFIX}PUBLIC_URL must be a URL like https://helpline.example.org"
                )
            if parts.query or parts.fragment:
                raise ValueError(f"{PREFIX}PUBLIC_URL must not have a query or a fragment")
            self.public_url = self.public_url.rstrip("/")
        secret = self.telegram_secret.get_secret_value() if self.telegram_secret else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError(
                f"{PREFIX}TELEGRAM_SECRET must be 1-256 characters: letters, digits, _ and -"
            )
        webhook = self.telegram_token and self.effective_telegram_mode == "webhook"
        if webhook and not self.public_url:
            raise ValueError(
                f"{PREFIX}PUBLIC_URL is required when {PREFIX}TELEGRAM_MODE is 'webhook'"
            )
        twilio = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_WHATSAPP_FROM": self.twilio_whatsapp_from,
        }
        given = [name for name, value in twilio.items() if value]
        if given:
            missing = [PREFIX + name for name, value in twilio.items() if not value]
            if missing:
                raise ValueError(f"WhatsApp needs {', '.join(missing)} too")
            if not self.public_url:
                raise ValueError(f"{PREFIX}PUBLIC_URL is required for WhatsApp (Twilio webhooks)")
            sender = (self.twilio_whatsapp_from or "").removeprefix("whatsapp:")
            if not re.fullmatch(r"\+[1-9]\d{6,14}", sender):
                raise ValueError(
                    f"{PREFIX}TWILIO_WHATSAPP_FROM must be a number like whatsapp:+14155238886"
                )
            self.twilio_whatsapp_from = "whatsapp:" + sender
            if not (self.twilio_account_sid or "").startswith("AC"):
                raise ValueError(f"{PREFIX}TWILIO_ACCOUNT_SID must start with AC")
        if self.twilio_template_sid and not self.twilio_template_sid.startswith("HX"):
            raise ValueError(f"{PREFIX}TWILIO_TEMPLATE_SID must be a content SID starting with HX")
        self._check_staff_chat()

    def _check_staff_chat(self) -> None:
        chat = (self.telegram_staff_chat or "").strip() or None
        self.telegram_staff_chat = chat
        if chat is None:
            return
        if not self.telegram_enabled:
            raise ValueError(
                f"{PREFIX}TELEGRAM_STAFF_CHAT needs {PREFIX}TELEGRAM_TOKEN: the bot posts there"
            )
        # A group's id (-100...), a chat's id, or a public channel's @username.
        if not re.fullmatch(r"-?[1-9]\d{0,19}|@[A-Za-z][A-Za-z0-9_]{4,31}", chat):
            raise ValueError(
                f"{PREFIX}TELEGRAM_STAFF_CHAT must be a chat id like -1001234567890 "
                "or a channel's @username"
            )

    def _check_web_chat_origins(self) -> None:
        origins = []
        for given in (self.web_chat_origins or "").split(","):
            given = given.strip()
            if not given:
                continue
            parts = urlsplit(given)
            if (
                parts.scheme not in ("https", "http")
                or not parts.hostname
                or not re.fullmatch(
                    r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", parts.netloc
                )
                or parts.path not in ("", "/")
                or parts.query
                or parts.fragment
                or parts.username is not None
            ):
                raise ValueError(
                    f"{PREFIX}WEB_CHAT_ORIGINS must be comma-separated origins like "
                    f"https://ngo.example.org (scheme and host, no path): {given!r} is not one"
                )
            origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
        self.web_chat_origins = ",".join(dict.fromkeys(origins)) or None

    @property
    def web_chat_origin_list(self) -> tuple[str, ...]:
        """The partner sites that may frame the chat page (its CSP frame-ancestors)."""
        return tuple(o for o in (self.web_chat_origins or "").split(",") if o)

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over https: in production, or when the public address is https."""
        return self.env == "production" or (self.public_url or "").startswith("https://")

    @property
    def effective_telegram_mode(self) -> Literal["webhook", "polling"]:
        if self.telegram_mode:
            return self.telegram_mode
        return "webhook" if self.public_url else "polling"

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None and bool(self.telegram_token.get_secret_value())

    @property
    def telegram_webhook(self) -> bool:
        return self.telegram_enabled and self.effective_telegram_mode == "webhook"

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid and self.twilio_auth_token and self.twilio_whatsapp_from
        )

    @cached_property
    def effective_database_url(self) -> str:
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'helpline.db'}"
        # Accept the URLs people paste; the async drivers are what we run on.
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        elif url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
            url = "sqlite+aiosqlite://" + url.split("://", 1)[1]
        return url


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a SettingsError naming each wrong setting otherwise."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            name = f"{PREFIX}{field.upper()}" if field else "settings"
            lines.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
