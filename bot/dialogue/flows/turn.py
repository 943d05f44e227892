"""One message inside a complaint flow: what it says, and small helpers the layers share.

The turn is handled by a class built in layers, each a concept of its own module:
    turn.py       TurnBase: the message, the worker's language, the flow's memory
    asking.py     Asking: questions, answers kept, what the flow says in between
    finishing.py  Finishing: back, skip, cancel, the category, the summary and sending
    runner.py     FlowRunner and the turn's dispatch
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot import intents
from bot.dialogue import replies
from bot.dialogue.commands import Command
from bot.dialogue.flows import slots, words
from bot.dialogue.flows.model import Flow
from bot.dialogue.flows.progress import FlowMemory, Progress
from bot.i18n import DEFAULT_LANGUAGE
from bot.messages import Reply
from bot.nlu.types import Duration, Money

if TYPE_CHECKING:
    from bot.dialogue.flows.runner import FlowRunner
    from bot.dialogue.policy import Decision, Turn

# What earlier messages may fill. Never a phone number: the one a worker writes about their
# problem is as often the agent's as their own.
NOTED = ("money", "duration", "date")


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...


class FlowContent(replies.ContentLike, Protocol):
    def answer(self, intent: str, lang: str, country: str | None) -> AnswerLike: ...
    def emergency(self, lang: str, country: str | None) -> str: ...


class TurnBase:
    def __init__(
        self,
        runner: FlowRunner,
        decision: Decision,
        turn: Turn,
        command: Command | None,
        intent: str | None,
        content: FlowContent,
    ) -> None:
        self.runner = runner
        self.library = runner.library
        self.decision = decision
        self.turn = turn
        self.command = command
        # A typed number the policy mapped to a menu item: inside a flow it is an answer.
        self.menu_intent = intent
        self.intent = None if command is not None and command.kind == "number" else intent
        self.content = content
        self.memory = FlowMemory.from_json(decision.state.flow)
        self.touched = False

    @property
    def lang(self) -> str:
        return self.decision.profile.language or DEFAULT_LANGUAGE

    @property
    def today(self) -> date:
        return self.turn.now.date() if self.turn.now is not None else date.today()

    def _save(self) -> None:
        progress = self.memory.progress
        if progress is not None and self.touched:
            progress.touch(self.turn.now)
        self.decision.state.flow = self.memory.to_json()

    def say(self, reply: Reply | str) -> None:
        self.decision.replies.append(Reply(reply) if isinstance(reply, str) else reply)

    def _wants(self, what: str) -> bool:
        command = self.command
        if command is not None and command.kind == "flow":
            return command.value == what
        said = words.norm(self.turn.text)
        table = {
            "cancel": words.CANCEL,
            "back": words.BACK,
            "skip": words.SKIP,
            "help": words.HELP,
            "resume": words.RESUME,
            "send": words.SEND,
            "correct": words.CHANGE,
        }[what]
        return said in table

    def _payload(self) -> str | None:
        command = self.command
        if command is not None and command.kind in ("answer", "country"):
            return command.value
        return None

    def _answer(self) -> slots.Answer:
        command = self.command
        number = int(command.value) if command is not None and command.kind == "number" else None
        return slots.Answer(self.turn.text, self._payload(), number, self.intent)

    def _context(self, flow: Flow | None, progress: Progress | None) -> slots.SlotContext:
        country = None
        if progress is not None:
            country = next(
                (v for k, v in progress.slots.items() if progress.types.get(k) == "country"), None
            )
        country = country or self.decision.profile.country
        offered = tuple(
            (code, self.content.country_label(code, self.lang))
            for code in self.content.country_codes()
        )
        return slots.SlotContext(
            self.lang, self.today, country, offered, bool(flow and flow.anonymous)
        )

    def _idle(self, progress: Progress) -> timedelta:
        since = progress.idle_since()
        if since is None or self.turn.now is None:
            return timedelta(0)
        return self.turn.now - since

    # What earlier messages said ------------------------------------------------------------

    def _forget_stale_notes(self) -> None:
        noted_at = self.memory.noted_at
        now = self.turn.now
        if (
            noted_at
            and now is not None
            and now - datetime.fromisoformat(noted_at) > self.runner.expiry
        ):
            self.memory.noted, self.memory.noted_at = {}, None

    def _note(self, force: bool = False) -> None:
        """Sums, durations, dates and phone numbers a worker wrote about a problem: the flow
        takes them instead of asking again."""
        nlu = self.turn.nlu
        if nlu is None or not (force or self.intent in (*intents.RIGHTS, "report_problem")):
            return
        for entity in nlu.entities:
            if entity.type in NOTED:
                self.memory.noted[entity.type] = _jsonable(entity.value)
                if self.turn.now is not None:
                    self.memory.noted_at = self.turn.now.isoformat()

    def _collect_files(self, progress: Progress) -> int:
        for attachment in self.turn.attachments:
            progress.files.append(
                {
                    "message_id": self.turn.message_id,
                    "position": attachment.position,
                    "kind": attachment.kind,
                }
            )
        return len(self.turn.attachments)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Duration):
        amount = value.amount
        return {"amount": int(amount) if amount == int(amount) else amount, "unit": value.unit}
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
