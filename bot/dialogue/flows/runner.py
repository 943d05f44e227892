"""A complaint flow inside the dialogue: one message in, replies and the new state out. Pure.

The policy asks `handle()` first; it answers the turn when the worker is in a flow (or starts
one), and otherwise leaves the turn to the policy. Danger is the policy's first concern; it
calls `danger()` to keep the report and mark it urgent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot import intents
from bot.dialogue import replies
from bot.dialogue.cases import status_reply
from bot.dialogue.commands import Command, requested_language
from bot.dialogue.flows import slots, texts, words
from bot.dialogue.flows.library import FlowLibrary
from bot.dialogue.flows.model import SUMMARY, Flow, Step
from bot.dialogue.flows.progress import PICK_CATEGORY, FlowMemory, Progress
from bot.dialogue.flows.show import show
from bot.dialogue.flows.walk import anonymous, applies, migrate, walk
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.messages import QuickReply, Reply
from bot.nlu.types import Duration, Money

if TYPE_CHECKING:
    from bot.dialogue.policy import Decision, Turn
    from bot.dialogue.state import DialogueState

REMIND_AFTER = timedelta(hours=1)  # back after this long: a reminder of where they were
ESCAPES = frozenset({"talk_to_human", "delete_my_data", "help"})  # the policy answers these
INFO = frozenset({*intents.RIGHTS, "contact_info", "find_support", "case_status"})
SHORT = 4  # words: a free-text answer this short may be a greeting rather than an answer
NOTED = ("money", "duration", "date", "phone")  # what earlier messages may fill


class AnswerLike(Protocol):
    text: str


class FlowContent(replies.ContentLike, Protocol):
    def answer(self, intent: str, lang: str, country: str | None) -> AnswerLike: ...
    def emergency(self, lang: str, country: str | None) -> str: ...


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


class _Turn:
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

    # Entry points ------------------------------------------------------------------------

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

    # Small helpers -------------------------------------------------------------------------

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
        if noted_at and self.turn.now is not None:
            if self.turn.now - datetime.fromisoformat(noted_at) > self.runner.expiry:
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

    # The turn ------------------------------------------------------------------------------

    def _handle(self) -> bool:
        progress = self.memory.progress
        if progress is not None and self._idle(progress) > self.runner.expiry:
            self._expire(progress)
            progress = None
        if progress is None:
            return self._maybe_start()
        if progress.paused:
            if not (self._wants("resume") or self.intent == "report_problem" or self._payload()):
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

    def _guess_category(self) -> str | None:
        """ "mau lapor, paspor saya ditahan": a category named in the report itself."""
        if self.command is not None:
            return None
        found = slots.match_option(
            self.turn.text,
            [(f.category, f.synonyms) for f in self.library.flows() if f.synonyms],
        )
        return found

    def _categories(self) -> list[tuple[str, str]]:
        return [(f.id, f.title[self.lang]) for f in self.library.flows()]

    def _start(self, flow: Flow, keep: Progress | None = None) -> None:
        progress = Progress(flow=flow.id, version=flow.version, step=flow.steps[0].id)
        if keep is not None:
            progress.files, progress.urgent = keep.files, keep.urgent
        self.memory.progress = progress
        self.touched = True
        self.decision.state.awaiting = "flow"
        self.decision.events.append(
            ("complaint_started", {"flow": flow.id, "version": flow.version})
        )
        self.say(texts.intro(self.lang, flow.title[self.lang]))
        self._advance(flow, progress)

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
        added = self._collect_files(progress)
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
        parsed = slots.parse(step, self._answer(), self._context(flow, progress))
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

    # Answers -------------------------------------------------------------------------------

    def _store(self, flow: Flow, progress: Progress, step: Step, value: Any) -> None:
        if step.type == "attachment":
            value = list(progress.files)
        progress.forget(step.id)
        progress.slots[step.id] = value
        progress.types[step.id] = step.type
        progress.history.append(step.id)
        progress.attempts = 0
        if step.type == "consent" and value == "no":
            self._declined()
            return
        profile = self.decision.profile
        if step.type == "country" and value != slots.HOME and profile.country is None:
            profile.country = value
        if step.type == "yesno" and step.urgent_if is not None and value is step.urgent_if:
            progress.urgent = True
            self.say(self.content.emergency(self.lang, self._context(flow, progress).country))
        if step.type == "text":
            self._note(force=True)
        self._advance(flow, progress)

    def _advance(self, flow: Flow, progress: Progress) -> None:
        while True:
            _path, open_step = walk(flow, progress)
            if open_step is None or not open_step.prefill or not self._prefill(flow, open_step, progress):
                break
        if open_step is None:
            progress.step = SUMMARY
            self.say(self._summary(flow, progress))
        else:
            progress.step = open_step.id
            self.say(self._question(open_step, progress))

    def _prefill(self, flow: Flow, step: Step, progress: Progress) -> bool:
        value: Any = None
        if step.type == "country":
            country = self.decision.profile.country
            if country and (country != slots.HOME or step.home_allowed):
                value = country
        elif step.type in NOTED and step.type in self.memory.noted:
            value = self.memory.noted[step.type]
            if step.type == "money" and not value.get("currency"):
                currency = step.currency or slots.currency_of(self._context(flow, progress).country)
                value = {**value, "currency": currency} if currency else None
        if value is None or not slots.fits(step.type, value):
            return False
        self.memory.noted.pop(step.type, None)
        progress.slots[step.id] = value
        progress.types[step.id] = step.type
        progress.prefilled.append(step.id)
        return True

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

    def _files_kept(self, flow: Flow, step: Step, progress: Progress) -> None:
        ngettext = translator(self.lang).ngettext
        count = len(progress.files)
        if step.type == "attachment":
            self.say(
                Reply(
                    ngettext(
                        'Thank you, I have {n} file now. Send more, or write "done" when you have finished.',
                        'Thank you, I have {n} files now. Send more, or write "done" when you have finished.',
                        count,
                    ).format(n=count),
                    self._buttons(step, flow, progress),
                )
            )
            return
        _ = translator(self.lang).gettext
        self.say(_("Thank you, I have kept your file. It will be part of your report."))
        self.say(self._question(step, progress))

    # Questions -----------------------------------------------------------------------------

    def _buttons(self, step: Step, flow: Flow, progress: Progress) -> tuple[QuickReply, ...]:
        _ = translator(self.lang).gettext
        found = [
            QuickReply(title, "/answer:" + value)
            for value, title in slots.options(step, self._context(flow, progress))
        ]
        if step.skip:
            found.append(QuickReply(_("Skip"), "/flow:skip"))
        return tuple(found)

    def _question(self, step: Step, progress: Progress, *, previous: bool = False) -> Reply:
        _ = translator(self.lang).gettext
        ngettext = translator(self.lang).ngettext
        flow = self.library.get(progress.flow or "", progress.version)
        assert flow is not None  # asked only inside a flow that is served
        lines = [step.question[self.lang]]
        if step.type == "consent" and flow.anonymous:
            lines.append(_('You can also report without your name: choose "Without my name".'))
        if step.type == "attachment" and progress.files:
            count = len(progress.files)
            lines.append(
                ngettext("I have {n} file from you already.", "I have {n} files from you already.", count).format(n=count)
            )
        if previous and (step.id in progress.slots or step.id in progress.skipped):
            shown = show(step, progress.slots.get(step.id), self.lang, self.content.country_label)
            lines.append(_("(Your answer was: {answer})").format(answer=shown))
        return Reply("\n".join(lines), self._buttons(step, flow, progress))

    def _ask_again(self, progress: Progress) -> None:
        if progress.step == PICK_CATEGORY:
            self.say(texts.pick_category(self.lang, self._categories()))
            return
        flow = self.library.get(progress.flow or "", progress.version)
        if flow is None:
            self._flow_gone()
            return
        if flow.version != progress.version:
            migrate(flow, progress)
        step = flow.step(progress.step)
        if progress.step == SUMMARY or step is None:
            self.say(self._summary(flow, progress))
        else:
            self.say(self._question(step, progress))

    def _reminder(self, progress: Progress) -> str:
        _ = translator(self.lang).gettext
        flow = self.library.get(progress.flow) if progress.flow else None
        title = flow.title[self.lang] if flow else _("your complaint")
        return _(
            "Welcome back! We were writing your report about: {title}. Let's go on where you stopped."
        ).format(title=title)

    def _help(self, step: Step, progress: Progress) -> None:
        _ = translator(self.lang).gettext
        self.say(step.help[self.lang] if step.help else _("Answer in your own words, or tap a button."))
        self.say(self._question(step, progress))

    # Something other than an answer ---------------------------------------------------------

    def _other_topic(self, flow: Flow | None, progress: Progress, *, strict: bool) -> bool | None:
        """A question, a greeting or a request in the middle of a flow. None: not one."""
        _ = translator(self.lang).gettext
        intent = self.intent
        if intent is None:
            return None
        text = self.turn.text
        if intent in ("greet", "thanks", "goodbye") and self.command is None:
            # "dari dulu" reads as goodbye to the classifier: small talk only as said.
            if not strict and words.norm(text) not in words.SMALL_TALK:
                return None
        if strict:
            short = len(words.norm(text).split()) <= SHORT
            if intent in (*INFO, "report_problem") and not words.looks_like_question(text):
                return None
            if intent not in (*INFO, "report_problem") and not short:
                return None
        if intent in ESCAPES:
            progress.paused = True
            self.decision.state.awaiting = None
            self.say(texts.saved(self.lang, button=False))
            return False
        if intent == "cancel":  # "nanti saja": later, not "delete it"
            progress.paused = True
            self.decision.state.awaiting = None
            self.say(texts.saved(self.lang, button=True))
            return True
        if intent == "change_language":
            self._switch_language()
        elif intent in INFO:
            self._answer_question(intent)
            self.say(_("Now, back to your report:"))
        elif intent == "report_problem":
            self.say(_("We are writing your report now."))
        elif intent == "greet":
            self.say(self._reminder(progress))
        elif intent == "thanks":
            self.say(_("You're welcome."))
        elif intent == "goodbye":
            self.say(_("Your answers are saved. Write any time and we will go on."))
        else:
            return None
        self._ask_again(progress)
        return True

    def _switch_language(self) -> None:
        command = self.command
        profile = self.decision.profile
        if command is not None and command.kind == "lang" and command.value in intents.LANGUAGES:
            target = command.value
        else:
            target = requested_language(self.turn.text, profile.language)
        profile.language, profile.language_chosen = target, True
        _ = translator(target).gettext
        self.say(_("OK, I will write in English from now on."))

    def _answer_question(self, intent: str) -> None:
        cases = self.turn.cases
        if intent == "case_status" and cases.cases:
            self.say(Reply(status_reply(cases, self.turn.text, self.lang).text))
            return
        country = self.decision.profile.country
        self.say(self.content.answer(intent, self.lang, country).text)

    # Moving around -------------------------------------------------------------------------

    def _back(self, flow: Flow, progress: Progress) -> bool:
        _ = translator(self.lang).gettext
        while progress.history:
            previous = progress.history.pop()
            step = flow.step(previous)
            if previous != progress.step and step is not None and applies(step, flow, progress):
                progress.step = previous
                progress.attempts = 0
                self.say(self._question(step, progress, previous=True))
                return True
        self.say(_("This is the first question."))
        self._ask_again(progress)
        return True

    def _skip(self, flow: Flow, progress: Progress) -> bool:
        _ = translator(self.lang).gettext
        step = flow.step(progress.step)
        if step is None:
            self.say(_("There is nothing to skip here."))
            self._ask_again(progress)
        elif not step.skip:
            self.say(_("I need this answer for your report, so it cannot be skipped."))
            self.say(self._question(step, progress))
        else:
            progress.forget(step.id)
            progress.skipped.append(step.id)
            progress.history.append(step.id)
            progress.attempts = 0
            self._advance(flow, progress)
        return True

    def _cancel_answer(self, progress: Progress) -> bool:
        _ = translator(self.lang).gettext
        payload = self._payload()
        said = words.yes_or_no(self.turn.text)
        if payload == "yes" or said is True or self._wants("cancel") or self.intent == "affirm":
            self.decision.events.append(("complaint_cancelled", {"flow": progress.flow}))
            self.memory.progress = None
            self.memory.noted, self.memory.noted_at = {}, None
            self.decision.state.awaiting = None
            self.say(
                replies.menu(
                    self.content,
                    self.lang,
                    intro=_("OK, the report is cancelled and your answers are deleted. What else can I do for you?"),
                )
            )
            return True
        progress.confirming_cancel = False
        if payload == "no" or said is False or self.intent == "deny" or self._wants("resume"):
            self.say(_("OK, let's go on."))
            self._ask_again(progress)
            return True
        progress.confirming_cancel = True
        self.say(texts.confirm_cancel(self.lang))
        return True

    def _declined(self) -> None:
        _ = translator(self.lang).gettext
        self.decision.events.append(("complaint_declined", {"flow": (self.memory.progress or Progress(None, None, "")).flow}))
        self.memory.progress = None
        self.memory.noted, self.memory.noted_at = {}, None
        self.decision.state.awaiting = None
        self.say(
            Reply(
                _("OK, I have not kept anything for a report. You can still ask me questions, or talk to a person."),
                texts.after_submit(self.lang),
            )
        )

    def _flow_gone(self) -> bool:
        _ = translator(self.lang).gettext
        self.memory.progress = None
        self.decision.state.awaiting = None
        self.say(_("Sorry, the form for this report has changed and cannot go on. Please start again: choose \"Make a complaint\" in the menu."))
        return True

    # The category ---------------------------------------------------------------------------

    def _pick(self, progress: Progress) -> bool:
        _ = translator(self.lang).gettext
        flows = self.library.flows()
        answer = self._answer()
        chosen: Flow | None = None
        if answer.payload is not None:
            chosen = next((f for f in flows if f.id == answer.payload), None)
        elif answer.number is not None and 1 <= answer.number <= len(flows):
            chosen = flows[answer.number - 1]
        else:
            found = slots.match_option(
                self.turn.text, [(f.id, (f.title["id"], f.title["en"], *f.synonyms)) for f in flows]
            )
            chosen = next((f for f in flows if f.id == found), None)
            if chosen is None and self.intent in intents.RIGHTS and self.command is None:
                chosen = self.library.for_category(self.intent)
        if chosen is None:
            if self._wants("back") and progress.flow:
                flow = self.library.get(progress.flow, progress.version)
                if flow is not None:
                    progress.step = SUMMARY
                    self.say(self._summary(flow, progress))
                    return True
            other = self._other_topic(None, progress, strict=False)
            if other is not None:
                return other
            self.say(_("Please choose a topic from the list: tap a button or write its number."))
            self.say(texts.pick_category(self.lang, self._categories()))
            return True
        if progress.flow is None:
            self._start(chosen, keep=progress)
            return True
        migrate(chosen, progress)  # a corrected category: the answers that fit come along
        self._advance(chosen, progress)
        return True

    # The summary ---------------------------------------------------------------------------

    def _fields(self, flow: Flow, progress: Progress) -> list[tuple[str, str, Step | None]]:
        _ = translator(self.lang).gettext
        path, _open = walk(flow, progress)
        found: list[tuple[str, str, Step | None]] = [(_("Problem"), flow.title[self.lang], None)]
        for step in path:
            if step.type == "consent":
                continue
            value = progress.files if step.type == "attachment" else progress.slots.get(step.id)
            shown = show(step, value, self.lang, self.content.country_label)
            found.append((step.label[self.lang], shown, step))
        return found

    def _summary(self, flow: Flow, progress: Progress) -> Reply:
        _ = translator(self.lang).gettext
        lines = [_("Please check your report:")]
        lines += [f"{n}. {label}: {shown}" for n, (label, shown, _s) in enumerate(self._fields(flow, progress), start=1)]
        if progress.urgent:
            lines.append(_("⚠️ Marked urgent."))
        lines.append(_("Is everything correct? To change an answer, write its number."))
        return Reply("\n".join(lines), texts.summary_buttons(self.lang))

    def _summary_turn(self, flow: Flow, progress: Progress, returning: bool) -> bool:
        _ = translator(self.lang).gettext
        command = self.command
        if returning and not (command is not None and command.kind == "flow"):
            self.say(self._reminder(progress))
            self.say(self._summary(flow, progress))
            return True
        said = words.norm(self.turn.text)
        if self._wants("send") or self._payload() == "yes" or words.yes_or_no(self.turn.text) is True or self.intent == "affirm":
            self._submit(flow, progress)
            return True
        number = int(command.value) if command is not None and command.kind == "number" else words.correction(said)
        if number is not None:
            return self._correct(flow, progress, number)
        if self._wants("correct") or words.yes_or_no(self.turn.text) is False or self.intent == "deny":
            self.say(
                Reply(
                    _("Which answer do you want to change? Write its number."),
                    texts.summary_buttons(self.lang),
                )
            )
            return True
        other = self._other_topic(flow, progress, strict=False)
        if other is not None:
            return other
        self.say(_('Please tap "Send report", or write the number of an answer to change it.'))
        self.say(self._summary(flow, progress))
        return True

    def _correct(self, flow: Flow, progress: Progress, number: int) -> bool:
        _ = translator(self.lang).gettext
        fields = self._fields(flow, progress)
        if not 1 <= number <= len(fields):
            message = _("There is no answer number {n}. Please write a number from 1 to {last}.")
            self.say(
                Reply(message.format(n=number, last=len(fields)), texts.summary_buttons(self.lang))
            )
            return True
        step = fields[number - 1][2]
        self.say(_("OK, let's change it."))
        if step is None:
            progress.step = PICK_CATEGORY
            self.say(texts.pick_category(self.lang, self._categories()))
        else:
            progress.step = step.id
            self.say(self._question(step, progress, previous=True))
        return True

    def _submit(self, flow: Flow, progress: Progress) -> None:
        _ = translator(self.lang).gettext
        reference = self.runner.new_reference()
        record = self._record(flow, progress, reference)
        country = next(
            (v for k, v in progress.slots.items() if progress.types.get(k) == "country"), None
        )
        self.decision.events.append(
            (
                "complaint_submitted",
                {
                    "category": flow.category,
                    "country": country or self.decision.profile.country,
                    "record": record,
                    "priority_hint": "urgent" if progress.urgent else None,
                    "choice": None,
                    "reference": reference,
                },
            )
        )
        self.memory.progress = None
        self.memory.noted, self.memory.noted_at = {}, None
        self.decision.state.awaiting = None
        self.decision.state.pending_intent = None
        text = _(
            "Thank you. Your report has been sent to the officers.\n"
            "Your reference number is {reference}. Keep it: you can ask about your report with it "
            "at any time. An officer will answer you here."
        ).format(reference=reference)
        self.say(Reply(text, texts.after_submit(self.lang)))

    def _record(self, flow: Flow, progress: Progress, reference: str) -> dict[str, Any]:
        """The complaint as the case keeps it: the answers on the worker's path, in order."""
        path, _open = walk(flow, progress)
        record: dict[str, Any] = {
            "reference": reference,
            "category": flow.category,
            "flow": flow.id,
            "flow_version": flow.version,
            "language": self.lang,
            "anonymous": anonymous(progress),
        }
        for step in path:
            if step.type == "consent":
                continue
            record[step.id] = progress.files if step.type == "attachment" else progress.slots.get(step.id)
        if progress.files and not any(s.type == "attachment" for s in path):
            record["evidence"] = progress.files
        if progress.prefilled:
            record["taken_from_earlier_messages"] = list(progress.prefilled)
        if progress.urgent:
            record["danger_reported"] = True
        related = [c.reference for c in self.turn.cases.cases if c.status != "closed"]
        if related:
            record["related_cases"] = related
        if self.turn.now is not None:
            record["submitted_at"] = self.turn.now.isoformat()
        return record


def _continue(lang: str) -> str:
    _ = translator(lang).gettext
    return _("I have added this to your report, which is marked urgent. The next question:")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, Duration):
        amount = value.amount
        return {"amount": int(amount) if amount == int(amount) else amount, "unit": value.unit}
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
