"""A complaint flow inside the dialogue: one message in, replies and the new state out. Pure.

The policy asks `handle()` first; it answers the turn when the worker is in a flow (or starts
one), and otherwise leaves the turn to the policy. Danger is the policy's first concern; it
calls `danger()` to keep the report and mark it urgent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot import intents
from bot.dialogue.commands import Command
from bot.dialogue.flows import slots, texts, words
from bot.dialogue.flows.finishing import Finishing
from bot.dialogue.flows.library import FlowLibrary
from bot.dialogue.flows.model import SUMMARY, Flow, Step
from bot.dialogue.flows.progress import PICK_CATEGORY, FlowMemory, Progress
from bot.dialogue.flows.turn import FlowContent
from bot.dialogue.flows.walk import migrate
from bot.i18n import translator

if TYPE_CHECKING:
    from bot.dialogue.policy import Decision, Turn
    from bot.dialogue.state import DialogueState

REMIND_AFTER = timedelta(hours=1)  # back after this long: a reminder of where they were


class FlowRunner:
    def __init__(
        self,
        library: FlowLibrary,
        *,
        new_reference: Callable[[], str],
        expiry: timedelta = timedelta(hours=168),
    ) -> None:
        self.library = library
        self.new_reference = new_reference  # bot.cases.new_reference: the case takes it as is
        self.expiry = expiry

    def handle(
        self,
        decision: Decision,
        turn: Turn,
        command: Command | None,
        intent: str | None,
        content: FlowContent,
    ) -> bool:
        """True if the flow answered the turn; False leaves it to the policy."""
        return _Turn(self, decision, turn, command, intent, content).handle()

    def active(self, state: DialogueState) -> bool:
        """Whether the worker is answering a flow's questions (not paused)."""
        progress = FlowMemory.from_json(state.flow).progress
        return progress is not None and not progress.paused

    def danger(
        self, decision: Decision, turn: Turn, command: Command | None, content: FlowContent
    ) -> None:
        """Danger was written, and the emergency reply given: a report in progress is marked
        urgent and waits. Once urgent, a danger word in an answer no longer stops it."""
        _Turn(self, decision, turn, command, None, content).danger()


class _Turn(Finishing):
    # Entry points --------------------------------------------------------------------------

    def handle(self) -> bool:
        self._forget_stale_notes()
        handled = self._handle()
        if not handled and self.memory.progress is None:
            self._note()
        self._save()
        return handled

    def danger(self) -> None:
        progress = self.memory.progress
        if progress is None:
            return
        self._collect_files(progress)
        self.touched = True
        progress.confirming_cancel = False
        if progress.urgent and not progress.paused and self._keep_answer(progress):
            self._save()
            return
        progress.urgent = True
        progress.paused = True
        self.decision.state.awaiting = None
        self.say(texts.saved(self.lang, button=True))
        self._save()

    def _keep_answer(self, progress: Progress) -> bool:
        """A free-text answer that names danger, after the report was marked urgent: kept, and
        the questions go on (the worker may be describing what happened)."""
        flow = self.library.get(progress.flow or "", progress.version)
        step = flow.step(progress.step) if flow is not None else None
        if flow is None or step is None or step.type != "text":
            return False
        parsed = slots.parse(step, self._answer(), self._context(flow, progress))
        if not parsed.ok:
            return False
        self.say(_continue(self.lang))
        self._store(flow, progress, step, parsed.value)
        return True

    # The turn ------------------------------------------------------------------------------

    def _handle(self) -> bool:
        progress = self.memory.progress
        if progress is not None and self._idle(progress) > self.runner.expiry:
            self._expire(progress)
            progress = None
        if progress is None:
            return self._maybe_start()
        # Evidence belongs to the report whatever else the message says (even "batal").
        self._collect_files(progress)
        if progress.paused:
            self.intent = self.menu_intent  # outside the flow, a number is a menu choice
            if not (self._wants("resume") or self.intent == "report_problem" or self._payload()):
                if self.intent in ("greet", "help"):  # before the menu: the report waits
                    self.say(texts.saved(self.lang, button=False))
                return False
            progress.paused = False
            self.touched = True
            if self._payload() is None:
                self.say(self._reminder(progress))
                self._ask_again(progress)
                return True
        self.touched = True
        self.decision.state.awaiting = "flow"
        return self._in_flow(progress)

    def _maybe_start(self) -> bool:
        command = self.command
        state = self.decision.state
        if command is not None and command.kind == "flow" and command.value.startswith("start:"):
            flow = self.library.get(command.value.removeprefix("start:"))
            if flow is not None:
                self._start(flow)
                return True
            return False
        offered = state.awaiting == "complaint_offer"
        self.intent = self.menu_intent  # outside a flow, a number is a menu choice
        if self.intent in intents.RIGHTS and words.wants_to_report(self.turn.text):
            flow = self.library.for_category(self.intent)
            if flow is not None:
                self._note(force=True)
                self._start(flow)
                state.pending_intent = None
                return True
        if self.intent == "report_problem" or (self.intent == "affirm" and offered):
            self._note(force=True)
            category = state.pending_intent if offered else self._guess_category()
            flow = self.library.for_category(category) if category else None
            if flow is not None:
                self._start(flow)
            else:
                self.memory.progress = Progress(flow=None, version=None, step=PICK_CATEGORY)
                self.touched = True
                self.say(texts.pick_category(self.lang, self._categories()))
            state.awaiting, state.pending_intent = "flow", None
            return True
        return False

    def _expire(self, progress: Progress) -> None:
        _ = translator(self.lang).gettext
        ngettext = translator(self.lang).ngettext
        flow = self.library.get(progress.flow) if progress.flow else None
        title = flow.title[self.lang] if flow else _("your complaint")
        hours = int(self.runner.expiry.total_seconds() // 3600)
        if hours % 24 == 0:
            left = ngettext("{n} day", "{n} days", hours // 24).format(n=hours // 24)
        else:
            left = ngettext("{n} hour", "{n} hours", hours).format(n=hours)
        self.say(
            _(
                "Your unfinished report about {title} was deleted because it was left for more "
                "than {time}, to protect your privacy. You can start a new one at any time."
            ).format(title=title, time=left)
        )
        self.decision.events.append(("complaint_expired", {"flow": progress.flow}))
        self.memory.progress = None
        self.memory.noted, self.memory.noted_at = {}, None
        if self.decision.state.awaiting == "flow":
            self.decision.state.awaiting = None

    def _in_flow(self, progress: Progress) -> bool:
        if progress.confirming_cancel:
            return self._cancel_answer(progress)
        if self._wants("cancel"):
            progress.confirming_cancel = True
            self.say(texts.confirm_cancel(self.lang))
            return True
        if progress.step == PICK_CATEGORY:
            return self._pick(progress)
        flow = self.library.get(progress.flow or "", progress.version)
        if flow is None:
            return self._flow_gone()
        if flow.version != progress.version:
            migrate(flow, progress)
        returning = self._idle(progress) >= REMIND_AFTER
        added = len(self.turn.attachments)
        if self._wants("back"):
            return self._back(flow, progress)
        if self._wants("skip"):
            return self._skip(flow, progress)
        if progress.step == SUMMARY:
            return self._summary_turn(flow, progress, returning)
        step = flow.step(progress.step)
        if step is None:
            self._advance(flow, progress)
            return True
        if returning:
            self.say(self._reminder(progress))
        if self._wants("help"):
            self._help(step, progress)
            return True
        if added and (step.type == "attachment" or not self.turn.text.strip()):
            self._files_kept(flow, step, progress)
            return True
        return self._step_turn(flow, progress, step, returning)

    def _step_turn(self, flow: Flow, progress: Progress, step: Step, returning: bool) -> bool:
        free_text = step.type == "text"
        button = self.command is not None and self.command.kind in ("intent", "menu", "lang")
        if free_text or button:
            other = self._other_topic(flow, progress, strict=free_text and not button)
            if other is not None:
                return other
        if returning and free_text:
            self.say(self._question(step, progress))
            return True
        answer = self._answer()
        buttons = self._buttons(step, flow, progress)
        if buttons and answer.number == len(buttons) and buttons[-1].payload == "/flow:skip":
            return self._skip(flow, progress)  # the number WhatsApp shows for "Skip"
        parsed = slots.parse(step, answer, self._context(flow, progress))
        if parsed.ok and not (step.type == "attachment" and not progress.files):
            self._store(flow, progress, step, parsed.value)
            return True
        said = words.norm(self.turn.text)
        nothing = said in words.UNKNOWN or said in words.NONE or parsed.value == "done"
        if step.skip and nothing:
            self._skip(flow, progress)
            return True
        if not free_text:
            other = self._other_topic(flow, progress, strict=False)
            if other is not None:
                return other
        if returning:
            self.say(self._question(step, progress))
            return True
        self._wrong(step, progress, parsed)
        return True

    def _wrong(self, step: Step, progress: Progress, parsed: slots.Parsed) -> None:
        _ = translator(self.lang).gettext
        progress.attempts += 1
        if parsed.error is None:  # "done" without any file, at a step that cannot be skipped
            message = _("Please send at least one photo, document or voice note.")
        else:
            message = parsed.error
        if progress.attempts >= 2:
            if step.help:
                message += "\n" + step.help[self.lang]
            message += "\n" + _(
                'If it is hard to answer, write "skip" where you can, or ask to talk to a person.'
            )
        self.say(message)
        self.say(self._question(step, progress))


def _continue(lang: str) -> str:
    _ = translator(lang).gettext
    return _("I have added this to your report, which is marked urgent. The next question:")
