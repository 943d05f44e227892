"""The flow's own words (not the editors'): moving around, the summary, the end. Gettext."""

from __future__ import annotations

from bot.dialogue.commands import ANSWER_PREFIX, FLOW_PREFIX
from bot.i18n import translator
from bot.messages import QuickReply, Reply


def intro(lang: str, title: str) -> str:
    _ = translator(lang).gettext
    return _(
        "Let's write your report about: {title}. I will ask a few short questions, one at a "
        'time. Write "back" to go back, or "cancel" to stop.'
    ).format(title=title)


def pick_category(lang: str, titles: list[tuple[str, str]]) -> Reply:
    _ = translator(lang).gettext
    return Reply(
        _("What is your complaint about? Choose one:"),
        tuple(QuickReply(title, ANSWER_PREFIX + value) for value, title in titles),
    )


def confirm_cancel(lang: str) -> Reply:
    _ = translator(lang).gettext
    return Reply(
        _("Do you want to stop this report? What you told me for it will be deleted."),
        (
            QuickReply(_("Yes, stop"), ANSWER_PREFIX + "yes"),
            QuickReply(_("No, continue"), ANSWER_PREFIX + "no"),
        ),
    )


def summary_buttons(lang: str) -> tuple[QuickReply, ...]:
    _ = translator(lang).gettext
    return (
        QuickReply(_("Send report"), FLOW_PREFIX + "send"),
        QuickReply(_("Change an answer"), FLOW_PREFIX + "correct"),
        QuickReply(_("Cancel"), FLOW_PREFIX + "cancel"),
    )


def saved(lang: str, *, button: bool) -> Reply:
    """The report waits; a button to go on only where it is the last message (WhatsApp numbers
    the buttons of the last message only)."""
    _ = translator(lang).gettext
    text = _('Your report is saved. Write "continue" when you want to go on with it.')
    if not button:
        return Reply(text)
    return Reply(text, (QuickReply(_("Continue my report"), FLOW_PREFIX + "resume"),))
