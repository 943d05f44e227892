"""The replies the dialogue builds again and again: menu, country question, offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.dialogue.commands import COUNTRY_PREFIX, INTENT_PREFIX, MENU, OTHER_COUNTRY
from bot.i18n import N_, translator
from bot.messages import QuickReply, Reply


class MenuItemLike(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def intent(self) -> str: ...


class ContentLike(Protocol):
    def menu(self, lang: str) -> Sequence[MenuItemLike]: ...
    def country_codes(self) -> list[str]: ...
    def country_label(self, code: str, lang: str) -> str: ...


def menu(content: ContentLike, lang: str, intro: str | None = None) -> Reply:
    _ = translator(lang).gettext
    items = content.menu(lang)
    lines = [intro or _("What can I help you with? Reply with a number or write your question.")]
    lines += [f"{item.number}. {item.label}" for item in items]
    quick = tuple(
        QuickReply(f"{item.number}. {item.label}", INTENT_PREFIX + item.intent) for item in items
    )
    return Reply("\n".join(lines), quick)


# The language's name as the sentence in that language needs it ("bahasa Indonesia").
_LANGUAGE_NAMES = {"id": N_("Indonesian"), "en": N_("English")}


def language_switched(lang: str) -> str:
    """The confirmation, written in the language switched to."""
    _ = translator(lang).gettext
    name = _(_LANGUAGE_NAMES.get(lang, _LANGUAGE_NAMES["id"]))
    return _("OK, I will write in {language} from now on.").format(language=name)


def countries(content: ContentLike, lang: str) -> list[tuple[str, str]]:
    """(payload, label) for the country question, numbered in this order."""
    _ = translator(lang).gettext
    options = [
        (COUNTRY_PREFIX + code, content.country_label(code, lang))
        for code in content.country_codes()
    ]
    options.append((OTHER_COUNTRY, _("Another country")))
    return options


def ask_country(content: ContentLike, lang: str) -> Reply:
    _ = translator(lang).gettext
    options = countries(content, lang)
    lines = [_("Which country do you work in? Then I can give you the rules and contacts there.")]
    lines += [f"{n}. {label}" for n, (_payload, label) in enumerate(options, start=1)]
    quick = tuple(QuickReply(label, payload) for payload, label in options)
    return Reply("\n".join(lines), quick)


def next_steps(lang: str) -> tuple[QuickReply, ...]:
    """Under a rights answer: report it, talk to a person, or back to the menu."""
    _ = translator(lang).gettext
    return (
        QuickReply(_("Yes, report it"), INTENT_PREFIX + "report_problem"),
        QuickReply(_("Talk to a person"), INTENT_PREFIX + "talk_to_human"),
        QuickReply(_("Menu"), MENU),
    )


def person_or_menu(lang: str) -> tuple[QuickReply, ...]:
    _ = translator(lang).gettext
    return (
        QuickReply(_("Talk to a person"), INTENT_PREFIX + "talk_to_human"),
        QuickReply(_("Menu"), MENU),
    )


# A problem's name where the dialogue offers it or speaks of it ("You also wrote about: ...").
TOPICS = {
    "wages_unpaid": N_("unpaid or cut wages"),
    "document_withheld": N_("a passport or documents held"),
    "abuse_violence": N_("abuse or violence"),
    "repatriation": N_("going home"),
    "health_accident": N_("illness or an accident"),
    "working_conditions": N_("working hours and rest days"),
    "recruitment_fees": N_("agency fees and salary deductions"),
    "trafficking_scam": N_("trafficking or a job scam"),
    "legal_status": N_("visa and legal status"),
    "social_security": N_("insurance and social security"),
    "lost_contact": N_("losing contact with a family member"),
    "contract_info": N_("your contract"),
    "migrate_safely": N_("going abroad safely"),
    "absconding": N_("leaving your employer without permission"),
    "passport_renewal": N_("renewing or replacing your passport"),
    "worker_death": N_("the death of a worker"),
    "health_care_refused": N_("health care your employer refuses"),
    "contract_end": N_("the end or extension of your contract"),
    "change_employer": N_("changing employer"),
}


def topic_label(intent: str, lang: str) -> str:
    _ = translator(lang).gettext
    return _(TOPICS[intent]) if intent in TOPICS else intent


def also_wrote(others: Sequence[str], lang: str) -> Reply:
    """After the answer to the most urgent problem: the other problems, one tap away."""
    _ = translator(lang).gettext
    labels = [topic_label(name, lang) for name in others]
    text = _("You also wrote about: {topics}. Tap a topic below and I will answer it too.")
    quick = tuple(
        QuickReply(label, INTENT_PREFIX + name) for name, label in zip(others, labels, strict=True)
    )
    return Reply(text.format(topics="; ".join(labels)), quick)


def follow_up_steps(lang: str) -> tuple[QuickReply, ...]:
    """Under "what next": report it, a person, the numbers."""
    _ = translator(lang).gettext
    return (
        QuickReply(_("Yes, report it"), INTENT_PREFIX + "report_problem"),
        QuickReply(_("Talk to a person"), INTENT_PREFIX + "talk_to_human"),
        QuickReply(_("Important numbers"), INTENT_PREFIX + "contact_info"),
    )
