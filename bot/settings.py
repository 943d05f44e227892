"""Settings from HELPLINE_* environment variables (and an optional .env), validated at start-up."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "HELPLINE_"


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
    nlu_backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str | None = None
    rasa_timeout: float = Field(default=2.0, gt=0)
    nlu_threshold: float | None = Field(default=None, ge=0, le=1)
    encryption_keys: str | None = None  # comma-separated Fernet keys, newest first
    default_language: Literal["id", "en"] = "id"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ValueError(f"{PREFIX}RASA_URL is required when {PREFIX}NLU_BACKEND is 'rasa'")
        if self.env == "production":
            if not self.encryption_keys:
                raise ValueError(f"{PREFIX}ENCRYPTION_KEYS is required in production")
            if not self.database_url or self.database_url.startswith("sqlite"):
                raise ValueError(f"{PREFIX}DATABASE_URL must name a PostgreSQL database in production")
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError(
                f"{PREFIX}DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        return self

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
