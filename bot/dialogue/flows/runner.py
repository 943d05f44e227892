"""A complaint flow inside the dialogue: one message in, replies and the new state out. Pure.

The policy asks `FlowRunner.handle()` first; it answers the turn when the worker is in a flow
(or starts one) and otherwise leaves the turn to the policy. Danger is the policy's first
concern; it calls `danger()` to keep the report and mark it urgent.

Like python-telegram-bot's ConversationHandler, where the conversation stands picks the
handler: `STEPS` maps each `StepKind` to a small function over the turn (`FlowTurn`, an
immutable value). What a handler changes is the decision being built (`t.draft`) and the
flow's memory (`t.memory`); it returns True when the flow answered the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot import intents
from bot.dialogue import replies
from bot.dialogue.cases import status_reply
from bot.dialogue.commands import Command, CommandKind, language_asked
from bot.dialogue.decision import (
    ComplaintCancelled,
    ComplaintDeclined,
    ComplaintExpired,
    ComplaintStarted,
    ComplaintSubmitted,
    Draft,
    Turn,
)
from bot.dialogue.flows import slots, texts, words
from bot.dialogue.flows.library import FlowLibrary
from bot.dialogue.flows.model import SUMMARY, Flow, SlotType, Step
from bot.dialogue.flows.progress import PICK_CATEGORY, FlowMemory, Progress
from bot.dialogue.flows.show import show
from bot.dialogue.flows.walk import anonymous, applies, migrate, walk
from bot.dialogue.state import Awaiting, DialogueState
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.messages import QuickReply, Reply
from bot.nlu.types import Duration, Money

REMIND_AFTER = timedelta(hours=1)  # back after this long: a reminder of where they were
# What earlier messages may fill. Never a phone number: the one a worker writes about their
# problem is as often the agent's as their own.
NOTED = (SlotType.MONEY, SlotType.DURATION, SlotType.DATE)
# The policy answers these.
ESCAPES = frozenset({"talk_to_human", "delete_my_data", "delete_chat", "data_request", "help"})
INFO = frozenset(
    {*intents.RIGHTS, *intents.INFORMATION, "contact_info", "find_support", "case_status"}
)
SHORT = 4  # words: a free-text answer this short may be a greeting rather than an answer


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...


class FlowContent(replies.ContentLike, Protocol):
    def answer(self, intent: str, lang: str, country: str | None) -> AnswerLike: ...
    def emergency(self, lang: str, country: str | None) -> str: ...


class StepKind(StrEnum):
    """Where a worker in a flow stands: what their next message answers."""

    CONFIRMING_CANCEL = "confirming_cancel"  # yes or no to "cancel the report?"
    PICK_CATEGORY = "pick_category"  # what the complaint is about (no flow yet)
    QUESTION = "question"  # one of the flow's questions
    SUMMARY = "summary"  # send the report, or change an answer


class FlowRunner:
    def __init__(self, library: FlowLibrary, *, expiry: timedelta = timedelta(hours=168)) -> None:
        self.library = library
        self.expiry = expiry

    def handle(
        self,
        draft: Draft,
        turn: Turn,
        command: Command | None,
        intent: str | None,
        content: FlowContent,
    ) -> bool:
        """True if the flow answered the turn; False leaves it to the policy."""
        t = FlowTurn.of(self, draft, turn, command, intent, content)
        _forget_stale_notes(t)
        handled = _handle(t)
        if not handled and t.memory.progress is None:
            _note(replace(t, intent=t.menu_intent))
        t.draft.state.flow = t.memory.to_json()
        return handled

    def active(self, state: DialogueState) -> bool:
        """Whether the worker is answering a flow's questions (not paused)."""
        progress = FlowMemory.from_json(state.flow).progress
        return progress is not None and not progress.paused

    def confirming_cancel(self, state: DialogueState) -> bool:
        """Whether the worker was just asked "stop this report?" (a bare "stop" answers it)."""
        progress = FlowMemory.from_json(state.flow).progress
        return progress is not None and not progress.paused and progress.confirming_cancel

    def danger(
        self, draft: Draft, turn: Turn, command: Command | None, content: FlowContent
    ) -> None:
        """Danger was written, and the emergency reply given: a report in progress is marked
        urgent and waits. Once urgent, a danger word in an answer no longer stops it."""
        t = FlowTurn.of(self, draft, turn, command, None, content)
        progress = t.memory.progress
        if progress is None:
            return
        _collect_files(t, progress)
        _touch(t, progress)
        progress.confirming_cancel = False
        if not (progress.urgent and not progress.paused and _keep_answer(t, progress)):
            progress.urgent = True
            progress.paused = True
            t.draft.state.awaiting = None
            t.say(texts.saved(t.lang, button=True))
        t.draft.state.flow = t.memory.to_json()


@dataclass(frozen=True)
class FlowTurn:
    """One message inside a complaint flow, and where its effects go."""

    library: FlowLibrary
    expiry: timedelta
    draft: Draft  # the decision being built: replies, events, state, profile
    turn: Turn
    command: Command | None
    # A typed number the policy mapped to a menu item: inside a flow it is an answer, outside
    # (paused, not started) a menu choice.
    menu_intent: str | None
    intent: str | None
    content: FlowContent
    memory: FlowMemory  # the flow's answers so far, saved into the state at the end
    idle: timedelta  # since the worker last answered, as the message arrived

    @classmethod
    def of(
        cls,
        runner: FlowRunner,
        draft: Draft,
        turn: Turn,
        command: Command | None,
        intent: str | None,
        content: FlowContent,
    ) -> FlowTurn:
        memory = FlowMemory.from_json(draft.state.flow)
        since = memory.progress.idle_since() if memory.progress is not None else None
        idle = turn.now - since if since is not None and turn.now is not None else timedelta(0)
        number = command is not None and command.kind is CommandKind.NUMBER
        return cls(
            runner.library,
            runner.expiry,
            draft,
            turn,
            command,
            intent,
            None if number else intent,
            content,
            memory,
            idle,
        )

    @property
    def lang(self) -> str:
        return self.draft.profile.language or DEFAULT_LANGUAGE

    @property
    def today(self) -> date:
        if self.turn.now is None:  # the policy has no clock: the engine says when it is
            raise ValueError("a complaint flow needs the time the message arrived (Turn.now)")
        return self.turn.now.date()

    def say(self, reply: Reply | str) -> None:
        self.draft.say(reply)


Handler = Callable[[FlowTurn, Progress], bool]


def step_kind(progress: Progress) -> StepKind:
    if progress.confirming_cancel:
        return StepKind.CONFIRMING_CANCEL
    if progress.step == PICK_CATEGORY:
        return StepKind.PICK_CATEGORY
    if progress.step == SUMMARY:
        return StepKind.SUMMARY
    return StepKind.QUESTION


# The turn ------------------------------------------------------------------------------------


def _handle(t: FlowTurn) -> bool:
    progress = t.memory.progress
    if progress is not None and t.idle > t.expiry:
        _expire(t, progress)
        progress = None
    if progress is None:
        return _maybe_start(replace(t, intent=t.menu_intent))
    # Evidence belongs to the report whatever else the message says (even "batal").
    _collect_files(t, progress)
    if progress.paused:
        t = replace(t, intent=t.menu_intent)  # outside the flow, a number is a menu choice
        if not (_wants(t, "resume") or t.intent == "report_problem" or _payload(t)):
            if t.intent in ("greet", "help"):  # before the menu: the report waits
                t.say(texts.saved(t.lang, button=False))
            return False
        progress.paused = False
        _touch(t, progress)
        if _payload(t) is None:
            t.say(_reminder(t, progress))
            _ask_again(t, progress)
            return True
    _touch(t, progress)
    t.draft.state.awaiting = Awaiting.FLOW
    kind = step_kind(progress)
    if kind is not StepKind.CONFIRMING_CANCEL and _wants(t, "cancel"):
        progress.confirming_cancel = True
        t.say(texts.confirm_cancel(t.lang))
        return True
    return STEPS[kind](t, progress)


def _in_flow(handler: Callable[[FlowTurn, Progress, Flow], bool]) -> Handler:
    """A step of a known flow: the flow found (and brought to its current version), and the
    moves that work at every step (back, skip) taken before the step's own handler."""

    def handle(t: FlowTurn, progress: Progress) -> bool:
        flow = t.library.get(progress.flow or "", progress.version)
        if flow is None:
            return _flow_gone(t)
        if flow.version != progress.version:
            migrate(flow, progress)
        if _wants(t, "back"):
            return _back(t, flow, progress)
        if _wants(t, "skip"):
            return _skip(t, flow, progress)
        return handler(t, progress, flow)

    return handle


def _maybe_start(t: FlowTurn) -> bool:
    command = t.command
    state = t.draft.state
    if (
        command is not None
        and command.kind is CommandKind.FLOW
        and command.value.startswith("start:")
    ):
        flow = t.library.get(command.value.removeprefix("start:"))
        if flow is not None:
            _start(t, flow)
            return True
        return False
    offered = state.awaiting == Awaiting.COMPLAINT_OFFER
    if t.intent in intents.RIGHTS and words.wants_to_report(t.turn.text):
        flow = t.library.for_category(t.intent)
        if flow is not None:
            _note(t, force=True)
            _start(t, flow)
            state.pending_intent = None
            return True
    if t.intent == "report_problem" or (t.intent == "affirm" and offered):
        _note(t, force=True)
        category = state.pending_intent if offered else _guess_category(t)
        flow = t.library.for_category(category) if category else None
        if flow is not None:
            _start(t, flow)
        else:
            progress = Progress(flow=None, version=None, step=PICK_CATEGORY)
            t.memory.progress = progress
            _touch(t, progress)
            t.say(texts.pick_category(t.lang, _categories(t)))
        state.awaiting, state.pending_intent = Awaiting.FLOW, None
        return True
    return False


def _expire(t: FlowTurn, progress: Progress) -> None:
    _ = translator(t.lang).gettext
    ngettext = translator(t.lang).ngettext
    flow = t.library.get(progress.flow) if progress.flow else None
    title = flow.title[t.lang] if flow else _("your complaint")
    hours = int(t.expiry.total_seconds() // 3600)
    if hours % 24 == 0:
        left = ngettext("{n} day", "{n} days", hours // 24).format(n=hours // 24)
    else:
        left = ngettext("{n} hour", "{n} hours", hours).format(n=hours)
    t.say(
        _(
            "Your unfinished report about {title} was deleted because it was left for more "
            "than {time}, to protect your privacy. You can start a new one at any time."
        ).format(title=title, time=left)
    )
    t.draft.emit(ComplaintExpired(progress.flow))
    _end(t)


def _end(t: FlowTurn) -> None:
    """The flow is over: its answers and the notes from earlier messages go."""
    t.memory.progress = None
    t.memory.noted, t.memory.noted_at = {}, None
    if t.draft.state.awaiting == Awaiting.FLOW:
        t.draft.state.awaiting = None


# Step handlers -------------------------------------------------------------------------------


def _question_turn(t: FlowTurn, progress: Progress, flow: Flow) -> bool:
    step = flow.step(progress.step)
    if step is None:
        _advance(t, flow, progress)
        return True
    returning = t.idle >= REMIND_AFTER
    if returning:
        t.say(_reminder(t, progress))
    if _wants(t, "help"):
        t.say(step.help[t.lang] if step.help else _help_text(t.lang))
        t.say(_question(t, step, progress))
        return True
    if t.turn.attachments and (step.type == SlotType.ATTACHMENT or not t.turn.text.strip()):
        _files_kept(t, flow, step, progress)
        return True
    if t.command is None and words.is_command(t.turn.text, words.UNKNOWN):
        # "i don't know" is an answer, whatever topic the classifier hears in it.
        return _unknown(t, flow, progress, step)
    free_text = step.type == SlotType.TEXT
    button = t.command is not None and t.command.kind in (
        CommandKind.INTENT,
        CommandKind.MENU,
        CommandKind.LANG,
    )
    if free_text or button:
        other = _other_topic(t, progress, strict=free_text and not button)
        if other is not None:
            return other
    if returning and free_text:
        t.say(_question(t, step, progress))
        return True
    answer = _answer(t)
    buttons = _buttons(t, step, flow, progress)
    if buttons and answer.number == len(buttons) and buttons[-1].payload == "/flow:skip":
        return _skip(t, flow, progress)  # the number WhatsApp shows for "Skip"
    parsed = slots.parse(step, answer, _context(t, flow, progress))
    if parsed.ok and step.type == SlotType.YESNO and t.command is None:
        _store(t, flow, progress, step, parsed.value, advance=False)
        _carry(t, flow, progress)
        _advance(t, flow, progress)
        return True
    if parsed.ok and not (step.type == SlotType.ATTACHMENT and not progress.files):
        _store(t, flow, progress, step, parsed.value)
        return True
    said = words.norm(t.turn.text)
    nothing = said in words.UNKNOWN or said in words.NONE or parsed.value == "done"
    if step.skip and nothing:
        _skip(t, flow, progress)
        return True
    if not free_text:
        other = _other_topic(t, progress, strict=False)
        if other is not None:
            return other
    if returning:
        t.say(_question(t, step, progress))
        return True
    _wrong(t, step, progress, parsed)
    return True


def _cancel_answer(t: FlowTurn, progress: Progress) -> bool:
    _ = translator(t.lang).gettext
    payload = _payload(t)
    said = words.yes_or_no(t.turn.text)
    if payload == "yes" or said is True or _wants(t, "cancel") or t.intent == "affirm":
        t.draft.emit(ComplaintCancelled(progress.flow))
        _end(t)
        t.draft.state.awaiting = None
        t.say(
            replies.menu(
                t.content,
                t.lang,
                intro=_(
                    "OK, the report is cancelled and your answers are deleted. What else can I do for you?"
                ),
            )
        )
        return True
    progress.confirming_cancel = False
    if payload == "no" or said is False or t.intent == "deny" or _wants(t, "resume"):
        t.say(_("OK, let's go on."))
        _ask_again(t, progress)
        return True
    progress.confirming_cancel = True
    t.say(texts.confirm_cancel(t.lang))
    return True


def _pick(t: FlowTurn, progress: Progress) -> bool:
    _ = translator(t.lang).gettext
    flows = t.library.flows()
    answer = _answer(t)
    chosen: Flow | None = None
    if answer.payload is not None:
        chosen = next((f for f in flows if f.id == answer.payload), None)
    elif answer.number is not None and 1 <= answer.number <= len(flows):
        chosen = flows[answer.number - 1]
    else:
        found = slots.match_option(
            t.turn.text, [(f.id, (f.title["id"], f.title["en"], *f.synonyms)) for f in flows]
        )
        chosen = next((f for f in flows if f.id == found), None)
        if chosen is None and t.intent in intents.RIGHTS and t.command is None:
            chosen = t.library.for_category(t.intent)
    if chosen is None:
        if _wants(t, "back") and progress.flow:
            flow = t.library.get(progress.flow, progress.version)
            if flow is not None:
                progress.step = SUMMARY
                t.say(_summary(t, flow, progress))
                return True
        other = _other_topic(t, progress, strict=False)
        if other is not None:
            return other
        t.say(_("Please choose a topic from the list: tap a button or write its number."))
        t.say(texts.pick_category(t.lang, _categories(t)))
        return True
    if progress.flow is None:
        _start(t, chosen, keep=progress)
        return True
    migrate(chosen, progress)  # a corrected category: the answers that fit come along
    _advance(t, chosen, progress)
    return True


def _summary_turn(t: FlowTurn, progress: Progress, flow: Flow) -> bool:
    _ = translator(t.lang).gettext
    command = t.command
    if t.idle >= REMIND_AFTER and not (command is not None and command.kind is CommandKind.FLOW):
        t.say(_reminder(t, progress))
        t.say(_summary(t, flow, progress))
        return True
    said = words.norm(t.turn.text)
    if command is None and _fix_in_words(t, flow, progress):
        return True
    if (
        _wants(t, "send")
        or _payload(t) == "yes"
        or words.yes_or_no(t.turn.text) is True
        or t.intent == "affirm"
    ):
        _submit(t, flow, progress)
        return True
    number = (
        int(command.value)
        if command is not None and command.kind is CommandKind.NUMBER
        else words.correction(said)
    )
    if number is not None:
        return _correct(t, flow, progress, number)
    if _wants(t, "correct") or words.yes_or_no(t.turn.text) is False or t.intent == "deny":
        t.say(
            Reply(
                _("Which answer do you want to change? Write its number."),
                texts.summary_buttons(t.lang),
            )
        )
        return True
    other = _other_topic(t, progress, strict=False)
    if other is not None:
        return other
    t.say(_('Please tap "Send report", or write the number of an answer to change it.'))
    t.say(_summary(t, flow, progress))
    return True


# What the worker's next message answers, and who handles it.
STEPS: dict[StepKind, Handler] = {
    StepKind.CONFIRMING_CANCEL: _cancel_answer,
    StepKind.PICK_CATEGORY: _pick,
    StepKind.QUESTION: _in_flow(_question_turn),
    StepKind.SUMMARY: _in_flow(_summary_turn),
}


# Danger inside a flow ------------------------------------------------------------------------


def _keep_answer(t: FlowTurn, progress: Progress) -> bool:
    """A free-text answer that names danger, after the report was marked urgent: kept, and
    the questions go on (the worker may be describing what happened)."""
    flow = t.library.get(progress.flow or "", progress.version)
    step = flow.step(progress.step) if flow is not None else None
    if flow is None or step is None or step.type != SlotType.TEXT:
        return False
    parsed = slots.parse(step, _answer(t), _context(t, flow, progress))
    if not parsed.ok:
        return False
    _ = translator(t.lang).gettext
    t.say(_("I have added this to your report, which is marked urgent. The next question:"))
    _store(t, flow, progress, step, parsed.value)
    return True


# Starting and answering ----------------------------------------------------------------------


def _categories(t: FlowTurn) -> list[tuple[str, str]]:
    return [(f.id, f.title[t.lang]) for f in t.library.flows()]


def _guess_category(t: FlowTurn) -> str | None:
    """ "mau lapor, paspor saya ditahan": a category named in the report itself."""
    if t.command is not None:
        return None
    return slots.match_option(
        t.turn.text, [(f.category, f.synonyms) for f in t.library.flows() if f.synonyms]
    )


def _start(t: FlowTurn, flow: Flow, keep: Progress | None = None) -> None:
    progress = Progress(flow=flow.id, version=flow.version, step=flow.steps[0].id)
    if keep is not None:
        progress.files, progress.urgent = keep.files, keep.urgent
    t.memory.progress = progress
    _touch(t, progress)
    t.draft.state.awaiting = Awaiting.FLOW
    t.draft.emit(ComplaintStarted(flow.id, flow.version))
    t.say(texts.intro(t.lang, flow.title[t.lang]))
    _advance(t, flow, progress)


def _store(
    t: FlowTurn, flow: Flow, progress: Progress, step: Step, value: Any, *, advance: bool = True
) -> None:
    if step.type == SlotType.ATTACHMENT:
        value = list(progress.files)
    progress.forget(step.id)
    progress.slots[step.id] = value
    progress.types[step.id] = step.type
    progress.history.append(step.id)
    progress.attempts = 0
    if step.type == SlotType.CONSENT and value == "no":
        _declined(t)
        return
    if step.type == SlotType.CONSENT:
        # What they agreed to is the consent text of this version of the flow.
        progress.consent = {
            "answer": str(value),
            "at": t.turn.now.isoformat() if t.turn.now is not None else "",
            "flow": flow.id,
            "flow_version": flow.version,
        }
    profile = t.draft.profile
    if step.type == SlotType.COUNTRY and value != slots.HOME and profile.country is None:
        t.draft.profile = replace(profile, country=value)
    if step.type == SlotType.YESNO and step.urgent_if is not None and value is step.urgent_if:
        progress.urgent = True
        t.say(t.content.emergency(t.lang, _context(t, flow, progress).country))
    if advance:
        _advance(t, flow, progress)


# What a yes or no may carry on to the next question: "ya, PT Sinar Jaya Abadi".
CARRIED = (
    SlotType.TEXT,
    SlotType.MONEY,
    SlotType.DURATION,
    SlotType.DATE,
    SlotType.NUMBER,
    SlotType.COUNTRY,
    SlotType.PROVINCE,
    SlotType.CHOICE,
)


def _carry(t: FlowTurn, flow: Flow, progress: Progress) -> None:
    """A yes or no followed by more words: those words answer the next question, when they
    fit it ("ya, PT Sinar Jaya Abadi" to "through an agency?" names the agency)."""
    _said, rest = words.yes_no_rest(t.turn.text)
    tokens = words.norm(rest).split()
    if not tokens or all(w in words.POLITE for w in tokens) or words.yes_or_no(rest) is not None:
        return
    if words.is_command(rest, words.UNKNOWN) or not any(c.isalnum() for c in rest):
        return
    _path, step = walk(flow, progress)
    if step is None or step.type not in CARRIED or (step.personal and anonymous(progress)):
        return
    parsed = slots.parse(step, slots.Answer(rest), _context(t, flow, progress))
    if parsed.ok:
        progress.slots[step.id] = parsed.value
        progress.types[step.id] = step.type
        progress.history.append(step.id)


def _advance(t: FlowTurn, flow: Flow, progress: Progress) -> None:
    while True:
        _path, open_step = walk(flow, progress)
        if open_step is None or not open_step.prefill or not _prefill(t, flow, open_step, progress):
            break
    if open_step is None:
        progress.step = SUMMARY
        t.say(_summary(t, flow, progress))
    else:
        progress.step = open_step.id
        t.say(_question(t, open_step, progress))


def _prefill(t: FlowTurn, flow: Flow, step: Step, progress: Progress) -> bool:
    value: Any = None
    if step.type == SlotType.COUNTRY:
        country = t.draft.profile.country
        if country and (country != slots.HOME or step.home_allowed):
            value = country
    elif step.type in NOTED and step.type in t.memory.noted:
        value = t.memory.noted[step.type]
        if step.type == SlotType.MONEY and not value.get("currency"):
            currency = step.currency or slots.currency_of(_context(t, flow, progress).country)
            value = {**value, "currency": currency} if currency else None
    if value is None or not slots.fits(step.type, value):
        return False
    t.memory.noted.pop(step.type, None)
    progress.slots[step.id] = value
    progress.types[step.id] = step.type
    progress.prefilled.append(step.id)
    return True


def _files_kept(t: FlowTurn, flow: Flow, step: Step, progress: Progress) -> None:
    ngettext = translator(t.lang).ngettext
    count = len(progress.files)
    if step.type == SlotType.ATTACHMENT:
        t.say(
            Reply(
                ngettext(
                    'Thank you, I have {n} file now. Send more, or write "done" when you have finished.',
                    'Thank you, I have {n} files now. Send more, or write "done" when you have finished.',
                    count,
                ).format(n=count),
                _buttons(t, step, flow, progress),
            )
        )
        return
    _ = translator(t.lang).gettext
    t.say(_("Thank you, I have kept your file. It will be part of your report."))
    t.say(_question(t, step, progress))


def _declined(t: FlowTurn) -> None:
    _ = translator(t.lang).gettext
    progress = t.memory.progress
    t.draft.emit(ComplaintDeclined(progress.flow if progress is not None else None))
    _end(t)
    t.draft.state.awaiting = None
    t.say(
        Reply(
            _(
                "OK, I have not kept anything for a report. You can still ask me questions, or talk to a person."
            ),
            replies.person_or_menu(t.lang),
        )
    )


def _flow_gone(t: FlowTurn) -> bool:
    _ = translator(t.lang).gettext
    t.memory.progress = None
    t.draft.state.awaiting = None
    t.say(
        _(
            'Sorry, the form for this report has changed and cannot go on. Please start again: choose "Make a complaint" in the menu.'
        )
    )
    return True


def _wrong(t: FlowTurn, step: Step, progress: Progress, parsed: slots.Parsed) -> None:
    _ = translator(t.lang).gettext
    progress.attempts += 1
    if parsed.error is None:  # "done" without any file, at a step that cannot be skipped
        message = _("Please send at least one photo, document or voice note.")
    else:
        message = parsed.error
    if progress.attempts >= 2:
        if step.help:
            message += "\n" + step.help[t.lang]
        message += "\n" + _(
            'If it is hard to answer, write "skip" where you can, or ask to talk to a person.'
        )
    t.say(message)
    t.say(_question(t, step, progress))


# Moving around -------------------------------------------------------------------------------


def _back(t: FlowTurn, flow: Flow, progress: Progress) -> bool:
    _ = translator(t.lang).gettext
    while progress.history:
        previous = progress.history.pop()
        step = flow.step(previous)
        if previous != progress.step and step is not None and applies(step, flow, progress):
            progress.step = previous
            progress.attempts = 0
            t.say(_question(t, step, progress, previous=True))
            return True
    t.say(_("This is the first question."))
    _ask_again(t, progress)
    return True


def _skip(t: FlowTurn, flow: Flow, progress: Progress) -> bool:
    _ = translator(t.lang).gettext
    step = flow.step(progress.step)
    if step is None:
        t.say(_("There is nothing to skip here."))
        _ask_again(t, progress)
    elif not step.skip:
        t.say(_("I need this answer for your report, so it cannot be skipped."))
        t.say(_question(t, step, progress))
    else:
        progress.forget(step.id)
        progress.skipped.append(step.id)
        progress.history.append(step.id)
        progress.attempts = 0
        _advance(t, flow, progress)
    return True


def _fix_in_words(t: FlowTurn, flow: Flow, progress: Progress) -> bool:
    """ "eh salah, 5 bulan bukan 4": the answer that held the wrong value (or, failing that,
    the one answer of the new value's type) changes, and the summary is asked again."""
    _ = translator(t.lang).gettext
    found = words.fix(t.turn.text)
    if found is None:
        return False
    new, old = _borrow_unit(*found)
    ctx = _context(t, flow, progress)
    path, _open = walk(flow, progress)
    answered = [
        s
        for s in path
        if s.id in progress.slots and s.type not in (SlotType.CONSENT, SlotType.ATTACHMENT)
    ]
    held: list[tuple[Step, Any]] = []
    typed: list[tuple[Step, Any]] = []
    for step in answered:
        stored = progress.slots[step.id]
        if step.type == SlotType.TEXT:
            value = _replaced(str(stored), new, old)
            if value is not None:
                held.append((step, value))
            continue
        if step.type == SlotType.YESNO:
            continue
        wanted = slots.parse(step, slots.Answer(new), ctx)
        if not wanted.ok:
            continue
        typed.append((step, wanted.value))
        was = slots.parse(step, slots.Answer(old), ctx)
        if was.ok and was.value == stored:
            held.append((step, wanted.value))
    chosen = held if held else typed
    if len(chosen) != 1:
        return False
    step, value = chosen[0]
    progress.forget(step.id)
    progress.slots[step.id] = value
    progress.types[step.id] = step.type
    t.say(_("OK, I have changed it."))
    _advance(t, flow, progress)
    return True


_NUMBER_ONLY = re.compile(r"^\d+(?:[.,]\d+)?$")


def _borrow_unit(new: str, old: str) -> tuple[str, str]:
    """ "5 bulan bukan 4": the bare number takes the other side's words (4 -> "4 bulan")."""
    number = re.compile(r"^(\S*\d[\d.,]*)\s*(.*)$")
    if _NUMBER_ONLY.match(old) and (m := number.match(new)) and m.group(2):
        return new, f"{old} {m.group(2)}"
    if _NUMBER_ONLY.match(new) and (m := number.match(old)) and m.group(2):
        return f"{new} {m.group(2)}", old
    return new, old


def _replaced(stored: str, new: str, old: str) -> str | None:
    """A text answer holding the wrong words, with the right ones in their place: "Ana"
    in "Ana Susanti" becomes the last words of "nama sy Ani" ("Ani")."""
    pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)", re.I)
    if not pattern.search(stored):
        return None
    size = len(old.split())
    replacement = " ".join(new.split()[-size:])
    return pattern.sub(replacement, stored, count=1)


def _unknown(t: FlowTurn, flow: Flow, progress: Progress, step: Step) -> bool:
    """ "gk tau", "lupa", "not sure": an optional question is kept as unknown; a required one
    is needed, said kindly, with a person to talk to."""
    _ = translator(t.lang).gettext
    if not step.skip:
        t.say(
            _(
                "That's OK. I still need this answer to send your report. Answer as well as you "
                "can, or talk to a person."
            )
        )
        question = _question(t, step, progress)
        t.say(replace(question, quick_replies=(*question.quick_replies, *_person(t.lang))))
        return True
    progress.forget(step.id)
    progress.skipped.append(step.id)
    progress.unknown.append(step.id)
    progress.history.append(step.id)
    progress.attempts = 0
    _advance(t, flow, progress)
    return True


def _person(lang: str) -> tuple[QuickReply, ...]:
    return tuple(q for q in replies.person_or_menu(lang) if "talk_to_human" in q.payload)


def _correct(t: FlowTurn, flow: Flow, progress: Progress, number: int) -> bool:
    _ = translator(t.lang).gettext
    fields = _fields(t, flow, progress)
    if not 1 <= number <= len(fields):
        message = _("There is no answer number {n}. Please write a number from 1 to {last}.")
        t.say(Reply(message.format(n=number, last=len(fields)), texts.summary_buttons(t.lang)))
        return True
    step = fields[number - 1][2]
    t.say(_("OK, let's change it."))
    if step is None:
        progress.step = PICK_CATEGORY
        t.say(texts.pick_category(t.lang, _categories(t)))
    else:
        progress.step = step.id
        t.say(_question(t, step, progress, previous=True))
    return True


# Sending -------------------------------------------------------------------------------------


def _submit(t: FlowTurn, flow: Flow, progress: Progress) -> None:
    """The complaint goes to the case desk, which opens the case, draws its reference and
    confirms it to the worker (bot/cases/hooks.py)."""
    country = next(
        (v for k, v in progress.slots.items() if progress.types.get(k) == SlotType.COUNTRY), None
    )
    t.draft.emit(
        ComplaintSubmitted(
            category=flow.category,
            country=country or t.draft.profile.country,
            record=_record(t, flow, progress),
            priority_hint="urgent" if progress.urgent else None,
        )
    )
    _end(t)
    t.draft.state.awaiting = None
    t.draft.state.pending_intent = None


def _record(t: FlowTurn, flow: Flow, progress: Progress) -> dict[str, Any]:
    """The complaint as the case keeps it: the answers on the worker's path, in order."""
    path, _open = walk(flow, progress)
    record: dict[str, Any] = {
        "category": flow.category,
        "flow": flow.id,
        "flow_version": flow.version,
        "language": t.lang,
        "anonymous": anonymous(progress),
    }
    for step in path:
        if step.type == SlotType.CONSENT:
            continue
        record[step.id] = (
            progress.files if step.type == SlotType.ATTACHMENT else progress.slots.get(step.id)
        )
    if progress.files and not any(s.type == SlotType.ATTACHMENT for s in path):
        record["evidence"] = progress.files
    if progress.prefilled:
        record["taken_from_earlier_messages"] = list(progress.prefilled)
    if progress.unknown:
        record["not_known"] = list(progress.unknown)
    if progress.urgent:
        record["danger_reported"] = True
    if progress.consent is not None:
        record["consent"] = dict(progress.consent)
    related = [c.reference for c in t.turn.cases.cases if c.status != "closed"]
    if related:
        record["related_cases"] = related
    if t.turn.now is not None:
        record["submitted_at"] = t.turn.now.isoformat()
    return record


# Questions -----------------------------------------------------------------------------------


def _buttons(
    t: FlowTurn, step: Step, flow: Flow | None, progress: Progress
) -> tuple[QuickReply, ...]:
    _ = translator(t.lang).gettext
    found = [
        QuickReply(title, "/answer:" + value)
        for value, title in slots.options(step, _context(t, flow, progress))
    ]
    # WhatsApp numbers the buttons: on a number question "1. Skip" would eat the answer 1.
    if step.skip and step.type != SlotType.NUMBER:
        found.append(QuickReply(_("Skip"), "/flow:skip"))
    return tuple(found)


def _question(t: FlowTurn, step: Step, progress: Progress, *, previous: bool = False) -> Reply:
    _ = translator(t.lang).gettext
    ngettext = translator(t.lang).ngettext
    flow = t.library.get(progress.flow or "", progress.version)
    lines = [step.question[t.lang]]
    if step.type == SlotType.CONSENT and flow is not None and flow.anonymous:
        lines.append(_('You can also report without your name: choose "Without my name".'))
    if step.type == SlotType.ATTACHMENT and progress.files:
        count = len(progress.files)
        lines.append(
            ngettext(
                "I have {n} file from you already.", "I have {n} files from you already.", count
            ).format(n=count)
        )
    if previous and (step.id in progress.slots or step.id in progress.skipped):
        shown = show(step, progress.slots.get(step.id), t.lang, t.content.country_label)
        lines.append(_("(Your answer was: {answer})").format(answer=shown))
    return Reply("\n".join(lines), _buttons(t, step, flow, progress))


def _ask_again(t: FlowTurn, progress: Progress) -> None:
    if progress.step == PICK_CATEGORY:
        t.say(texts.pick_category(t.lang, _categories(t)))
        return
    flow = t.library.get(progress.flow or "", progress.version)
    if flow is None:
        _flow_gone(t)
        return
    if flow.version != progress.version:
        migrate(flow, progress)
    step = flow.step(progress.step)
    if progress.step == SUMMARY or step is None:
        t.say(_summary(t, flow, progress))
    else:
        t.say(_question(t, step, progress))


def _reminder(t: FlowTurn, progress: Progress) -> str:
    _ = translator(t.lang).gettext
    flow = t.library.get(progress.flow) if progress.flow else None
    title = flow.title[t.lang] if flow else _("your complaint")
    return _(
        "Welcome back! We were writing your report about: {title}. Let's go on where you stopped."
    ).format(title=title)


def _help_text(lang: str) -> str:
    _ = translator(lang).gettext
    return _("Answer in your own words, or tap a button.")


def _fields(t: FlowTurn, flow: Flow, progress: Progress) -> list[tuple[str, str, Step | None]]:
    _ = translator(t.lang).gettext
    path, _open = walk(flow, progress)
    found: list[tuple[str, str, Step | None]] = [(_("Problem"), flow.title[t.lang], None)]
    for step in path:
        if step.type == SlotType.CONSENT:
            continue
        value = progress.files if step.type == SlotType.ATTACHMENT else progress.slots.get(step.id)
        shown = show(step, value, t.lang, t.content.country_label)
        if step.id in progress.unknown:
            shown = _("(don't know)")
        found.append((step.label[t.lang], shown, step))
    return found


def _summary(t: FlowTurn, flow: Flow, progress: Progress) -> Reply:
    _ = translator(t.lang).gettext
    lines = [_("Please check your report:")]
    lines += [
        f"{n}. {label}: {shown}"
        for n, (label, shown, _s) in enumerate(_fields(t, flow, progress), start=1)
    ]
    if progress.urgent:
        lines.append(_("⚠️ Marked urgent."))
    lines.append(_("Is everything correct? To change an answer, write its number."))
    return Reply("\n".join(lines), texts.summary_buttons(t.lang))


# Something other than an answer ------------------------------------------------------------


def _other_topic(t: FlowTurn, progress: Progress, *, strict: bool) -> bool | None:
    """A question, a greeting or a request in the middle of a flow. None: not one."""
    _ = translator(t.lang).gettext
    intent = t.intent
    if intent is None:
        return None
    text = t.turn.text
    small_talk = intent in ("greet", "thanks", "goodbye") and t.command is None
    # "dari dulu" reads as goodbye to the classifier: small talk counts only as said, and
    # where any text answers the question ("Ani Susanti from Kowloon" for a name) only if
    # the message opens with it ("halo kak, masih ada?").
    if small_talk and not (
        words.opens_with_small_talk(text) if strict else words.norm(text) in words.SMALL_TALK
    ):
        return None
    if strict:
        short = len(words.norm(text).split()) <= SHORT
        # A question counts however long ("data apa yg kalian simpan tentang saya?").
        asked = (*INFO, "report_problem", "data_request")
        if intent in asked and not words.looks_like_question(text):
            return None
        if intent not in asked and not short:
            return None
    if intent in ESCAPES:
        progress.paused = True
        t.draft.state.awaiting = None
        t.say(texts.saved(t.lang, button=False))
        return False
    if intent == "cancel" and not words.says_later(text):
        return None  # a city ("Jeddah") the classifier took for "cancel"
    if intent == "cancel":  # "nanti saja": later, not "delete it"
        progress.paused = True
        t.draft.state.awaiting = None
        t.say(texts.saved(t.lang, button=True))
        return True
    if intent == "change_language":
        _switch_language(t)
    elif intent in INFO:
        _answer_question(t, intent)
        t.say(_("Now, back to your report:"))
    elif intent == "report_problem":
        t.say(_("We are writing your report now."))
    elif intent == "greet":
        t.say(_reminder(t, progress))
    elif intent == "thanks":
        t.say(_("You're welcome."))
    elif intent == "goodbye":
        t.say(_("Your answers are saved. Write any time and we will go on."))
    else:
        return None
    _ask_again(t, progress)
    return True


def _switch_language(t: FlowTurn) -> None:
    profile = t.draft.profile
    target = language_asked(t.turn.text, profile.language)
    t.draft.profile = replace(profile, language=target, language_chosen=True)
    t.say(replies.language_switched(target))


def _answer_question(t: FlowTurn, intent: str) -> None:
    cases = t.turn.cases
    if intent == "case_status" and cases.cases:
        t.say(Reply(status_reply(cases, t.turn.text, t.lang).text))
        return
    text = t.content.answer(intent, t.lang, t.draft.profile.country).text
    # An answer ends with its `next` paragraph (flows/README.md), which offers a complaint
    # ("type 5 ..."): wrong advice in the middle of one, and "5" would read as an answer.
    paragraphs = text.split("\n\n")
    t.say("\n\n".join(paragraphs[:-1]) if len(paragraphs) > 1 else text)


# The message -------------------------------------------------------------------------------


def _wants(t: FlowTurn, what: str) -> bool:
    command = t.command
    if command is not None and command.kind is CommandKind.FLOW:
        return command.value == what
    return words.is_command(t.turn.text, _MOVES[what])


_MOVES = {
    "cancel": words.CANCEL,
    "back": words.BACK,
    "skip": words.SKIP,
    "help": words.HELP,
    "resume": words.RESUME,
    "send": words.SEND,
    "correct": words.CHANGE,
}


def _payload(t: FlowTurn) -> str | None:
    command = t.command
    if command is not None and command.kind in (CommandKind.ANSWER, CommandKind.COUNTRY):
        return command.value
    return None


def _answer(t: FlowTurn) -> slots.Answer:
    command = t.command
    number = (
        int(command.value) if command is not None and command.kind is CommandKind.NUMBER else None
    )
    return slots.Answer(t.turn.text, _payload(t), number, t.intent)


def _context(t: FlowTurn, flow: Flow | None, progress: Progress | None) -> slots.SlotContext:
    country = None
    if progress is not None:
        country = next(
            (v for k, v in progress.slots.items() if progress.types.get(k) == SlotType.COUNTRY),
            None,
        )
    country = country or t.draft.profile.country
    offered = tuple(
        (code, t.content.country_label(code, t.lang)) for code in t.content.country_codes()
    )
    return slots.SlotContext(t.lang, t.today, country, offered, bool(flow and flow.anonymous))


def _touch(t: FlowTurn, progress: Progress) -> None:
    """The worker is in the flow now: its idle time starts again (t.idle keeps the old one)."""
    progress.touch(t.turn.now)


def _collect_files(t: FlowTurn, progress: Progress) -> None:
    for attachment in t.turn.attachments:
        progress.files.append(
            {
                "message_id": t.turn.message_id,
                "position": attachment.position,
                "kind": attachment.kind,
            }
        )


# What earlier messages said ----------------------------------------------------------------


def _forget_stale_notes(t: FlowTurn) -> None:
    noted_at = t.memory.noted_at
    now = t.turn.now
    if noted_at and now is not None and now - datetime.fromisoformat(noted_at) > t.expiry:
        t.memory.noted, t.memory.noted_at = {}, None


def _note(t: FlowTurn, force: bool = False) -> None:
    """Sums, durations and dates a worker wrote about a problem: the flow takes them instead
    of asking again."""
    nlu = t.turn.nlu
    if nlu is None or not (force or t.intent in (*intents.RIGHTS, "report_problem")):
        return
    for entity in nlu.entities:
        if entity.type in NOTED:
            t.memory.noted[entity.type] = _jsonable(entity.value)
            if t.turn.now is not None:
                t.memory.noted_at = t.turn.now.isoformat()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Duration):
        amount = value.amount
        return {"amount": int(amount) if amount == int(amount) else amount, "unit": value.unit}
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
