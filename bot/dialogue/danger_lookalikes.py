"""Look-alikes of abuse and trafficking that the classifier hears in harmless words.

The answers to abuse_violence and trafficking_scam open with the emergency numbers, so a guess
of either on "got hit by the rain" or "majikan jual mobilnya" frightens a worker for nothing.
This module says when such a guess rests only on words that here mean the weather or a thing
sold; any other sign of violence or trafficking in the message keeps the guess. It never
overrides the explicit danger signs (danger.py), which are read before it.
"""

from __future__ import annotations

import re

from bot.dialogue.danger_words import PHONE, THINGS, clauses, stems
from bot.nlu.lexicon import concept

# fmt: off
_WEATHER = (r"(?:rain|rainstorm|storm|typhoon|wind|winds|waves?|lightning|hail|snow|heat|sun|"
            r"flood|traffic|hujan|badai|topan|taifun|angin|ombak|petir|salju|panas|banjir|macet)")
# fmt: on
# "hit by the rain", "the storm hit us", "kena hujan", "dihantam badai", "kehujanan".
_WEATHER_HIT = re.compile(
    rf"\b(?:hit|struck|beaten|battered|caught|smashed)\s+by\s+(?:the\s+|a\s+|heavy\s+|strong\s+)*"
    rf"{_WEATHER}\b"
    rf"|\b{_WEATHER}\s+(?:hit|hits|struck|battered)\b"
    rf"|\b(?:kena|terkena|dihantam|diterjang|dihajar|dipukul)\s+{_WEATHER}\b"
    r"|\bkehujanan\b"
)
# "pukul 9", "jam 10": a time of day, not a blow.
_TIME = re.compile(r"\b(?:pukul|jam)\s+\d{1,2}(?:[.:]\d{2})?\b")
# Selling or buying: English forms, and the Indonesian root.
_TRADE_EN = frozenset({"sell", "sells", "selling", "sold", "buy", "buys", "buying", "bought"})
_TRADE_ROOTS = ("jual", "beli")
# Between a sale and the thing sold: whose it is and what it is like ("my old phone").
_FILLER = frozenset({"my", "his", "her", "their", "our", "the", "a", "an", "old", "used", "new",
                     "saya", "dia", "lama", "bekas", "baru", "second", "murah", "cheap"})  # fmt: skip
# The concepts that make a message about abuse or trafficking (bot/nlu/lexicon.py).
_DANGER_CONCEPTS = frozenset({"HIT", "SEXUAL", "THREAT", "LOCKED", "SCAM", "ESCAPE"})


def mistaken_guess(text: str, intent: str | None) -> bool:
    """The classifier's abuse or trafficking guess rests only on the weather, a thing sold or
    a time of day ("pukul 9")."""
    if intent not in ("abuse_violence", "trafficking_scam"):
        return False
    line = " ".join(" ".join(c) for c in clauses(text))
    rest = _without_sales_of_things(_TIME.sub(" ", _WEATHER_HIT.sub(" ", line)))
    if rest == line:
        return False
    return not any(concept(w) in _DANGER_CONCEPTS for w in rest.split())


def _without_sales_of_things(line: str) -> str:
    """The line with every sale of a thing ("jual mobilnya", "sold my old phone") cut out."""
    words = line.split()
    keep = [True] * len(words)
    for i, word in enumerate(words):
        if not _trade(word):
            continue
        j = i + 1
        while j < len(words) and words[j] in _FILLER and j - i <= 3:
            j += 1
        if j < len(words) and _thing(words[j]):
            keep[i : j + 1] = [False] * (j + 1 - i)
    return " ".join(w for w, k in zip(words, keep, strict=True) if k)


def _trade(word: str) -> bool:
    return word in _TRADE_EN or any(r in stems(word) for r in _TRADE_ROOTS)


def _thing(word: str) -> bool:
    return bool(({word} | stems(word)) & (THINGS | PHONE))
