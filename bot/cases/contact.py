"""Whether an officer may phone the worker, from the complaint's call-safety answers.

The complaint flows ask `call_safe`, `call_when` and `leave_message` (flows/complaints/
common.yml) before the phone number. Officers see the advice above everything else on a
case: a call the employer overhears can put the worker in danger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_, translator

_MESSAGES = {
    "any": N_("voicemail, SMS or WhatsApp OK"),
    "text_only": N_("no voicemail; SMS/WhatsApp OK"),
    "none": N_("leave no message"),
}


@dataclass(frozen=True)
class CallAdvice:
    may_call: bool
    text: str


def call_advice(
    record: Mapping[str, Any] | None, *, words: bool = True, lang: str = "en"
) -> CallAdvice | None:
    """None when the complaint did not ask (older flows, requests to talk to a person).
    `words=False` leaves out the worker's own description of when to call (for the CLI);
    `lang` is the reader's (the worker's own words stay as they wrote them)."""
    _ = translator(lang).gettext
    if not record or "call_safe" not in record:
        return None
    safe = record.get("call_safe")
    if safe == "not_safe":
        return CallAdvice(False, _("⚠ Do not call. Reply only in chat."))
    if not record.get("phone"):
        return CallAdvice(False, _("No phone number given. Reply only in chat."))
    if safe == "some_times":
        when = " ".join(str(record.get("call_when") or "").split())
        if not words:
            when = _("at the times the worker gave (see the dashboard)") if when else ""
        if when:
            window = _("only {when}").format(when=when)
        else:
            window = _("only at certain times (not said which)")
    elif safe == "yes_any_time":
        window = _("any time")
    else:  # skipped or an option this code does not know: do not guess that a call is safe
        return CallAdvice(False, _("⚠ Call safety unknown. Ask in chat before calling."))
    message = _MESSAGES.get(str(record.get("leave_message")), N_("ask before leaving a message"))
    return CallAdvice(
        True, _("Call OK: {window}; {message}").format(window=window, message=_(message))
    )
