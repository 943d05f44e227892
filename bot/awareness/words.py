"""The words that start and stop awareness messages (whole messages, any case).

Opting out always wins: it is checked before a complaint flow reads the message. The bare
"STOP" / "BERHENTI" is also what a worker types to stop a report (flows' cancel words): from
a worker who gets awareness messages it opts out (the convention of every messaging service,
and the harmless reading: a report is never deleted by it); from anyone else it keeps its old
meaning, as it has for anyone just asked "stop this report?". "STOP INFO", "berhenti info",
"unsubscribe"... always opt out; "batal" / "cancel" only ever stops a report.
"""

from __future__ import annotations

import re
from enum import StrEnum

ON_PAYLOAD = "/awareness:on"
OFF_PAYLOAD = "/awareness:off"


class Change(StrEnum):
    ON = "on"
    OFF = "off"


# fmt: off
OPT_IN = frozenset({
    "info", "langganan", "langganan info", "berlangganan", "berlangganan info", "daftar info",
    "mau info", "info on", "subscribe", "subscribe info", "start info", "info please",
    "kirim info", "ikut info", "/awareness:on",
})
OPT_OUT = frozenset({
    "stop info", "berhenti info", "berhenti langganan", "berhenti berlangganan",
    "stop langganan", "unsubscribe", "unsub", "info off", "stop tips", "no more info",
    "jangan kirim info", "gak mau info", "tidak mau info", "stop subscription",
    "/awareness:off",
})
# Opt-out only for a worker who is subscribed; otherwise a complaint flow's cancel word.
STOP = frozenset({"stop", "berhenti"})
# fmt: on
_PUNCTUATION = re.compile(r"[.!?,;:]+$")
_SPACES = re.compile(r"\s+")


def normal(text: str) -> str:
    return _PUNCTUATION.sub("", _SPACES.sub(" ", text.strip().lower())).strip()


def asked(text: str, *, subscribed: bool) -> Change | None:
    """The change the message asks for, or None when it is about something else."""
    said = normal(text)
    if said in OPT_OUT or (subscribed and said in STOP):
        return Change.OFF
    if said in OPT_IN:
        return Change.ON
    return None
