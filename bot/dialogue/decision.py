"""The dialogue's vocabulary: the turn that goes in, the decision and its events that come out.

The policy and the complaint flows build a `Draft`; `decide` returns it frozen as a `Decision`,
which nobody downstream changes. Events are typed values: the engine stores them (`stored()`
says what of them may go to the event log) and the case desk acts on them by type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from bot.dialogue.cases import CaseContext
from bot.dialogue.danger import Danger
from bot.dialogue.state import DialogueState, Profile
from bot.messages import Reply
from bot.nlu.types import NluResult


@dataclass(frozen=True)
class AttachmentRef:
    """A file the message carried: evidence rows are keyed by (message id, position)."""

    position: int
    kind: str  # "photo" | "document" | "voice" | "video" | "location"


@dataclass(frozen=True)
class Turn:
    text: str
    nlu: NluResult | None  # None for a quick-reply payload, which needs no understanding
    detected_language: str | None
    has_attachments: bool = False
    cases: CaseContext = CaseContext()  # the worker's cases, from the case desk
    now: datetime | None = None  # when the message was received: the policy has no clock
    message_id: int | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    # A message of several parts ("paspor ditahan, gaji blm dibayar"): each part understood
    # alone, so that every problem in it is found (bot/dialogue/context.py).
    clauses: tuple[NluResult, ...] = ()
    # A long message is understood by its beginning, `text` (bot/dialogue/reading.py); `cut`
    # says more followed, and `danger_in_rest` is the danger found in what followed.
    cut: bool = False
    danger_in_rest: Danger | None = None


# Events ------------------------------------------------------------------------------------


class EventKind(StrEnum):
    """How an event is named in the event log (`events.kind`)."""

    EMERGENCY = "emergency"
    HANDOFF_REQUESTED = "handoff_requested"
    FORGET_ME = "delete_my_data"
    CHAT_CLEARED = "delete_chat"
    DATA_REQUESTED = "data_request"
    COMPLAINT_STARTED = "complaint_started"
    COMPLAINT_SUBMITTED = "complaint_submitted"
    COMPLAINT_CANCELLED = "complaint_cancelled"
    COMPLAINT_DECLINED = "complaint_declined"
    COMPLAINT_EXPIRED = "complaint_expired"
    REFERRAL = "referral"  # written by the channels (a deep link's code), not by the dialogue


@dataclass(frozen=True)
class Event:
    kind: ClassVar[EventKind]

    def stored(self) -> dict[str, Any]:
        """What the event log keeps of it: never personal data."""
        return {}


@dataclass(frozen=True)
class Emergency(Event):
    """Danger written: the emergency (or crisis) reply went out; an urgent case opens."""

    kind: ClassVar[EventKind] = EventKind.EMERGENCY
    country: str | None
    category: str | None = None  # "self_harm" for the crisis reply; officers see it at once

    def stored(self) -> dict[str, Any]:
        data: dict[str, Any] = {"country": self.country}
        if self.category is not None:
            data["category"] = self.category
        return data


@dataclass(frozen=True)
class HandoffRequested(Event):
    """The worker asked for a person; `intent` is what they were talking about."""

    kind: ClassVar[EventKind] = EventKind.HANDOFF_REQUESTED
    intent: str | None

    def stored(self) -> dict[str, Any]:
        return {"intent": self.intent}


@dataclass(frozen=True)
class ForgetMe(Event):
    """Confirmed "delete my data": messages, events and case records go."""

    kind: ClassVar[EventKind] = EventKind.FORGET_ME


@dataclass(frozen=True)
class ChatCleared(Event):
    """Confirmed "delete this chat": only the worker's screen is cleared."""

    kind: ClassVar[EventKind] = EventKind.CHAT_CLEARED


@dataclass(frozen=True)
class DataRequested(Event):
    """ "What do you keep about me?": the case desk answers with what is stored (bot/cases/
    privacy.py), in a reply only the worker reads."""

    kind: ClassVar[EventKind] = EventKind.DATA_REQUESTED


@dataclass(frozen=True)
class ComplaintStarted(Event):
    kind: ClassVar[EventKind] = EventKind.COMPLAINT_STARTED
    flow: str
    version: str

    def stored(self) -> dict[str, Any]:
        return {"flow": self.flow, "version": self.version}


@dataclass(frozen=True)
class ComplaintEnded(Event):
    """A complaint flow that ended without a case; `flow` is None before a category."""

    flow: str | None

    def stored(self) -> dict[str, Any]:
        return {"flow": self.flow}


@dataclass(frozen=True)
class ComplaintCancelled(ComplaintEnded):
    kind: ClassVar[EventKind] = EventKind.COMPLAINT_CANCELLED


@dataclass(frozen=True)
class ComplaintDeclined(ComplaintEnded):
    """Consent refused: nothing kept."""

    kind: ClassVar[EventKind] = EventKind.COMPLAINT_DECLINED


@dataclass(frozen=True)
class ComplaintExpired(ComplaintEnded):
    """Left unfinished past the expiry: deleted."""

    kind: ClassVar[EventKind] = EventKind.COMPLAINT_EXPIRED


@dataclass(frozen=True)
class ComplaintSubmitted(Event):
    """A confirmed complaint. The case desk opens the case, draws its reference and tells
    the worker; `record` (personal data) goes, encrypted, to the case only."""

    kind: ClassVar[EventKind] = EventKind.COMPLAINT_SUBMITTED
    category: str | None
    country: str | None
    record: Mapping[str, Any] = field(default_factory=dict)
    priority_hint: str | None = None  # "urgent" when danger was written during the flow
    choice: str | None = None  # an organisation the worker chose

    def stored(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "country": self.country,
            "priority_hint": self.priority_hint,
            "choice": self.choice,
        }


@dataclass(frozen=True)
class Referral(Event):
    kind: ClassVar[EventKind] = EventKind.REFERRAL
    channel: str
    code: str

    def stored(self) -> dict[str, Any]:
        return {"channel": self.channel, "code": self.code}


DialogueEvent = (
    Emergency
    | HandoffRequested
    | ForgetMe
    | ChatCleared
    | DataRequested
    | ComplaintStarted
    | ComplaintSubmitted
    | ComplaintCancelled
    | ComplaintDeclined
    | ComplaintExpired
)


# The decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What the dialogue decided for one message: built once, never changed."""

    replies: tuple[Reply, ...]
    state: DialogueState
    profile: Profile
    intent: str | None = None
    confidence: float | None = None
    events: tuple[DialogueEvent, ...] = ()
    # Not understood ("unclear") or outside the helpline's topics ("out_of_scope"): the
    # engine keeps the message, scrubbed, for editors to label (bot/learning).
    unrecognised: str | None = None


@dataclass
class Draft:
    """The decision while the policy and the flows build it; `freeze()` ends it."""

    state: DialogueState
    profile: Profile
    intent: str | None = None
    confidence: float | None = None
    replies: list[Reply] = field(default_factory=list)
    events: list[DialogueEvent] = field(default_factory=list)
    unrecognised: str | None = None

    def say(self, reply: Reply | str) -> None:
        self.replies.append(Reply(reply) if isinstance(reply, str) else reply)

    def emit(self, event: DialogueEvent) -> None:
        self.events.append(event)

    def freeze(self) -> Decision:
        # Copies, so that a later change to the draft cannot reach the decision.
        return Decision(
            tuple(self.replies),
            DialogueState.from_json(self.state.to_json()),
            self.profile,  # frozen
            self.intent,
            self.confidence,
            tuple(self.events),
            self.unrecognised,
        )
