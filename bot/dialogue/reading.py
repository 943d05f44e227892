"""How much of a long message is understood, and how danger is found in all of it.

The classifier, the clauses and the dialogue read the beginning of a message, at most
`READ_CHARS` of its channel (the channel's own longest message), so that the work a message
costs is bounded whatever a client sends. The whole text is stored and shown to officers;
the rest is never understood, but it is searched for signs of danger, in chunks of bounded
size that overlap so that a clause cut by one chunk's end is whole in the next: "tolong,
majikan kunci saya di kamar" at the end of a long story still brings the emergency reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.dialogue.danger import Danger, detect
from bot.messages import ChannelKind

# Per channel: the longest message its app lets a worker send (Telegram and WhatsApp 4,096
# characters, the chat page's box 4,000). A longer text came from elsewhere.
READ_CHARS: Mapping[str, int] = {
    ChannelKind.TELEGRAM: 4096,
    ChannelKind.WHATSAPP: 4096,
    ChannelKind.WEB: 4000,
    ChannelKind.CONSOLE: 4000,
}
DEFAULT_READ_CHARS = 4000
# A message of several problems is also understood clause by clause, up to this many clauses.
MAX_CLAUSES = 12
# The rest is searched for danger in chunks of this size, each overlapping the one before by
# OVERLAP characters: longer than any clause that says one thing.
CHUNK_CHARS = 2000
OVERLAP = 300


@dataclass(frozen=True, slots=True)
class Reading:
    text: str  # what is understood: the whole message, or its beginning
    rest: str = ""  # what follows, searched only for danger

    @property
    def cut(self) -> bool:
        return bool(self.rest)


def read(text: str, channel: str) -> Reading:
    """The part of `text` that is understood (cut after a word), and the rest."""
    limit = READ_CHARS.get(channel, DEFAULT_READ_CHARS)
    if len(text) <= limit:
        return Reading(text)
    end = text.rfind(" ", limit // 2, limit + 1)
    end = end if end > 0 else limit
    return Reading(text[:end], text[end:])


def danger_in_rest(reading: Reading) -> Danger | None:
    """The first sign of danger in what follows the part understood; explicit signs only."""
    if not reading.cut:
        return None
    # From a little before the cut, so that a clause across it is read whole.
    start = max(0, len(reading.text) - OVERLAP)
    whole = reading.text[start:] + reading.rest
    for chunk in _chunks(whole):
        found = detect(chunk, None)
        if found is not None:
            return found
    return None


def _chunks(text: str) -> Iterator[str]:
    step = CHUNK_CHARS - OVERLAP
    for start in range(0, max(1, len(text) - OVERLAP), step):
        chunk = text[start : start + CHUNK_CHARS]
        # A word cut at either edge is whole in the neighbouring chunk: leave its piece out,
        # so that "terkunci" cut to "kunci" does not read as a lock.
        if start > 0:
            chunk = chunk.partition(" ")[2]
        if start + CHUNK_CHARS < len(text):
            chunk = chunk.rpartition(" ")[0]
        yield chunk
