"""Settings of the case desk's timers and staff chat: validated once, errors name the setting."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456:TEST-token_abc"


def test_the_timers_have_defaults() -> None:
    settings = load_settings()
    assert (settings.waiting_notice_minutes, settings.waiting_notice_repeat_minutes) == (3, 60)
    assert settings.urgent_claim_minutes == 15
    assert settings.telegram_staff_chat is None


@pytest.mark.parametrize("chat", ["-1001234567890", "123456", "@helpline_staff"])
def test_a_staff_chat_is_a_chat_id_or_a_channel_name(chat: str) -> None:
    settings = load_settings(telegram_token=TOKEN, telegram_staff_chat=f" {chat} ")
    assert settings.telegram_staff_chat == chat


@pytest.mark.parametrize("chat", ["https://t.me/+abc", "-100 123", "@abc", "grup staf"])
def test_a_wrong_staff_chat_is_named(chat: str) -> None:
    with pytest.raises(SettingsError, match="HELPLINE_TELEGRAM_STAFF_CHAT must be a chat id"):
        load_settings(telegram_token=TOKEN, telegram_staff_chat=chat)


def test_a_staff_chat_needs_the_bot() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_STAFF_CHAT needs HELPLINE_TELEGRAM_TOKEN"):
        load_settings(telegram_staff_chat="-1001234567890")


def test_timers_must_make_sense() -> None:
    with pytest.raises(SettingsError, match="HELPLINE_URGENT_CLAIM_MINUTES"):
        load_settings(urgent_claim_minutes=0)
    with pytest.raises(SettingsError, match="HELPLINE_WAITING_NOTICE_REPEAT_MINUTES must be"):
        load_settings(waiting_notice_minutes=10, waiting_notice_repeat_minutes=5)
