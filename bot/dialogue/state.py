"""What the dialogue remembers between messages; stored as JSON on the conversation row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Awaiting(StrEnum):
    """What the dialogue asked and waits for; stored as its string in `awaiting`."""

    COUNTRY = "country"  # where they work (a numbered list of countries)
    FLOW = "flow"  # a complaint flow's answer
    COMPLAINT_OFFER = "complaint_offer"  # yes to "report this?" after a rights answer
    DELETE_CONFIRM = "delete_confirm"  # yes or no to "delete my data?"
    CLEAR_CHAT_CONFIRM = "clear_chat_confirm"  # yes or no to "delete this chat?"


@dataclass(frozen=True)
class Profile:
    """What the helpline knows about the worker, kept on the worker's row."""

    language: str | None = None
    language_chosen: bool = False  # asked for explicitly, so detection no longer changes it
    country: str | None = None
    # Gets awareness messages (bot/awareness): opted in and not out since.
    subscribed: bool = False


@dataclass
class DialogueState:
    awaiting: Awaiting | None = None
    pending_intent: str | None = None  # what to answer once the awaited thing arrives
    last_intent: str | None = None
    misunderstood: int = 0  # not-understood messages in a row
    extra: dict[str, Any] = field(default_factory=dict)  # room for later features
    # A complaint flow's answers so far (bot/dialogue/flows/progress.py); the engine stores
    # it encrypted, since it holds what the worker told us.
    flow: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogueState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        awaiting = values.get("awaiting")
        # A question this version no longer asks is no longer awaited.
        values["awaiting"] = Awaiting(awaiting) if awaiting in _AWAITED else None
        return cls(**values)


_AWAITED = frozenset(a.value for a in Awaiting)
