"""What the dialogue knows and says about the worker's cases (the case desk supplies the facts)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue import replies
from bot.i18n import N_, translator
from bot.messages import Reply

# How each status reads to the worker.
STATUS_TEXT = {
    "new": N_("received, waiting for an officer"),
    "in_progress": N_("an officer is working on it"),
    "waiting": N_("the officer is waiting for your answer"),
    "referred": N_("passed to an organisation that can help directly"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
}
MAX_LISTED = 3
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class CaseFact:
    """One of the worker's cases, as the dialogue may tell them about it."""

    reference: str
    status: str  # a key of STATUS_TEXT
    organisation: str  # the organisation's name


@dataclass(frozen=True)
class CaseContext:
    """What the case desk knows about the worker when a message arrives."""

    officer_holds: bool = False  # an officer answers; the bot stays quiet except in danger
    cases: tuple[CaseFact, ...] = ()  # newest first


def mentioned(context: CaseContext, text: str) -> list[CaseFact]:
    """The worker's cases whose reference the message contains ("hl 7kq2mx" counts)."""
    compact = _NOT_ALNUM.sub("", text.upper())
    return [c for c in context.cases if _NOT_ALNUM.sub("", c.reference.upper()) in compact]


def status_reply(context: CaseContext, text: str, lang: str) -> Reply:
    _ = translator(lang).gettext
    cases = mentioned(context, text) or list(context.cases[:MAX_LISTED])
    lines = [
        _("Case {reference} ({organisation}): {status}.").format(
            reference=case.reference,
            organisation=case.organisation,
            status=_(STATUS_TEXT.get(case.status, case.status)),
        )
        for case in cases
    ]
    return Reply("\n".join(lines), replies.person_or_menu(lang))


# A reference of the case desk's form (bot/cases/references.py): HL, then 6 letters or digits.
_REFERENCE = re.compile(r"\bHL[\s-]?([0-9A-Za-z]{6})\b", re.IGNORECASE)


def references_in(text: str) -> list[str]:
    """The references of our form written in a message, as written (upper case)."""
    return ["HL-" + m.group(1).upper() for m in _REFERENCE.finditer(text)]


def not_found_reply(reference: str, how_to_ask: str, lang: str) -> Reply:
    """A reference that is none of this chat's cases; `how_to_ask` is the content's answer
    on case status, whose list ("- ...") gives the KemenP2MI channels with their sources."""
    _ = translator(lang).gettext
    channels = [line for line in how_to_ask.splitlines() if line.lstrip().startswith("- ")]
    lines = [
        _(
            "I could not find case {reference} in this chat. Check that you wrote it correctly: "
            "a reference from this helpline looks like HL-7KQ2MX."
        ).format(reference=reference)
    ]
    if channels:
        lines.append(
            _("If it is a complaint you made to KemenP2MI, ask them and quote {reference}:").format(
                reference=reference
            )
        )
        lines += channels
    return Reply("\n".join(lines), replies.person_or_menu(lang))
