"""Finishing: going back, skipping, cancelling, the category, the summary and sending it."""

from __future__ import annotations

from typing import Any

from bot import intents
from bot.dialogue import replies
from bot.dialogue.flows import slots, texts, words
from bot.dialogue.flows.asking import Asking
from bot.dialogue.flows.model import SUMMARY, Flow
from bot.dialogue.flows.progress import PICK_CATEGORY, Progress
from bot.dialogue.flows.walk import anonymous, applies, migrate, walk
from bot.i18n import translator
from bot.messages import Reply


class Finishing(Asking):
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
                    intro=_(
                        "OK, the report is cancelled and your answers are deleted. What else can I do for you?"
                    ),
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

    # The category --------------------------------------------------------------------------

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

    def _summary_turn(self, flow: Flow, progress: Progress, returning: bool) -> bool:
        _ = translator(self.lang).gettext
        command = self.command
        if returning and not (command is not None and command.kind == "flow"):
            self.say(self._reminder(progress))
            self.say(self._summary(flow, progress))
            return True
        said = words.norm(self.turn.text)
        if (
            self._wants("send")
            or self._payload() == "yes"
            or words.yes_or_no(self.turn.text) is True
            or self.intent == "affirm"
        ):
            self._submit(flow, progress)
            return True
        number = (
            int(command.value)
            if command is not None and command.kind == "number"
            else words.correction(said)
        )
        if number is not None:
            return self._correct(flow, progress, number)
        if (
            self._wants("correct")
            or words.yes_or_no(self.turn.text) is False
            or self.intent == "deny"
        ):
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
            record[step.id] = (
                progress.files if step.type == "attachment" else progress.slots.get(step.id)
            )
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
