"""Asking: the questions, the answers kept, and what the flow says in between."""

from __future__ import annotations

from typing import Any

from bot import intents
from bot.dialogue.cases import status_reply
from bot.dialogue.commands import requested_language
from bot.dialogue.flows import slots, texts, words
from bot.dialogue.flows.model import SUMMARY, Flow, Step
from bot.dialogue.flows.progress import PICK_CATEGORY, Progress
from bot.dialogue.flows.show import show
from bot.dialogue.flows.turn import NOTED, TurnBase
from bot.dialogue.flows.walk import migrate, walk
from bot.dialogue.replies import language_switched
from bot.i18n import translator
from bot.messages import QuickReply, Reply

# The policy answers these.
ESCAPES = frozenset({"talk_to_human", "delete_my_data", "delete_chat", "help"})
INFO = frozenset({*intents.RIGHTS, "contact_info", "find_support", "case_status"})
SHORT = 4  # words: a free-text answer this short may be a greeting rather than an answer


class Asking(TurnBase):
    # Starting ------------------------------------------------------------------------------

    def _categories(self) -> list[tuple[str, str]]:
        return [(f.id, f.title[self.lang]) for f in self.library.flows()]

    def _guess_category(self) -> str | None:
        """ "mau lapor, paspor saya ditahan": a category named in the report itself."""
        if self.command is not None:
            return None
        found = slots.match_option(
            self.turn.text,
            [(f.category, f.synonyms) for f in self.library.flows() if f.synonyms],
        )
        return found

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
        self._advance(flow, progress)

    def _advance(self, flow: Flow, progress: Progress) -> None:
        while True:
            _path, open_step = walk(flow, progress)
            if (
                open_step is None
                or not open_step.prefill
                or not self._prefill(flow, open_step, progress)
            ):
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

    def _declined(self) -> None:
        _ = translator(self.lang).gettext
        progress = self.memory.progress
        flow_id = progress.flow if progress is not None else None
        self.decision.events.append(("complaint_declined", {"flow": flow_id}))
        self.memory.progress = None
        self.memory.noted, self.memory.noted_at = {}, None
        self.decision.state.awaiting = None
        self.say(
            Reply(
                _(
                    "OK, I have not kept anything for a report. You can still ask me questions, or talk to a person."
                ),
                texts.after_submit(self.lang),
            )
        )

    def _flow_gone(self) -> bool:
        _ = translator(self.lang).gettext
        self.memory.progress = None
        self.decision.state.awaiting = None
        self.say(
            _(
                'Sorry, the form for this report has changed and cannot go on. Please start again: choose "Make a complaint" in the menu.'
            )
        )
        return True

    # Questions -----------------------------------------------------------------------------

    def _buttons(self, step: Step, flow: Flow | None, progress: Progress) -> tuple[QuickReply, ...]:
        _ = translator(self.lang).gettext
        found = [
            QuickReply(title, "/answer:" + value)
            for value, title in slots.options(step, self._context(flow, progress))
        ]
        # WhatsApp numbers the buttons: on a number question "1. Skip" would eat the answer 1.
        if step.skip and step.type != "number":
            found.append(QuickReply(_("Skip"), "/flow:skip"))
        return tuple(found)

    def _question(self, step: Step, progress: Progress, *, previous: bool = False) -> Reply:
        _ = translator(self.lang).gettext
        ngettext = translator(self.lang).ngettext
        flow = self.library.get(progress.flow or "", progress.version)
        lines = [step.question[self.lang]]
        if step.type == "consent" and flow is not None and flow.anonymous:
            lines.append(_('You can also report without your name: choose "Without my name".'))
        if step.type == "attachment" and progress.files:
            count = len(progress.files)
            lines.append(
                ngettext(
                    "I have {n} file from you already.", "I have {n} files from you already.", count
                ).format(n=count)
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
        self.say(
            step.help[self.lang] if step.help else _("Answer in your own words, or tap a button.")
        )
        self.say(self._question(step, progress))

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
        lines += [
            f"{n}. {label}: {shown}"
            for n, (label, shown, _s) in enumerate(self._fields(flow, progress), start=1)
        ]
        if progress.urgent:
            lines.append(_("⚠️ Marked urgent."))
        lines.append(_("Is everything correct? To change an answer, write its number."))
        return Reply("\n".join(lines), texts.summary_buttons(self.lang))

    # Something other than an answer --------------------------------------------------------

    def _other_topic(self, flow: Flow | None, progress: Progress, *, strict: bool) -> bool | None:
        """A question, a greeting or a request in the middle of a flow. None: not one."""
        _ = translator(self.lang).gettext
        intent = self.intent
        if intent is None:
            return None
        text = self.turn.text
        small_talk = intent in ("greet", "thanks", "goodbye") and self.command is None
        # "dari dulu" reads as goodbye to the classifier: small talk counts only as said, and
        # where any text answers the question ("Ani Susanti from Kowloon" for a name) only if
        # the message opens with it ("halo kak, masih ada?").
        if small_talk and not (
            words.opens_with_small_talk(text) if strict else words.norm(text) in words.SMALL_TALK
        ):
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
        self.say(language_switched(target))

    def _answer_question(self, intent: str) -> None:
        cases = self.turn.cases
        if intent == "case_status" and cases.cases:
            self.say(Reply(status_reply(cases, self.turn.text, self.lang).text))
            return
        country = self.decision.profile.country
        text = self.content.answer(intent, self.lang, country).text
        # An answer ends with its `next` paragraph (flows/README.md), which offers a complaint
        # ("type 5 ..."): wrong advice in the middle of one, and "5" would read as an answer.
        paragraphs = text.split("\n\n")
        self.say("\n\n".join(paragraphs[:-1]) if len(paragraphs) > 1 else text)
