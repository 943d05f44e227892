"""Channel adapters: Telegram (python-telegram-bot) and WhatsApp (Twilio). See service.py."""

from __future__ import annotations

import logging

# httpx logs every request's URL at INFO, and a Telegram URL holds the bot's token; PTB logs
# request parameters (what workers are sent, chat ids) at DEBUG. Neither belongs in our logs.
_NOISY = ("httpx", "httpcore", "telegram", "twilio", "hpack")


def quiet_library_logs() -> None:
    for name in _NOISY:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # also NOTSET, which would follow the root's level
            logger.setLevel(logging.WARNING)
