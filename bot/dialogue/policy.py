"""The dialogue's decisions: a message, what it means and the remembered state in; replies out.

Pure: no database, no channel, no clock. The engine stores what goes in and comes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot import intents
from bot.dialogue import replies
from bot.dialogue.cases import CaseContext, mentioned, status_reply
from bot.dialogue.commands import Command, parse_command, requested_language
from bot.dialogue.danger import DangerKind, detect
from bot.dialogue.state import DialogueState, Profile
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.messages import CLEAR_CHAT_NOTE, Action, QuickReply, Reply
from bot.nlu.normalize import normalize
from bot.nlu.types import NluResult

if TYPE_CHECKING:
    from bot.dialogue.flows.runner import FlowRunner

# Waiting for yes or no to "delete this chat from your phone?".
CLEAR_CHAT_CONFIRM = "clear_chat_confirm"
# "ya hapus", "yes delete it": to that question a yes, though the classifier hears "delete my
# data" in it. Words as normalize() spells them.
# fmt: off
_YES_DELETE = frozenset({
    "ya", "iya", "yes", "y", "ok", "oke", "okay", "boleh", "sip", "hapus", "hapuskan",
    "hapusin", "delete", "clear", "saja", "dong", "deh", "semua", "please", "tolong", "it",
    "all", "the", "chat", "chatnya", "sekarang", "now", "cepat",
})
# fmt: on
# What a Rasa server's FallbackClassifier answers when no intent is likely enough.
FALLBACK = "nlu_fallback"
# Where a person works is never "Indonesia" for this helpline.
HOME_COUNTRY = "ID"
# A message that names a country and means no more than these is telling us where they work.
_JUST_A_COUNTRY = {None, "out_of_scope", "affirm", "deny", "greet", "thanks"}
# So is one whose other words only say "I am / work there" ("sy di taiwan", "kerja di HK"),
# whatever the classifier makes of it. Words as normalize() spells them.
# fmt: off
_WHERE_I_WORK = frozenset({
    "saya", "aku", "kami", "di", "ke", "dari", "kerja", "bekerja", "tinggal", "sekarang",
    "lagi", "sedang", "masih", "negara", "ada", "kak", "mbak", "pak", "bu", "ya",
    "i", "i'm", "im", "am", "we", "in", "at", "work", "working", "live", "living", "now",
    "currently", "still", "the", "country",
})
# fmt: on


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def country_specific(self) -> bool: ...


class Content(replies.ContentLike, Protocol):
    def answer(self, intent: str, lang: str, country: str | None) -> AnswerLike: ...
    def has_answer(self, intent: str) -> bool: ...
    def emergency(self, lang: str, country: str | None) -> str: ...


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


@dataclass
class Decision:
    replies: list[Reply]
    state: DialogueState
    profile: Profile
    intent: str | None = None
    confidence: float | None = None
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class Policy:
    def __init__(
        self, content: Content, *, threshold: float, flows: FlowRunner | None = None
    ) -> None:
        self.content = content
        self.threshold = threshold
        self.flows = flows  # guided complaints; without them a report gets the content's answer

    def decide(self, turn: Turn, profile: Profile, state: DialogueState) -> Decision:
        profile = replace(profile)
        state = DialogueState.from_json(state.to_json())
        command = parse_command(turn.text)
        intent, confidence = self._intent(turn, command, state)
        if state.awaiting == CLEAR_CHAT_CONFIRM and intent == "delete_my_data":
            intent = "affirm" if _yes_delete(turn.text) else intent  # "ya hapus": the yes asked

        in_flow = self.flows is not None and self.flows.active(state)
        # A flow's answers ("Mr Tan", "Pak Budi, 0812...") say little about the worker's
        # language: inside a flow it changes only when they ask.
        if not profile.language_chosen and turn.detected_language and not in_flow:
            profile.language = turn.detected_language
        profile.language = profile.language or DEFAULT_LANGUAGE
        decision = Decision([], state, profile, intent, confidence)

        # Inside a flow a place in an answer ("Ani dari Kowloon") is not where they work: the
        # flow's own country question says that.
        country = None if in_flow else self._country(turn, command, state, decision)
        if country:
            profile.country = country

        # Danger first, whatever else the message says. Inside a complaint flow the worker is
        # describing what happened: only the explicit signs count, not the classifier's guess.
        guess = None if in_flow and command is None else intent
        danger = detect(turn.text, guess)
        if danger is not None:
            if danger.kind is DangerKind.CRISIS:
                self._crisis(decision)
            else:
                self._emergency(decision)
            if self.flows is not None:  # a complaint in progress is marked urgent
                self.flows.danger(decision, turn, command, self.content)
            return decision
        if turn.cases.officer_holds and not _clearing_chat(intent, state):
            return decision  # an officer answers this worker now: the bot says nothing
        if self.flows is not None and self.flows.handle(
            decision, turn, command, intent, self.content
        ):
            return decision
        if country and (intent in _JUST_A_COUNTRY or _only_a_country(turn)):
            return self._country_noted(decision)
        if intent is None:
            return self._not_understood(decision, turn)
        state.misunderstood = 0
        handler = getattr(self, f"_on_{intent}", None)
        if handler is not None:
            handler(decision, turn)
        elif intent in intents.RIGHTS or self.content.has_answer(intent):
            self._answer(decision, intent)
        else:
            self._not_understood(decision, turn)
        state.last_intent = intent
        return decision

    # What the message means -------------------------------------------------------------

    def _intent(
        self, turn: Turn, command: Command | None, state: DialogueState
    ) -> tuple[str | None, float | None]:
        if command is not None:
            if command.kind == "intent" and command.value in intents.ALL:
                return command.value, 1.0
            if command.kind == "menu":
                return "help", 1.0
            if command.kind == "lang":
                return "change_language", 1.0
            if command.kind == "number" and state.awaiting not in ("country", "flow"):
                for item in self.content.menu(DEFAULT_LANGUAGE):
                    if item.number == command.value:
                        return item.intent, 1.0
            if command.kind in ("country", "number"):
                return None, None  # a country choice, handled with the country
        if mentioned(turn.cases, turn.text):
            return "case_status", 1.0
        if turn.nlu is None:
            return None, None
        # The classifier's own best guess decides, so that "not understood" (no intent is
        # likely) stays apart from "out of scope" (likely about something else).
        best = turn.nlu.ranking[0] if turn.nlu.ranking else turn.nlu.intent
        if best.name == FALLBACK or best.confidence < self.threshold:
            return None, best.confidence
        return best.name, best.confidence

    def _country(
        self, turn: Turn, command: Command | None, state: DialogueState, decision: Decision
    ) -> str | None:
        if command is not None and state.awaiting == "country" and command.kind == "number":
            options = replies.countries(self.content, decision.profile.language or "id")
            index = int(command.value) - 1
            if 0 <= index < len(options):
                payload = options[index][0]
                command = parse_command(payload)
        if command is not None and command.kind == "country":
            if command.value.lower() == "other":
                state.extra["country_other"] = True
                return None
            return command.value.upper()
        if turn.nlu is not None:
            for entity in turn.nlu.entities:
                if entity.type == "country" and entity.value != HOME_COUNTRY:
                    return str(entity.value)
        return None

    # Replies ----------------------------------------------------------------------------

    def _lang(self, decision: Decision) -> str:
        return decision.profile.language or DEFAULT_LANGUAGE

    def _emergency(self, decision: Decision) -> Decision:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.intent = "emergency"
        decision.replies.append(Reply(self.content.emergency(lang, decision.profile.country)))
        decision.replies.append(
            Reply(
                _(
                    "If you can, tell me where you are and what is happening. "
                    "I am passing your message to an officer now."
                ),
                (QuickReply(_("Talk to a person"), "/intent:talk_to_human"),),
            )
        )
        decision.events.append(("emergency", {"country": decision.profile.country}))
        decision.state.awaiting = None
        decision.state.last_intent = "emergency"
        return decision

    def _crisis(self, decision: Decision) -> Decision:
        """Self-harm: a warm word, the crisis lines, a person now; an urgent case opens."""
        lang = self._lang(decision)
        country = decision.profile.country
        decision.intent = "self_harm"
        decision.replies.append(self._crisis_reply(lang, country))
        decision.events.append(("emergency", {"country": country, "category": "self_harm"}))
        decision.state.awaiting = None
        decision.state.last_intent = "self_harm"
        return decision

    def _crisis_reply(self, lang: str, country: str | None) -> Reply:
        _ = translator(lang).gettext
        return Reply(
            self.content.answer("self_harm", lang, country).text,
            (QuickReply(_("Talk to a person now"), "/intent:talk_to_human"),),
        )

    def _answer(self, decision: Decision, intent: str) -> None:
        lang = self._lang(decision)
        country = decision.profile.country
        answer = self.content.answer(intent, lang, country)
        if answer.country_specific and country is None:
            decision.replies.append(Reply(answer.text))
            decision.replies.append(replies.ask_country(self.content, lang))
            decision.state.awaiting = "country"
            decision.state.pending_intent = intent
        elif intent in intents.RIGHTS:
            # The answer ends with what to do next; "yes" to it means: report this.
            decision.replies.append(Reply(answer.text, replies.next_steps(lang)))
            decision.state.awaiting = "complaint_offer"
            decision.state.pending_intent = intent
        else:
            decision.replies.append(Reply(answer.text, replies.person_or_menu(lang)))
            decision.state.awaiting = None
            decision.state.pending_intent = None

    def _country_noted(self, decision: Decision) -> Decision:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        country = decision.profile.country or ""
        name = self.content.country_label(country, lang)
        pending = decision.state.pending_intent if decision.state.awaiting == "country" else None
        decision.replies.append(
            Reply(
                _(
                    "Noted: you work in {country}. I will give you the rules and contacts there."
                ).format(country=name)
            )
        )
        decision.state.extra.pop("country_other", None)
        if pending:
            decision.intent = pending
            self._answer(decision, pending)
        elif decision.state.last_intent == "emergency":
            # Told where they are after the emergency reply: now the numbers of that country.
            # The urgent case is already open, so no new event.
            decision.state.awaiting = None
            decision.replies.append(Reply(self.content.emergency(lang, country)))
        elif decision.state.last_intent == "self_harm":
            decision.state.awaiting = None
            decision.replies.append(self._crisis_reply(lang, country))
        else:
            decision.state.awaiting = None
            decision.replies.append(replies.menu(self.content, lang))
        return decision

    def _not_understood(self, decision: Decision, turn: Turn) -> Decision:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        state = decision.state
        decision.intent = None
        if state.awaiting == "country" and state.extra.pop("country_other", False):
            state.extra["country_other"] = True
            decision.replies.append(
                Reply(
                    _(
                        "Please write the name of the country where you work, for example: Korea Selatan."
                    )
                )
            )
            return decision
        if turn.has_attachments and not turn.text.strip():
            decision.replies.append(
                Reply(
                    _("Thank you, I have kept your file. Tell me in a few words what happened."),
                    replies.person_or_menu(lang),
                )
            )
            return decision
        if not turn.text.strip():
            decision.replies.append(replies.menu(self.content, lang))
            return decision
        state.misunderstood += 1
        if state.misunderstood >= 2:
            text = _(
                "I'm sorry, I still don't understand. You can choose from the menu, "
                "or ask to talk to a person and an officer will read your message."
            )
        else:
            text = _(
                "Sorry, I didn't understand that. Could you say it in other words, or choose from the menu?"
            )
        decision.replies.append(Reply(text, replies.person_or_menu(lang)))
        return decision

    # One handler per conversation-control intent ------------------------------------------

    def _on_greet(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        intro = _(
            "Hello! I am the helpline for Indonesian migrant workers. "
            "I can explain your rights, give contacts and pass your problem to an officer."
        )
        decision.replies.append(Reply(intro))
        decision.replies.append(replies.menu(self.content, lang))
        decision.state.awaiting = None

    def _on_help(self, decision: Decision, turn: Turn) -> None:
        decision.replies.append(replies.menu(self.content, self._lang(decision)))
        decision.state.awaiting = None

    def _on_goodbye(self, decision: Decision, turn: Turn) -> None:
        _ = translator(self._lang(decision)).gettext
        decision.replies.append(Reply(_("Goodbye, take care. Write to me any time you need help.")))
        decision.state.awaiting = None

    def _on_thanks(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.replies.append(
            Reply(
                _("You're welcome. Is there anything else I can help with?"),
                replies.person_or_menu(lang),
            )
        )

    def _on_change_language(self, decision: Decision, turn: Turn) -> None:
        command = parse_command(turn.text)
        if command is not None and command.kind == "lang" and command.value in intents.LANGUAGES:
            target = command.value
        else:
            target = requested_language(turn.text, decision.profile.language)
        decision.profile.language = target
        decision.profile.language_chosen = True
        intro = replies.language_switched(target)
        decision.replies.append(replies.menu(self.content, target, intro=intro))

    def _on_talk_to_human(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.events.append(("handoff_requested", {"intent": decision.state.last_intent}))
        decision.replies.append(
            Reply(
                _(
                    "I have asked an officer to answer you here. It may take a while; "
                    "you can keep writing and nothing will be lost. "
                    'If you are in danger now, write "darurat" or "emergency".'
                )
            )
        )
        decision.state.awaiting = None

    def _on_case_status(self, decision: Decision, turn: Turn) -> None:
        if not turn.cases.cases:
            self._answer(decision, "case_status")  # how to ask, from the content
            return
        decision.replies.append(status_reply(turn.cases, turn.text, self._lang(decision)))
        decision.state.awaiting = None

    def _on_cancel(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.state.awaiting = None
        decision.state.pending_intent = None
        decision.replies.append(
            replies.menu(self.content, lang, intro=_("OK, cancelled. What else can I do for you?"))
        )

    def _on_affirm(self, decision: Decision, turn: Turn) -> None:
        awaiting = decision.state.awaiting
        if awaiting == "complaint_offer":
            decision.intent = "report_problem"
            self._answer(decision, "report_problem")
        elif awaiting == "delete_confirm":
            self._delete(decision)
        elif awaiting == CLEAR_CHAT_CONFIRM:
            self._clear_chat(decision)
        else:
            decision.replies.append(replies.menu(self.content, self._lang(decision)))
            decision.state.awaiting = None

    def _on_deny(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        if decision.state.awaiting in ("delete_confirm", CLEAR_CHAT_CONFIRM):
            text = _("OK, I have not deleted anything.")
        else:
            text = _("OK. Is there anything else I can help with?")
        decision.state.awaiting = None
        decision.state.pending_intent = None
        decision.replies.append(replies.menu(self.content, lang, intro=text))

    def _on_delete_my_data(self, decision: Decision, turn: Turn) -> None:
        _ = translator(self._lang(decision)).gettext
        self._confirm(
            decision,
            "delete_confirm",
            _(
                "Do you want me to delete your messages and what you told me? This cannot be undone."
            ),
            _("Yes, delete"),
        )

    def _delete(self, decision: Decision) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.events.append(("delete_my_data", {}))
        decision.state = DialogueState()
        decision.profile = Profile(language=lang, language_chosen=decision.profile.language_chosen)
        decision.replies.append(Reply(_("Done: your messages and details have been deleted.")))

    def _on_delete_chat(self, decision: Decision, turn: Turn) -> None:
        """Only the messages on the worker's screen: the case and our records stay."""
        if decision.state.awaiting == CLEAR_CHAT_CONFIRM:
            self._clear_chat(decision)  # asked again: that is a yes
            return
        _ = translator(self._lang(decision)).gettext
        self._confirm(
            decision,
            CLEAR_CHAT_CONFIRM,
            _(
                "Delete this chat from your phone? Your case stays safe with us: "
                "only the messages on your screen are deleted."
            ),
            _("Yes, delete the chat"),
        )

    def _confirm(self, decision: Decision, awaiting: str, question: str, yes: str) -> None:
        """A yes/no question whose answer the affirm and deny handlers read from `awaiting`."""
        _ = translator(self._lang(decision)).gettext
        decision.state.awaiting = awaiting
        no = QuickReply(_("No"), "/intent:deny")
        decision.replies.append(Reply(question, (QuickReply(yes, "/intent:affirm"), no)))

    def _clear_chat(self, decision: Decision) -> None:
        # The channel carries it out (bot/channels): deletes what it can, says how to do the
        # rest by hand. No words of its own: the question above goes with the chat.
        decision.events.append(("delete_chat", {}))
        decision.replies.append(Reply(CLEAR_CHAT_NOTE, action=Action.CLEAR_CHAT))
        decision.state.awaiting = None
        decision.state.pending_intent = None

    def _on_out_of_scope(self, decision: Decision, turn: Turn) -> None:
        lang = self._lang(decision)
        _ = translator(lang).gettext
        decision.replies.append(
            replies.menu(
                self.content,
                lang,
                intro=_(
                    "Sorry, I can only help with working abroad: your rights, problems at work "
                    "and contacts. Choose a topic:"
                ),
            )
        )
        decision.state.awaiting = None


def _clearing_chat(intent: str | None, state: DialogueState) -> bool:
    """The worker asks to delete the chat, or answers that question: even while an officer
    holds the chat, the bot answers."""
    return intent == "delete_chat" or (
        state.awaiting == CLEAR_CHAT_CONFIRM and intent in ("affirm", "deny")
    )


def _yes_delete(text: str) -> bool:
    words = [w for w in normalize(text).split() if w[0].isalnum()]
    return bool(words) and all(w in _YES_DELETE for w in words)


def _only_a_country(turn: Turn) -> bool:
    """The message names a country and otherwise only says that they are or work there."""
    if turn.nlu is None:
        return False
    text = turn.text
    for entity in sorted(turn.nlu.entities, key=lambda e: e.start, reverse=True):
        if entity.type == "country":
            text = text[: entity.start] + " " + text[entity.end :]
    words = [w for w in normalize(text).split() if w[0].isalnum()]
    return all(w in _WHERE_I_WORK for w in words)
