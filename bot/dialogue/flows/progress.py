"""Where a worker is in a flow, kept as JSON in the dialogue state (and so in the database).

Nothing about a flow in progress lives in memory: a restarted process, or another one,
carries on from this. The engine stores it encrypted, since it holds what the worker told us.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

PICK_CATEGORY = "category"  # the step that asks what the complaint is about (no flow yet)


@dataclass
class Progress:
    flow: str | None  # None while the worker chooses the category
    version: str | None  # the flow's version when it began (see FlowLibrary.get)
    step: str  # a step id, "summary", or PICK_CATEGORY
    slots: dict[str, Any] = field(default_factory=dict)  # answers by step id
    types: dict[str, str] = field(default_factory=dict)  # each answer's slot type
    skipped: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # steps answered, for "back"
    files: list[dict[str, Any]] = field(default_factory=list)  # evidence sent during the flow
    started: str | None = None  # ISO times
    updated: str | None = None
    paused: bool = False  # the worker left (menu, a person, danger): answers wait
    urgent: bool = False  # danger was written during the flow
    attempts: int = 0  # wrong answers in a row to this step
    confirming_cancel: bool = False
    prefilled: list[str] = field(default_factory=list)  # taken from earlier messages
    unknown: list[str] = field(default_factory=list)  # skipped as "gk tau" (don't know)
    # When the worker agreed to the consent step, and to which version of the flow's text:
    # {"answer": "yes" | "anonymous", "at": ISO time, "flow": id, "flow_version": hash}.
    consent: dict[str, str] | None = None

    def touch(self, now: datetime | None) -> None:
        if now is not None:
            self.updated = now.isoformat()
            self.started = self.started or self.updated

    def idle_since(self) -> datetime | None:
        return datetime.fromisoformat(self.updated) if self.updated else None

    def forget(self, step_id: str) -> None:
        self.slots.pop(step_id, None)
        self.types.pop(step_id, None)
        if step_id in self.skipped:
            self.skipped.remove(step_id)
        if step_id in self.prefilled:
            self.prefilled.remove(step_id)
        if step_id in self.unknown:
            self.unknown.remove(step_id)


@dataclass
class FlowMemory:
    """The dialogue state's `flow` entry: facts noted from earlier messages, and progress."""

    noted: dict[str, Any] = field(default_factory=dict)  # entity type -> JSON value
    noted_at: str | None = None
    progress: Progress | None = None

    def to_json(self) -> dict[str, Any] | None:
        if not self.noted and self.progress is None:
            return None
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> FlowMemory:
        if not data:
            return cls()
        raw = data.get("progress")
        progress = None
        if isinstance(raw, dict) and "step" in raw:
            known = {f.name for f in fields(Progress)}
            progress = Progress(**{k: v for k, v in raw.items() if k in known})
        return cls(dict(data.get("noted") or {}), data.get("noted_at"), progress)
