"""The words behind danger detection: normalising informal spellings, splitting a message into
clauses, and reducing Indonesian word forms to their roots (di-, ter-, me-/nasal, -in, -kan...).

Kept apart from the rules (bot.dialogue.danger) so that a reader of the rules sees meanings,
not spelling variants.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.nlu.normalize import normalize

# Spellings bot.nlu.normalize leaves alone, mapped to one word the rules use. Malay and
# Javanese forms workers mix in are here too (tak/ora/ndak are negations, urip is hidup).
# fmt: off
EXTRA: dict[str, str] = {
    "ora": "tidak", "ra": "tidak", "nggk": "tidak", "ngk": "tidak", "gak": "tidak", "g": "tidak",
    "tk": "tidak", "x": "tidak", "nda": "tidak", "endak": "tidak", "tdk": "tidak",
    "kluar": "keluar", "klwr": "keluar", "keluar2": "keluar", "metu": "keluar", "kluwar": "keluar",
    "hape": "hp", "handphone": "hp", "henpon": "hp", "hendpon": "hp", "ponsel": "hp", "hpku": "hp",
    "hpnya": "hp", "hp2": "hp", "telpon": "hp", "telefon": "hp", "fon": "hp", "handfon": "hp",
    "cpt": "cepat", "cepet": "cepat", "cpet": "cepat", "buruan": "cepat", "segera": "cepat",
    "skrang": "sekarang", "skrg2": "sekarang", "sekrang": "sekarang", "saiki": "sekarang",
    "urip": "hidup", "idup": "hidup", "hdp": "hidup", "wae": "saja", "ae": "saja", "je": "saja",
    "kepengen": "ingin", "pengin": "ingin", "kepingin": "ingin", "pgen": "ingin", "pngn": "ingin",
    "nak": "ingin", "pen": "ingin", "arep": "mau", "gamau": "tidak mau", "gkmau": "tidak mau",
    "gabisa": "tidak bisa", "gkbisa": "tidak bisa", "gaboleh": "tidak boleh", "gkboleh": "tidak boleh",
    "takboleh": "tidak boleh", "tolongin": "tolong", "tulung": "tolong", "tlong": "tolong",
    "tolonglah": "tolong", "bantuin": "tolong", "saye": "saya", "sy": "saya", "sya": "saya",
    "aku": "saya", "aq": "saya", "ak": "saya", "gue": "saya", "gw": "saya", "awak": "saya",
    "kulo": "saya", "aing": "saya", "me": "me", "mjkn": "majikan", "majikan2": "majikan",
    "udh": "sudah", "lg": "lagi", "cape": "capek", "capai": "capek", "lelah": "capek",
    "ngga": "tidak", "engga": "tidak", "kagak": "tidak", "gx": "tidak", "mending": "lebih baik",
    "mendingan": "lebih baik", "mnding": "lebih baik", "pls": "please", "plz": "please",
    "plss": "please", "tlg": "tolong", "kl": "kalau", "klu": "kalau", "kalo": "kalau",
    "lbh": "lebih", "lbih": "lebih", "blh": "boleh", "bole": "boleh", "bleh": "boleh", "dbolehin": "dibolehin", "ijinin": "izinkan",
}
# fmt: on

# Words a glued message starts with ("sydikunci", "akudikurung", "gkboleh").
_GLUED = ("saya", "sy", "aku", "aq", "gk", "ga", "gak", "tdk", "tak", "gw")

_SPLIT = re.compile(r"\s*(?:[,.;!?\n:()]+|\s(?:dan|tapi|tetapi|terus|lalu|trus|and|but|then)\s)\s*")

# Indonesian affixes, longest first. Prefixes of passive/active verbs, suffixes and clitics.
_PREFIXES = (
    "memper",
    "diper",
    "menge",
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "di",
    "ter",
    "ke",
    "nge",
    "ng",
    "ny",
    "pe",
    "pen",
    "peng",
    "per",
    "ber",
)
_SUFFIXES = ("nya", "kan", "in", "an", "i", "lah", "kah", "ku", "mu")
# A nasal prefix replaces a root's first sound: mukul = pukul, nyiksa = siksa, ngunci = kunci.
_NASAL = {"m": ("p", "b"), "n": ("t",), "ny": ("s", "c"), "ng": ("k", "")}


def words(text: str) -> list[str]:
    """Lowercased, abbreviations expanded, letters de-elongated, glued pronouns split."""
    out: list[str] = []
    for token in normalize(text).split():
        token = EXTRA.get(token, token)
        out.extend(_unglue(token).split())
    return out


def clauses(text: str) -> list[list[str]]:
    """The message cut where one statement ends and another begins (commas, "dan", "but")."""
    normal = " ".join(words(text))
    return [part.split() for part in _SPLIT.split(f" {normal} ") if part.strip()]


def _unglue(token: str) -> str:
    if len(token) < 7 or token in EXTRA:
        return token
    for head in _GLUED:
        rest = token[len(head) :]
        if token.startswith(head) and len(rest) >= 4 and rest[:2] in ("di", "te", "ga", "gk", "bo"):
            return f"{EXTRA.get(head, head)} {rest}"
    return token


@lru_cache(maxsize=4096)
def stems(word: str) -> frozenset[str]:
    """Every plausible root of an Indonesian word form (over-generates; roots are specific)."""
    found = {word}
    bare = {word}
    for suffix in _SUFFIXES:
        for w in list(bare):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                bare.add(w[: -len(suffix)])
    for w in list(bare):
        for prefix in _PREFIXES:
            if w.startswith(prefix) and len(w) - len(prefix) >= 3:
                rest = w[len(prefix) :]
                found.add(rest)
                for nasal, sounds in _NASAL.items():
                    if prefix.endswith(nasal) or prefix == nasal:
                        found.update(s + rest for s in sounds)
        for nasal, sounds in _NASAL.items():
            if w.startswith(nasal) and len(w) > len(nasal) + 2:
                found.update(s + w[len(nasal) :] for s in sounds)
    return frozenset(found | bare)


def inflected(word: str, root: str) -> bool:
    """The word is the root with a verb's affix (dikunci, ngunci, kunciin): a deed, not a noun."""
    return word != root and root in stems(word)
