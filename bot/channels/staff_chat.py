"""The staff chat (bot.cases.alerts.StaffChat) over the helpline's own Telegram bot: a group
or channel of officers that the bot may post to (alerts, the supervisors' daily digest)."""

from __future__ import annotations

from telegram import Bot
from telegram.constants import MessageLimit

from bot.channels.telegram import converted_errors
from bot.channels.text import split_text


class TelegramStaffChat:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, text: str) -> None:
        """Raises bot.outbox's SendError kinds (never telegram.error's)."""
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        for part in split_text(text, MessageLimit.MAX_TEXT_LENGTH):
            with converted_errors():
                await self.bot.send_message(chat_id=target, text=part)
