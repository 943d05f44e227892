"""`helpline chat`: the terminal as a channel ("console"). It prints the answers to what is
typed, and, while it waits for the next line, what officers send (read from the database, as
the web chat page does: the officer replies from the dashboard of a server process).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Protocol

import click

from bot.cases.presence import Holder, change_text
from bot.channels.mailbox import Mailbox
from bot.messages import Action, ChannelKind, Inbound, Reply

POLL_SECONDS = 1.0
_PROMPT = "> "


class ConsoleReceiver(Protocol):
    """What the console needs of bot.channels.inbound.Receiver."""

    async def answer(self, inbound: Inbound) -> list[Reply]: ...


class Console:
    def __init__(
        self,
        receiver: ConsoleReceiver,
        mailbox: Mailbox,
        user: str,
        *,
        write: Callable[[str], None],
        interactive: bool = False,
        lang: str = "id",
        poll: float = POLL_SECONDS,
    ) -> None:
        self.receiver = receiver
        self.mailbox = mailbox
        self.user = user
        self.write = write
        self.interactive = interactive
        self.lang = lang
        self.poll = poll
        self.quick: dict[str, str] = {}

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the worker; prints and returns the answers."""
        # A quick reply can be chosen by typing its title.
        text = self.quick.get(text.strip().lower(), text)
        replies = await self.receiver.answer(Inbound(ChannelKind.CONSOLE, self.user, text))
        self._print_replies(replies)
        return replies

    async def run(self, read_line: Callable[[], Awaitable[str | None]]) -> None:
        """Read lines until there are none (None), printing officers' messages meanwhile."""
        watcher = asyncio.ensure_future(self.watch())
        try:
            while True:
                line = await read_line()
                if line is None:
                    break
                if line.strip():
                    await self.say(line.rstrip("\n"))
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def watch(self) -> None:
        """Print what officers and the case desk send, and who answers, as it arrives."""
        after: int | None = None
        holder: list[Holder | None] = []  # the last one seen, once one was
        while True:
            worker_id = await self.mailbox.worker_id(ChannelKind.CONSOLE, self.user)
            if worker_id is not None:
                mail = await self.mailbox.read(worker_id, after)
                lines = []
                if holder and holder != [mail.holder]:
                    lines.append(f"-- {change_text(mail.holder, self.lang)} --")
                holder = [mail.holder]
                for message in mail.messages:
                    who = mail.holder.label(self.lang) if message.officer and mail.holder else None
                    lines.append(f"[{who}] {message.text}" if who else message.text)
                after = mail.last_id
                if lines:
                    self._interrupt(lines)
            await asyncio.sleep(self.poll)

    def _interrupt(self, lines: list[str]) -> None:
        # Printed over the waiting prompt, which is shown again below.
        if self.interactive:
            self.write("\r\033[K")
        for line in lines:
            self.write(line + "\n")
        self.write("\n" + (_PROMPT if self.interactive else ""))

    def _print_replies(self, replies: list[Reply]) -> None:
        quick: dict[str, str] = {}
        for reply in replies:
            if reply.action is Action.CLEAR_CHAT and self.interactive:
                click.clear()  # the terminal's "delete this chat"
                continue
            self.write(reply.text + "\n")
            if reply.quick_replies:
                self.write("  " + "  ".join(f"[{q.title}]" for q in reply.quick_replies) + "\n")
                quick.update({q.title.lower(): q.payload for q in reply.quick_replies})
        self.write("\n")
        self.quick = quick
