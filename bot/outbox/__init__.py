"""The stored outbox: every outbound message is sent from the database, once, in order.

Others call `enqueue(session, worker_id, text)` to send a worker a message on their channel
(an officer's reply); channels implement `Sender`; the server runs `Outbox`.
"""

from bot.outbox.sender import Backoff, Outbox, Pacer, SharedPacer
from bot.outbox.store import enqueue, release_held
from bot.outbox.types import (
    Outgoing,
    OutsideWindow,
    PermanentError,
    RetryLater,
    Sender,
    SendError,
    Sent,
    TemporaryError,
    Visible,
)

__all__ = [
    "Backoff",
    "Outbox",
    "Outgoing",
    "OutsideWindow",
    "Pacer",
    "SharedPacer",
    "PermanentError",
    "RetryLater",
    "SendError",
    "Sender",
    "Sent",
    "TemporaryError",
    "Visible",
    "enqueue",
    "release_held",
]
