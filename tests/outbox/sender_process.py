"""A sender process for the kill tests: `python -m tests.outbox.sender_process DB BOT_API KEY
[CONCURRENCY]`."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from bot.channels.telegram import TelegramSender, build_bot
from bot.outbox import Outbox
from bot.storage import db
from bot.storage.crypto import Cipher
from tests.channels.fixtures import TELEGRAM_TOKEN


async def main(database_url: str, api_url: str, key: str, concurrency: str = "8") -> None:
    engine = db.create_engine(database_url, cipher=Cipher([key]))
    sender = TelegramSender(build_bot(TELEGRAM_TOKEN, api_url))
    outbox = Outbox(
        db.session_factory(engine),
        {"telegram": sender},
        lease=timedelta(seconds=30),
        concurrency=int(concurrency),
    )
    print("ready", flush=True)
    await outbox.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
