"""The dialogue's decisions: a message, what it means and the remembered state in; replies out.

Pure: no database, no channel, no clock. The engine stores what goes in and comes out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from bot import intents
from bot.awareness import words as awareness
from bot.dialogue import context, replies
from bot.dialogue.cases import mentioned, not_found_reply, references_in, status_reply
from bot.dialogue.commands import Command, CommandKind, language_asked, parse_command
from bot.dialogue.danger import Danger, DangerKind, detect
from bot.dialogue.danger_lookalikes import mistaken_guess
from bot.dialogue.decision import (
    AttachmentRef,
    ChatCleared,
    DataRequested,
    Decision,
    Draft,
    Emergency,
    ForgetMe,
    HandoffRequested,
    Turn,
)
from bot.dialogue.flows.runner import FlowRunner
from bot.dialogue.state import Awaiting, DialogueState, Profile
from bot.i18n import DEFAULT_LANGUAGE, translator
from bot.messages import CLEAR_CHAT_NOTE, Action, QuickReply, Reply
from bot.nlu.normalize import normalize
from bot.nlu.types import NluResult

__all__ = [
    "ANSWERED_FROM_CONTENT",
    "HANDLERS",
    "AttachmentRef",
    "Decision",
    "Policy",
    "Turn",
    "understood",
]

# Waiting for yes or no to "delete this chat from your phone?".
CLEAR_CHAT_CONFIRM = Awaiting.CLEAR_CHAT_CONFIRM
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
# The last rights topic, kept in the state's extra while the worker asks along it.
_TOPIC = "topic"
# Topics a follow-up ("terus gmn?") continues: rights answers and the information answers.
_FOLLOWED = frozenset((*intents.RIGHTS, *intents.INFORMATION))
# The danger replies: a follow-up after them is about the danger.
_DANGER = frozenset({"emergency", "self_harm"})
# Beside the emergency reply these add nothing: it already speaks to them.
_DANGER_TOPICS = frozenset({"emergency", "abuse_violence", "self_harm"})
# Questions asked along a topic ("nomor kjri brp?"): a follow-up after them is still about it.
_ALONG_A_TOPIC = frozenset({"contact_info", "find_support", "thanks"})
# Problems that, beside a request for support, are answered first (numbers first).
_HARM = frozenset({"abuse_violence", "trafficking_scam", "emergency"})
# The service directory's look-up while the country question waits, and the worker's city.
_SUPPORT_KIND = "support_kind"
_CITY = "city"
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
    # A correction of where: "sorry i mean i work in singapore", "eh maksudnya sy di hk".
    "sorry", "mean", "meant", "actually", "oops", "oh", "eh", "maaf", "sori", "maksud",
    "maksudnya", "ralat",
})
# fmt: on


class AnswerLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def country_specific(self) -> bool: ...


class CityLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def country(self) -> str: ...


class Content(replies.ContentLike, Protocol):
    def answer(self, intent: str, lang: str, country: str | None) -> AnswerLike: ...
    def has_answer(self, intent: str) -> bool: ...
    def emergency(self, lang: str, country: str | None) -> str: ...
    def support_kind(self, text: str) -> str | None: ...
    def support_city(self, text: str) -> CityLike | None: ...
    def support(
        self, lang: str, kind: str | None, country: str | None, city: str | None = None
    ) -> str: ...


class Policy:
    def __init__(
        self,
        content: Content,
        *,
        threshold: float,
        flows: FlowRunner | None = None,
        default_language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.content = content
        self.threshold = threshold  # the one confidence below which nothing is understood
        self.flows = flows  # guided complaints; without them a report gets the content's answer
        self.default_language = default_language  # before the worker's language is known

    def decide(self, turn: Turn, profile: Profile, state: DialogueState) -> Decision:
        draft = self._draft(turn, profile, state)
        if turn.cut and draft.replies and draft.intent not in ("emergency", "self_harm"):
            # Never silently: the worker knows the end of a very long message went unread.
            _ = translator(self._lang(draft)).gettext
            draft.say(
                _(
                    "Your message was very long, so I read only the first part. If something "
                    "else is important, please send it in a shorter message."
                )
            )
        return draft.freeze()

    def _draft(self, turn: Turn, profile: Profile, state: DialogueState) -> Draft:
        state = DialogueState.from_json(state.to_json())
        command = parse_command(turn.text)
        intent, confidence = self._intent(turn, command, state)
        sign = context.signs(turn.text) if command is None else None
        if sign is not None and intent in (None, "out_of_scope"):
            # A bare thumbs-up: yes to the offer just made, otherwise a thank-you.
            yes = sign == "yes" and state.awaiting == Awaiting.COMPLAINT_OFFER
            intent, confidence = ("affirm" if yes else "thanks"), 1.0
        if state.awaiting == CLEAR_CHAT_CONFIRM and intent == "delete_my_data":
            intent = "affirm" if _yes_delete(turn.text) else intent  # "ya hapus": the yes asked

        in_flow = self.flows is not None and self.flows.active(state)
        if command is None and not in_flow and intent != "change_language" and _asks_language(turn):
            # "bisa pake bahasa indonesia? paspor sy ditahan": switch, then answer the question.
            intent = "change_language"
        # A flow's answers ("Mr Tan", "Pak Budi, 0812...") say little about the worker's
        # language: inside a flow it changes only when they ask.
        language = profile.language
        if not profile.language_chosen and turn.detected_language and not in_flow:
            language = turn.detected_language
        profile = replace(profile, language=language or self.default_language)
        draft = Draft(state, profile, intent, confidence)

        # Inside a flow a place in an answer ("Ani dari Kowloon") is not where they work: the
        # flow's own country question says that.
        country = None if in_flow else self._country(turn, command, state, draft, intent)
        if country:
            draft.profile = replace(draft.profile, country=country)

        # Danger first, whatever else the message says. Inside a complaint flow the worker is
        # describing what happened: only the explicit signs count, not the classifier's guess.
        guess = None if in_flow and command is None else intent
        danger = detect(turn.text, guess) or turn.danger_in_rest
        shelter = False
        if danger is None and guess == "find_support" and command is None:
            # "butuh shelter, majikan pukul sy": asking for help because of violence is
            # about the violence first.
            harm = self._harm_beside_support(turn)
            if harm is not None:
                danger = detect(turn.text, harm)
                shelter = self.content.support_kind(turn.text) == "shelter"
                if danger is None and shelter:
                    danger = Danger(DangerKind.EMERGENCY, f"shelter+{harm}")
                elif danger is None:
                    intent = harm  # its answer opens with the emergency numbers
                    draft.intent = harm
        if danger is not None:
            if danger.kind is DangerKind.CRISIS:
                self._crisis(draft)
            else:
                self._emergency(draft)
                if shelter and draft.profile.country:
                    lang = self._lang(draft)
                    where = self.content.support_city(turn.text)
                    draft.say(
                        self.content.support(
                            lang, "shelter", draft.profile.country, where.id if where else None
                        )
                    )
                # "gk boleh keluar rumah, gaji 5 bln gk dibayar, hp diambil": safety first,
                # and the other problems stay one tap away.
                besides = [
                    p
                    for p in self._problems(turn, None)
                    if p in replies.TOPICS and p not in _DANGER_TOPICS
                ]
                if command is None and besides:
                    draft.replies.append(replies.also_wrote(besides, self._lang(draft)))
            if self.flows is not None:  # a complaint in progress is marked urgent
                self.flows.danger(draft, turn, command, self.content)
            return draft
        # To "stop this report?" a bare "stop" is the yes asked for, not an opt-out.
        answering = self.flows is not None and self.flows.confirming_cancel(state)
        change = awareness.asked(turn.text, subscribed=profile.subscribed and not answering)
        if change is not None:
            # Before a flow reads it: opting out wins anywhere, and never stops a report.
            self._awareness(draft, change, in_flow=in_flow)
            return draft
        if command is None and mistaken_guess(turn.text, intent):
            # "got hit by the rain", "majikan jual mobilnya": no abuse answer (it opens with
            # the emergency numbers); the next likely reading, else out of scope.
            intent = self._next_reading(turn, intent)
            draft.intent, draft.confidence = intent, None
        if turn.cases.officer_holds and not _clearing_chat(intent, state):
            return draft  # an officer answers this worker now: the bot says nothing
        if self.flows is not None and self.flows.handle(draft, turn, command, intent, self.content):
            return draft
        if country and (intent in _JUST_A_COUNTRY or _only_a_country(turn)):
            return self._country_noted(draft, moved=country != profile.country)
        if (
            command is None
            and state.last_intent in _DANGER
            and state.awaiting is None
            and context.follow_up(turn.text)
        ):
            # "terus gmn?" after the emergency reply: what happens now, and the numbers again.
            return self._after_danger(draft)
        topic = _last_topic(state)
        if command is None and topic is not None and context.follow_up(turn.text):
            # "terus gmn?" after a rights or information answer: what to do next about it.
            state.misunderstood = 0
            draft.intent = topic
            self._next_steps(draft, topic)
            return draft
        if (
            command is None
            and state.awaiting is None
            and state.last_intent in _ALONG_A_TOPIC - {"thanks"}
            and context.follow_up(turn.text)
        ):
            # "terus gmn?" after the numbers or the services, no problem named yet.
            state.misunderstood = 0
            draft.intent = state.last_intent
            return self._general_next_steps(draft)
        others: list[str] = []
        if command is None and (intent is None or intent in intents.RIGHTS):
            problems = self._problems(turn, intent)
            if len(problems) > 1:  # several problems: the most urgent first
                intent, others = problems[0], problems[1:]
                draft.intent = intent
        if intent is None:
            return self._not_understood(draft, turn)
        state.misunderstood = 0
        handler = HANDLERS.get(intent)
        if handler is not None:
            handler(self, draft, turn)
        elif intent in ANSWERED_FROM_CONTENT or self.content.has_answer(intent):
            self._answer(draft, intent, others, turn)
        else:
            self._not_understood(draft, turn)
        # A question answered along with a change of language is the topic now.
        state.last_intent = draft.intent if draft.intent in intents.RIGHTS else intent
        if state.last_intent in _FOLLOWED:
            state.extra[_TOPIC] = state.last_intent
        elif state.last_intent not in _ALONG_A_TOPIC:
            state.extra.pop(_TOPIC, None)
        return draft

    # What the message means -------------------------------------------------------------

    def _intent(
        self, turn: Turn, command: Command | None, state: DialogueState
    ) -> tuple[str | None, float | None]:
        if command is not None:
            if command.kind is CommandKind.INTENT and command.value in intents.ALL:
                return command.value, 1.0
            if command.kind is CommandKind.MENU:
                return "help", 1.0
            if command.kind is CommandKind.LANG:
                return "change_language", 1.0
            if command.kind is CommandKind.NUMBER and state.awaiting not in (
                Awaiting.COUNTRY,
                Awaiting.FLOW,
            ):
                for item in self.content.menu(self.default_language):
                    if item.number == command.value:
                        return item.intent, 1.0
            if command.kind in (CommandKind.COUNTRY, CommandKind.NUMBER):
                return None, None  # a country choice, handled with the country
        if mentioned(turn.cases, turn.text):
            return "case_status", 1.0
        if turn.nlu is None:
            return None, None
        return understood(turn.nlu, self.threshold)

    def _harm_beside_support(self, turn: Turn) -> str | None:
        """A danger-related problem named in a part of a message that asks for support."""
        for part in turn.clauses:
            name, _confidence = understood(part, max(self.threshold, context.CLAUSE_CONFIDENCE))
            if name in _HARM and not mistaken_guess(part.text, name):
                return name
        return None

    def _next_reading(self, turn: Turn, mistaken: str | None) -> str:
        """The classifier's next intent after a mistaken one, if likely enough."""
        ranking = turn.nlu.ranking if turn.nlu is not None else ()
        for score in ranking:
            if score.name in (mistaken, "abuse_violence", "trafficking_scam"):
                continue
            if score.confidence >= self.threshold and score.name != FALLBACK:
                return score.name
            break
        return "out_of_scope"

    def _problems(
        self, turn: Turn, intent: str | None, *, floor: float = context.CLAUSE_CONFIDENCE
    ) -> list[str]:
        """The problems a message of several parts names, most urgent first. A part counts
        when the classifier is at least `floor` sure of it: beside a first problem, a second
        must be clear; after a request to switch language, the part is the question itself."""
        found = [intent] if intent is not None else []
        listed = context.numbered(turn.text)
        if listed:
            floor = self.threshold  # "1. paspor ditahan 2. blm digaji": each point is one
        for part in turn.clauses:
            bare = not listed and not context.names_a_problem(part.text)
            needed = max(floor, context.BARE_CLAUSE_CONFIDENCE) if bare else floor
            name, _confidence = understood(part, max(self.threshold, needed))
            if (
                name is not None
                and not mistaken_guess(part.text, name)
                and not _only_a_country(part)
            ):
                found.append(name)
        return context.by_urgency(found)

    def _country(
        self,
        turn: Turn,
        command: Command | None,
        state: DialogueState,
        draft: Draft,
        intent: str | None = None,
    ) -> str | None:
        if (
            command is not None
            and state.awaiting == Awaiting.COUNTRY
            and command.kind is CommandKind.NUMBER
        ):
            options = replies.countries(self.content, self._lang(draft))
            index = int(command.value) - 1
            if 0 <= index < len(options):
                payload = options[index][0]
                command = parse_command(payload)
        if command is not None and command.kind is CommandKind.COUNTRY:
            if command.value.lower() == "other":
                state.extra["country_other"] = True
                return None
            return command.value.upper()
        if turn.nlu is not None:
            for entity in turn.nlu.entities:
                if entity.type != "country" or entity.value == HOME_COUNTRY:
                    continue
                if context.negated(turn.text[: entity.start]):
                    continue  # "singapore, not hong kong": the other one
                # A place named in passing ("cuaca di hongkong?") does not move them: only
                # "sy di X", "kerja di X", a message of just the country, or an answer to the
                # country question does; a first country with a question about work counts.
                there = (
                    state.awaiting == Awaiting.COUNTRY
                    or context.says_there(turn.text[: entity.start])
                    or _only_a_country(turn)
                )
                first = draft.profile.country is None and intent != "out_of_scope"
                # In danger a named place is where help must come: as before.
                if there or first or detect(turn.text, intent) is not None:
                    return str(entity.value)
        return None

    # Replies ----------------------------------------------------------------------------

    def _lang(self, draft: Draft) -> str:
        return draft.profile.language or self.default_language

    def _emergency(self, draft: Draft) -> Draft:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        draft.intent = "emergency"
        draft.replies.append(Reply(self.content.emergency(lang, draft.profile.country)))
        draft.replies.append(
            Reply(
                _(
                    "If you can, tell me where you are and what is happening. "
                    "I am passing your message to an officer now."
                ),
                (QuickReply(_("Talk to a person"), "/intent:talk_to_human"),),
            )
        )
        draft.emit(Emergency(draft.profile.country))
        draft.state.awaiting = None
        draft.state.last_intent = "emergency"
        return draft

    def _after_danger(self, draft: Draft) -> Draft:
        """A follow-up after the emergency or crisis reply: an officer has it; the numbers."""
        lang = self._lang(draft)
        _ = translator(lang).gettext
        country = draft.profile.country
        draft.intent = draft.state.last_intent
        draft.replies.append(
            Reply(
                _(
                    "An officer has your message and will write to you here as soon as they can. "
                    "If you are in danger now, call the numbers below. While you wait, keep your "
                    "phone with you, and if you can, tell me where you are and what is happening."
                )
            )
        )
        if draft.state.last_intent == "self_harm":
            draft.replies.append(self._crisis_reply(lang, country))
        else:
            draft.replies.append(
                Reply(
                    self.content.emergency(lang, country),
                    (QuickReply(_("Talk to a person"), "/intent:talk_to_human"),),
                )
            )
        return draft

    def _crisis(self, draft: Draft) -> Draft:
        """Self-harm: a warm word, the crisis lines, a person now; an urgent case opens."""
        lang = self._lang(draft)
        country = draft.profile.country
        draft.intent = "self_harm"
        draft.replies.append(self._crisis_reply(lang, country))
        draft.emit(Emergency(country, category="self_harm"))
        draft.state.awaiting = None
        draft.state.last_intent = "self_harm"
        return draft

    def _crisis_reply(self, lang: str, country: str | None) -> Reply:
        _ = translator(lang).gettext
        return Reply(
            self.content.answer("self_harm", lang, country).text,
            (QuickReply(_("Talk to a person now"), "/intent:talk_to_human"),),
        )

    def _answer(
        self, draft: Draft, intent: str, others: Sequence[str] = (), turn: Turn | None = None
    ) -> None:
        if intent == "find_support":
            self._find_support(draft, turn)
            return
        lang = self._lang(draft)
        country = draft.profile.country
        answer = self.content.answer(intent, lang, country)
        if answer.country_specific and country is None:
            draft.replies.append(Reply(answer.text))
            if others:
                draft.replies.append(replies.also_wrote(others, lang))
            draft.replies.append(replies.ask_country(self.content, lang))
            draft.state.awaiting = Awaiting.COUNTRY
            draft.state.pending_intent = intent
        elif intent in intents.RIGHTS:
            # The answer ends with what to do next; "yes" to it means: report this.
            draft.replies.append(Reply(answer.text, replies.next_steps(lang)))
            if others:
                draft.replies.append(replies.also_wrote(others, lang))
            draft.state.awaiting = Awaiting.COMPLAINT_OFFER
            draft.state.pending_intent = intent
        else:
            draft.replies.append(Reply(answer.text, replies.person_or_menu(lang)))
            if others:
                draft.replies.append(replies.also_wrote(others, lang))
            draft.state.awaiting = None
            draft.state.pending_intent = None

    def _find_support(self, draft: Draft, turn: Turn | None) -> None:
        """Services of the kind asked ("shelter di KL", "need a lawyer"), where the worker is:
        their city first, then their country, then national ones. Without a country, one
        question first; the answer follows when they name it."""
        lang = self._lang(draft)
        state = draft.state
        text = turn.text if turn is not None else ""
        kind = self.content.support_kind(text) if text else None
        kind = kind or state.extra.pop(_SUPPORT_KIND, None)
        country = draft.profile.country
        named = _countries_named(turn)
        city = self.content.support_city(text) if text else None
        if city is not None:
            country = city.country
            state.extra[_CITY] = {"id": city.id, "country": city.country}
        elif named:
            country = named[0]  # "shelter in Taiwan" asks about Taiwan, wherever they work
        remembered = state.extra.get(_CITY)
        city_id = city.id if city is not None else None
        if (
            city_id is None
            and isinstance(remembered, dict)
            and remembered.get("country") == country
        ):
            city_id = str(remembered.get("id"))
        if country is None:
            if kind:
                state.extra[_SUPPORT_KIND] = kind
            draft.replies.append(replies.ask_country(self.content, lang))
            state.awaiting = Awaiting.COUNTRY
            state.pending_intent = "find_support"
            return
        text = self.content.support(lang, kind, country, city_id)
        draft.replies.append(Reply(text, replies.person_or_menu(lang)))
        state.awaiting = None
        state.pending_intent = None

    def _next_steps(self, draft: Draft, topic: str) -> None:
        """What to do next about the last topic: report it, a person, the numbers."""
        lang = self._lang(draft)
        _ = translator(lang).gettext
        text = _(
            "What you can do next about {topic}:\n"
            "- Report it here: I ask a few questions and an officer follows it up.\n"
            "- Talk to a person now.\n"
            "- See the numbers to call (embassy and helplines)."
        ).format(topic=replies.topic_label(topic, lang))
        draft.replies.append(Reply(text, replies.follow_up_steps(lang)))
        draft.state.awaiting = Awaiting.COMPLAINT_OFFER
        draft.state.pending_intent = topic
        draft.state.last_intent = topic

    def _general_next_steps(self, draft: Draft) -> Draft:
        """What to do next when no problem was named: tell it here, a person, the numbers."""
        _ = translator(self._lang(draft)).gettext
        text = _(
            "What you can do next:\n"
            "- Tell me your problem here: I ask a few questions and an officer follows it up.\n"
            "- Talk to a person now.\n"
            "- See the numbers to call (embassy and helplines)."
        )
        draft.replies.append(Reply(text, replies.follow_up_steps(self._lang(draft))))
        return draft

    def _country_noted(self, draft: Draft, moved: bool) -> Draft:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        country = draft.profile.country or ""
        name = self.content.country_label(country, lang)
        pending = draft.state.pending_intent if draft.state.awaiting == Awaiting.COUNTRY else None
        if pending is None and moved:
            # "sorry i mean singapore": the answer just given was for the wrong country.
            topic = _last_topic(draft.state)
            if topic is not None and self.content.answer(topic, lang, None).country_specific:
                pending = topic
        draft.replies.append(
            Reply(
                _(
                    "Noted: you work in {country}. I will give you the rules and contacts there."
                ).format(country=name)
            )
        )
        draft.state.extra.pop("country_other", None)
        if pending:
            draft.intent = pending
            self._answer(draft, pending)
        elif draft.state.last_intent == "emergency":
            # Told where they are after the emergency reply: now the numbers of that country.
            # The urgent case is already open, so no new event.
            draft.state.awaiting = None
            draft.replies.append(Reply(self.content.emergency(lang, country)))
        elif draft.state.last_intent == "self_harm":
            draft.state.awaiting = None
            draft.replies.append(self._crisis_reply(lang, country))
        else:
            draft.state.awaiting = None
            draft.replies.append(replies.menu(self.content, lang))
        return draft

    def _not_understood(self, draft: Draft, turn: Turn) -> Draft:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        state = draft.state
        draft.intent = None
        if state.awaiting == Awaiting.COUNTRY and state.extra.pop("country_other", False):
            state.extra["country_other"] = True
            draft.replies.append(
                Reply(
                    _(
                        "Please write the name of the country where you work, for example: Korea Selatan."
                    )
                )
            )
            return draft
        if turn.has_attachments and not turn.text.strip():
            draft.replies.append(
                Reply(
                    _("Thank you, I have kept your file. Tell me in a few words what happened."),
                    replies.person_or_menu(lang),
                )
            )
            return draft
        if not turn.text.strip():
            draft.replies.append(replies.menu(self.content, lang))
            return draft
        state.misunderstood += 1
        draft.unrecognised = "unclear"
        if state.misunderstood >= 2:
            text = _(
                "I'm sorry, I still don't understand. You can choose from the menu, "
                "or ask to talk to a person and an officer will read your message."
            )
        else:
            text = _(
                "Sorry, I didn't understand that. Could you say it in other words, or choose from the menu?"
            )
        draft.replies.append(Reply(text, replies.person_or_menu(lang)))
        return draft

    # One handler per conversation-control intent ------------------------------------------

    def _on_greet(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        intro = _(
            "Hello! I am the helpline for Indonesian migrant workers. "
            "I can explain your rights, give contacts and pass your problem to an officer."
        )
        draft.replies.append(Reply(intro))
        draft.replies.append(replies.menu(self.content, lang))
        draft.state.awaiting = None

    def _on_help(self, draft: Draft, turn: Turn) -> None:
        draft.replies.append(replies.menu(self.content, self._lang(draft)))
        draft.state.awaiting = None

    def _awareness(self, draft: Draft, change: awareness.Change, *, in_flow: bool) -> None:
        """Opt in or out of awareness messages; the engine records when and on which channel."""
        _ = translator(self._lang(draft)).gettext
        was = draft.profile.subscribed
        # A command word, not an intent (shared/INTENTS.md): nothing for the classifier's records.
        draft.intent, draft.confidence = None, None
        if change is awareness.Change.ON:
            draft.profile = replace(draft.profile, subscribed=True)
            if was:
                text = _(
                    "You already get tips and warnings from us. To stop them, write STOP INFO."
                )
            else:
                text = _(
                    "Done: from now on I will send you tips and warnings for migrant workers "
                    "(job scams going round, changes in wages and rules), now and then. "
                    "To stop them, write STOP INFO."
                )
        else:
            draft.profile = replace(draft.profile, subscribed=False)
            if was:
                text = _(
                    "Done: I will send you no more tips and warnings. "
                    "To get them again, write INFO."
                )
            else:
                text = _("You do not get tips and warnings from us. To get them, write INFO.")
        draft.say(text)
        if in_flow:
            # The report goes on where it was; stopping it is its own word.
            draft.say(
                _(
                    "Your report is still open: answer my last question to go on, "
                    "or write CANCEL to stop the report."
                )
            )
        else:
            draft.state.awaiting = None

    def _offer_awareness(self, draft: Draft) -> None:
        """Once per conversation, to a worker who does not get tips yet: how to ask for them,
        in the last reply with its buttons (on WhatsApp a second numbered list would make "1"
        mean two things)."""
        if draft.profile.subscribed or draft.state.extra.get("awareness_offered"):
            return
        if not draft.replies:
            return
        draft.state.extra["awareness_offered"] = True
        _ = translator(self._lang(draft)).gettext
        offer = _(
            "Would you like tips and warnings now and then (job scams, changes in "
            "wages and rules)? Write INFO, or tap the button. You can stop any time."
        )
        last = draft.replies[-1]
        draft.replies[-1] = replace(
            last,
            text=f"{last.text}\n\n{offer}",
            quick_replies=(
                *last.quick_replies,
                QuickReply(_("Yes, send me tips"), awareness.ON_PAYLOAD),
            ),
        )

    def _on_goodbye(self, draft: Draft, turn: Turn) -> None:
        _ = translator(self._lang(draft)).gettext
        draft.replies.append(Reply(_("Goodbye, take care. Write to me any time you need help.")))
        draft.state.awaiting = None

    def _on_thanks(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        draft.replies.append(
            Reply(
                _("You're welcome. Is there anything else I can help with?"),
                replies.person_or_menu(lang),
            )
        )
        self._offer_awareness(draft)

    def _on_change_language(self, draft: Draft, turn: Turn) -> None:
        target = language_asked(turn.text, draft.profile.language)
        draft.profile = replace(draft.profile, language=target, language_chosen=True)
        intro = replies.language_switched(target)
        problems = self._problems(turn, None, floor=self.threshold)
        if problems:
            # "can you answer in english? my agency takes half my salary": switch, then answer.
            draft.replies.append(Reply(intro))
            draft.intent = problems[0]
            self._answer(draft, problems[0], problems[1:])
            return
        draft.replies.append(replies.menu(self.content, target, intro=intro))

    def _on_talk_to_human(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        draft.emit(HandoffRequested(draft.state.last_intent))
        draft.replies.append(
            Reply(
                _(
                    "I have asked an officer to answer you here. It may take a while; "
                    "you can keep writing and nothing will be lost. "
                    'If you are in danger now, write "darurat" or "emergency".'
                )
            )
        )
        draft.state.awaiting = None

    def _on_case_status(self, draft: Draft, turn: Turn) -> None:
        written = references_in(turn.text)
        if written and not mentioned(turn.cases, turn.text):
            # A reference that is not one of this chat's cases: say so, and where to ask.
            lang = self._lang(draft)
            how = self.content.answer("case_status", lang, draft.profile.country).text
            draft.replies.append(not_found_reply(written[0], how, lang))
            draft.state.awaiting = None
            return
        if not turn.cases.cases:
            self._answer(draft, "case_status")  # how to ask, from the content
            return
        draft.replies.append(status_reply(turn.cases, turn.text, self._lang(draft)))
        draft.state.awaiting = None

    def _on_cancel(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        draft.state.awaiting = None
        draft.state.pending_intent = None
        draft.replies.append(
            replies.menu(self.content, lang, intro=_("OK, cancelled. What else can I do for you?"))
        )

    def _on_affirm(self, draft: Draft, turn: Turn) -> None:
        awaiting = draft.state.awaiting
        if awaiting == Awaiting.COMPLAINT_OFFER:
            draft.intent = "report_problem"
            self._answer(draft, "report_problem")
        elif awaiting == Awaiting.DELETE_CONFIRM:
            self._delete(draft)
        elif awaiting == CLEAR_CHAT_CONFIRM:
            self._clear_chat(draft)
        else:
            draft.replies.append(replies.menu(self.content, self._lang(draft)))
            draft.state.awaiting = None

    def _on_deny(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        if draft.state.awaiting in (Awaiting.DELETE_CONFIRM, CLEAR_CHAT_CONFIRM):
            text = _("OK, I have not deleted anything.")
        else:
            text = _("OK. Is there anything else I can help with?")
        draft.state.awaiting = None
        draft.state.pending_intent = None
        draft.replies.append(replies.menu(self.content, lang, intro=text))

    def _on_delete_my_data(self, draft: Draft, turn: Turn) -> None:
        _ = translator(self._lang(draft)).gettext
        self._confirm(
            draft,
            Awaiting.DELETE_CONFIRM,
            _(
                "Do you want me to delete your messages and what you told me? This cannot be undone."
            ),
            _("Yes, delete"),
        )

    def _delete(self, draft: Draft) -> None:
        lang = self._lang(draft)
        _ = translator(lang).gettext
        draft.emit(ForgetMe())
        draft.state = DialogueState()
        draft.profile = Profile(language=lang, language_chosen=draft.profile.language_chosen)
        draft.replies.append(Reply(_("Done: your messages and details have been deleted.")))

    def _on_delete_chat(self, draft: Draft, turn: Turn) -> None:
        """Only the messages on the worker's screen: the case and our records stay."""
        if draft.state.awaiting == CLEAR_CHAT_CONFIRM:
            self._clear_chat(draft)  # asked again: that is a yes
            return
        _ = translator(self._lang(draft)).gettext
        self._confirm(
            draft,
            CLEAR_CHAT_CONFIRM,
            _(
                "Delete this chat from your phone? Your case stays safe with us: "
                "only the messages on your screen are deleted."
            ),
            _("Yes, delete the chat"),
        )

    def _confirm(self, draft: Draft, awaiting: Awaiting, question: str, yes: str) -> None:
        """A yes/no question whose answer the affirm and deny handlers read from `awaiting`."""
        _ = translator(self._lang(draft)).gettext
        draft.state.awaiting = awaiting
        no = QuickReply(_("No"), "/intent:deny")
        draft.replies.append(Reply(question, (QuickReply(yes, "/intent:affirm"), no)))

    def _clear_chat(self, draft: Draft) -> None:
        # The channel carries it out (bot/channels): deletes what it can, says how to do the
        # rest by hand. No words of its own: the question above goes with the chat.
        draft.emit(ChatCleared())
        draft.replies.append(Reply(CLEAR_CHAT_NOTE, action=Action.CLEAR_CHAT))
        draft.state.awaiting = None
        draft.state.pending_intent = None

    def _on_data_request(self, draft: Draft, turn: Turn) -> None:
        """What is stored about them: the case desk reads it and writes the summary, which
        follows this reply; the policy has no database."""
        draft.emit(DataRequested())
        draft.state.awaiting = None
        draft.state.pending_intent = None

    def _on_out_of_scope(self, draft: Draft, turn: Turn) -> None:
        lang = self._lang(draft)
        if turn.text.strip() and turn.nlu is not None:
            draft.unrecognised = "out_of_scope"
        _ = translator(lang).gettext
        draft.replies.append(
            replies.menu(
                self.content,
                lang,
                intro=_(
                    "Sorry, I can only help with working abroad: your rights, problems at work "
                    "and contacts. Choose a topic:"
                ),
            )
        )
        draft.state.awaiting = None


Handler = Callable[[Policy, Draft, Turn], None]

# One handler per conversation-control intent. The intents not here are answered from the
# content (below); tests/dialogue/test_handlers.py checks both against bot/intents.py.
HANDLERS: dict[str, Handler] = {
    "greet": Policy._on_greet,
    "help": Policy._on_help,
    "goodbye": Policy._on_goodbye,
    "thanks": Policy._on_thanks,
    "change_language": Policy._on_change_language,
    "talk_to_human": Policy._on_talk_to_human,
    "case_status": Policy._on_case_status,
    "cancel": Policy._on_cancel,
    "affirm": Policy._on_affirm,
    "deny": Policy._on_deny,
    "delete_my_data": Policy._on_delete_my_data,
    "delete_chat": Policy._on_delete_chat,
    "data_request": Policy._on_data_request,
    "out_of_scope": Policy._on_out_of_scope,
}
# Answered with the editors' answer in flows/answers/. Emergency and self_harm are caught as
# danger before any handler; report_problem starts a complaint flow when flows are loaded.
ANSWERED_FROM_CONTENT = frozenset(
    {
        *intents.RIGHTS,
        *intents.INFORMATION,
        "emergency",
        "self_harm",
        "report_problem",
        "contact_info",
        "find_support",
    }
)


def understood(nlu: NluResult, threshold: float) -> tuple[str | None, float]:
    """The intent the dialogue acts on, and how sure; None: not understood.

    The classifier's own best guess decides, so that "not understood" (no intent is likely)
    stays apart from "out of scope" (likely about something else). `helpline parse` prints
    this reading, so that it never disagrees with the bot."""
    best = nlu.ranking[0] if nlu.ranking else nlu.intent
    if best.name == FALLBACK or best.confidence < threshold:
        return None, best.confidence
    return best.name, best.confidence


def _clearing_chat(intent: str | None, state: DialogueState) -> bool:
    """The worker asks to delete the chat, or answers that question: even while an officer
    holds the chat, the bot answers."""
    return intent == "delete_chat" or (
        state.awaiting == CLEAR_CHAT_CONFIRM and intent in ("affirm", "deny")
    )


def _yes_delete(text: str) -> bool:
    words = [w for w in normalize(text).split() if w[0].isalnum()]
    return bool(words) and all(w in _YES_DELETE for w in words)


def _last_topic(state: DialogueState) -> str | None:
    """The rights topic the worker was just answered about, if any."""
    # Also while the country question after a rights answer waits: "then what?" is no country.
    waiting = (Awaiting.COMPLAINT_OFFER, Awaiting.COUNTRY)
    if state.awaiting in waiting and state.pending_intent in intents.RIGHTS:
        return state.pending_intent
    if state.awaiting is None and state.last_intent in _FOLLOWED:
        return state.last_intent
    # "paspor ditahan" - "nomor kjri brp?" - "trus gmn": still the passport.
    topic = state.extra.get(_TOPIC)
    if state.awaiting is None and state.last_intent in _ALONG_A_TOPIC and topic in _FOLLOWED:
        return str(topic)
    return None


def _asks_language(turn: Turn) -> bool:
    """One part of a message of several asks for another language, whatever the rest asks."""
    return any(
        understood(part, context.LANGUAGE_CONFIDENCE)[0] == "change_language"
        for part in turn.clauses
    )


def _countries_named(turn: Turn | None) -> list[str]:
    """The countries the message names, other than Indonesia, in order."""
    if turn is None or turn.nlu is None:
        return []
    return [
        str(e.value) for e in turn.nlu.entities if e.type == "country" and e.value != HOME_COUNTRY
    ]


def _only_a_country(turn: Turn | NluResult) -> bool:
    """The message (or part) names a country and otherwise only says that they are there."""
    nlu = turn if isinstance(turn, NluResult) else turn.nlu
    if nlu is None:
        return False
    text = turn.text
    if not any(e.type == "country" for e in nlu.entities):
        return False
    negated = False
    for entity in sorted(nlu.entities, key=lambda e: e.start, reverse=True):
        if entity.type == "country":
            negated = negated or context.negated(text[: entity.start])
            text = text[: entity.start] + " " + text[entity.end :]
    words = [w for w in normalize(text).split() if w[0].isalnum()]
    # "singapore not hong kong": the words that set a wrong country aside say no more.
    allowed = _WHERE_I_WORK | context.NEGATION_WORDS if negated else _WHERE_I_WORK
    return all(w in allowed for w in words)
