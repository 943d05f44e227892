"""Channel adapters: Telegram (python-telegram-bot) and WhatsApp (Twilio). See service.py."""

from __future__ import annotations

import logging
import os

# Opt in to PTB's timedelta periods now: the int form warns on every use (v22.2 and later).
os.environ.setdefault("PTB_TIMEDELTA", "true")

# httpx logs every request's URL at INFO, and a Telegram URL holds the bot's token; PTB logs
# request parameters (what workers are sent, chat ids) at DEBUG. Neither belongs in our logs.
_NOISY = ("httpx", "httpcore", "telegram", "twilio", "hpack")


def quiet_library_logs() -> None:
    for name in _NOISY:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # also NOTSET, which would follow the root's level
            logger.setLevel(logging.WARNING)
