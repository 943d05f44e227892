"""Signs of immediate danger: they jump to the emergency reply whatever the classifier says."""

from __future__ import annotations

import re

# Deliberately broad: a false alarm costs one extra message, a miss can cost a life.
_SIGNS = [
    # locked in, held, cannot get out
    r"di\s?kunci",
    r"dikurung",
    r"di\s?sekap",
    r"disandera",
    r"gak?\s*bisa\s*keluar\s*rumah",
    r"tidak\s*bisa\s*keluar\s*(?:rumah|kamar)",
    r"locked\s*(?:me\s*)?(?:in|up)",
    r"can'?t\s*get\s*out",
    r"trapped",
    r"held\s*captive",
    # violence happening or threatened to life
    r"mau\s*dibunuh",
    r"akan\s*dibunuh",
    r"ancam\s*(?:mau\s*)?bunuh",
    r"diancam\s*dibunuh",
    r"mau\s*bunuh\s*(?:saya|sy|aku|aq)",
    r"(?:is|are|keeps?)\s*(?:hitting|beating|attacking)\s*me",
    r"going\s*to\s*kill\s*me",
    r"wants?\s*to\s*kill\s*me",
    r"threaten(?:ed|s|ing)?\s*to\s*kill",
    r"sedang\s*dipukul",
    r"lagi\s*dipukul",
    r"dipukul\s*(?:terus|sekarang|skrg)",
    r"diperkosa",
    r"\brap(?:e|ed|ing)\b",
    # suicidal words
    r"bunuh\s*diri",
    r"(?:mau|ingin|pengen|pgn|pingin)\s*mati",
    r"gantung\s*diri",
    r"akhiri\s*hidup",
    r"tidak\s*mau\s*hidup",
    r"gak?\s*mau\s*hidup\s*lagi",
    r"kill\s*myself",
    r"suicid",
    r"end\s*my\s*life",
    r"don'?t\s*want\s*to\s*live",
    # calling for help now
    r"\bsos\b",
    r"\bdarurat\b",
    r"\bemergency\b",
    r"tolong\s*(?:saya|sy|aku|aq)?\s*(?:sekarang|skrg|cepat|cepet)",
    r"help\s*me\s*(?:now|please|pls|quick)",
]
_DANGER = re.compile("|".join(f"(?:{s})" for s in _SIGNS), re.I)

# Abuse reported together with one of these is treated as happening now.
_NOW = re.compile(
    r"\b(?:sekarang|skrg|skrng|sekarng|now|right\s*now|lagi|masih|still|tolong|help)\b", re.I
)


def in_danger(text: str, intent: str | None) -> bool:
    if _DANGER.search(text):
        return True
    return intent == "abuse_violence" and bool(_NOW.search(text))
