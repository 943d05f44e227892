"""Every channel a worker can write from has a sender, so that no outbound message waits for one.

`senders_for_every_channel` is checked when the channels are built (start-up): a new
`ChannelKind` without a sender stops the program rather than leaving its messages pending.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.messages import ChannelKind
from bot.outbox.types import Outgoing, Sender, Sent, TemporaryError


class MissingSender(RuntimeError):
    """A channel workers can write from has no way out."""


class ChannelOff:
    """A channel whose settings are absent in this process (Telegram without a token): its
    messages are retried with backoff, then failed, and the case page shows them stuck."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, message: Outgoing) -> Sent:
        raise TemporaryError(f"{self.channel}_not_configured")


def senders_for_every_channel(senders: Mapping[str, Sender]) -> dict[str, Sender]:
    missing = sorted(set(ChannelKind) - set(senders))
    if missing:
        raise MissingSender(f"no outbox sender for the channel(s) {', '.join(missing)}")
    return dict(senders)
