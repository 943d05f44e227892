"""What the dialogue remembers between messages; stored as JSON on the conversation row."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Profile:
    """What the helpline knows about the worker, kept on the worker's row."""

    language: str | None = None
    language_chosen: bool = False  # asked for explicitly, so detection no longer changes it
    country: str | None = None


@dataclass
class DialogueState:
    awaiting: str | None = None  # "country" | "complaint_offer" | "delete_confirm" | "flow"
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
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
