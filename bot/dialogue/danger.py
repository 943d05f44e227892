"""Signs of danger: they jump to the emergency reply (or, for self-harm, the crisis reply)
whatever the classifier says.

A message is read clause by clause ("gaji blm dibayar, hp diambil, gk boleh keluar rumah"),
after normalising informal spellings (bot.dialogue.danger_words). Each rule knows the word
forms of its roots and what makes a look-alike harmless: a negation ("gk pernah mukul"), a
thing instead of a person ("kunci motor", "dijual murah hp bekas"), a question about the rules
("can my boss keep my phone?"), an accident ("lupa bawa kunci"). Deliberately broad: a false
alarm costs one extra message, a miss can cost a life.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.dialogue.danger_words import (
    ABUSE_NOW,
    ACCIDENT,
    ASK_FOR_INFO,
    BODY,
    CONDITIONAL,
    CONFINE,
    DOCS,
    DOORS,
    EN_CRISIS,
    EN_RULES,
    HARMED,
    HARMLESS,
    HELP,
    HIT,
    HOLDS_KEY,
    ID_CRISIS,
    INJURY,
    MEDIA,
    MEDICAL,
    MEDICAL_NOW,
    NEG,
    NOW,
    PAST,
    PERSON,
    PESTS,
    PHONE,
    PUSH,
    PUSHED_EN,
    QUESTION,
    REPLYING,
    SAFE_NOW,
    SCHEDULE,
    SELF,
    SEX_WORK,
    SEXUAL,
    SOFT_CRISIS,
    STARVED,
    TAKE,
    THING_DIES,
    THINGS,
    TORTURE,
    URGENT,
    clauses,
    inflected,
    stems,
)


class DangerKind(StrEnum):
    EMERGENCY = "emergency"  # someone is hurting, holding or threatening the worker
    CRISIS = "crisis"  # the worker writes of ending their life or hurting themselves


@dataclass(frozen=True)
class Danger:
    kind: DangerKind
    cue: str  # which sign was seen, e.g. "confined", "self_harm", "intent:emergency" (for logs)


Clause = Sequence[str]


def detect(text: str, intent: str | None = None) -> Danger | None:
    """The danger a message shows, if any. `intent` is the classifier's guess (None inside a
    complaint flow, where only explicit signs count)."""
    parts = clauses(text)
    if _crisis(parts):
        return Danger(DangerKind.CRISIS, "self_harm")
    line = " ".join(" ".join(c) for c in parts)
    holds_key = bool(HOLDS_KEY.search(line))  # "pagar dikunci malam, sy pegang kuncinya"
    for clause in parts:
        cue = _emergency(clause)
        if cue is not None and not (cue == "confined" and holds_key):
            return Danger(DangerKind.EMERGENCY, cue)
    if _hurt_after_blow(parts):  # "majikan dah pukul saya teruk, berdarah"
        return Danger(DangerKind.EMERGENCY, "violence_now")
    if _thrown_into_harm(parts):  # "my boss just pushed me down the stairs"
        return Danger(DangerKind.EMERGENCY, "violence_now")
    words = set(line.split())
    if MEDICAL_NOW.search(line) and not words & (SAFE_NOW | PAST):  # "i cant breathe"
        return Danger(DangerKind.EMERGENCY, "medical")
    if SEX_WORK.search(line):  # "sy dipaksa melayani tamu laki2"
        return Danger(DangerKind.EMERGENCY, "sexual")
    if STARVED.search(line):  # "gk dikasih makan udh 2 hari"
        return Danger(DangerKind.EMERGENCY, "starved")
    if _ran_away_now([w for clause in parts for w in clause]):  # "i ran away, now at the bus stop"
        return Danger(DangerKind.EMERGENCY, "urgent")
    # The classifier's guess catches wordings no rule knows, but it also hears "mati lampu" or
    # "my back is killing me" as self-harm: its guess counts only with a word of dying, ending
    # or hurting, outside the harmless sayings.
    if intent == "self_harm" and SOFT_CRISIS.search(line) and not HARMLESS.search(line):
        return Danger(DangerKind.CRISIS, "intent:self_harm")
    if intent == "emergency" and not _emergency_guess_harmless(parts, line):
        return Danger(DangerKind.EMERGENCY, "intent:emergency")
    # Abuse the classifier recognised, told as happening now ("majikan masih pukul saya").
    if intent == "abuse_violence" and words & ABUSE_NOW and not words & (SAFE_NOW | ACCIDENT):
        return Danger(DangerKind.EMERGENCY, "intent:abuse_violence+now")
    return None


def _emergency_guess_harmless(parts: Sequence[Clause], line: str) -> bool:
    """The classifier's emergency guess on a danger told as over ("hit me once years ago, now
    i'm fine"), on pests ("bunuh nyamuk"), or on a question whether something is an emergency."""
    words = set(line.split())
    if words & PAST and words & SAFE_NOW:
        return True
    if words & {"aman", "safe"} and words & {"sudah", "now", "sekarang"}:
        return True  # "oma sesak napas td malam, sy bawa ke RS, skrg udh aman"
    if any(
        set(clause) & PESTS and "bunuh" in {s for w in clause for s in stems(w)} for clause in parts
    ):
        return True
    return bool(words & {"emergency", "darurat"} and words & CONDITIONAL and words & QUESTION)


# Crisis --------------------------------------------------------------------------------------


def _crisis(parts: Sequence[Clause]) -> str | None:
    for clause in parts:
        line = " ".join(clause)
        found = ID_CRISIS.search(line) or EN_CRISIS.search(line)
        if found is None:
            continue
        before = line[: found.start()].split()[-3:]
        if any(w in NEG for w in before) and not _negation_inside(found.group(0)):
            continue  # "gk pernah kepikiran bunuh diri", "I would never kill myself"
        if any(w in MEDIA for w in clause) or THING_DIES.search(line):
            continue
        return "self_harm"
    return None


def _negation_inside(cue: str) -> bool:
    return any(w in NEG for w in cue.split())


# Emergency -----------------------------------------------------------------------------------


def _emergency(clause: Clause) -> str | None:
    if any(w in MEDIA for w in clause):
        return None
    line = " ".join(clause)
    asking = _asking(clause)
    for cue, rule in _ID_RULES:
        if (not asking or cue in _EVEN_ASKED) and rule(clause):
            return cue
    for cue, pattern in EN_RULES:
        found = pattern.search(line)
        if found is None or (asking and cue not in _EVEN_ASKED):
            continue
        if _negated(line[: found.start()].split()) and not _negation_inside(found.group(0)):
            continue
        if cue == "confined" and any(w in ACCIDENT for w in clause):
            continue
        if cue == "violence_now" and _only_past(clause):
            continue
        return cue
    return None


# A question about the rules ("boleh gk majikan simpan hp?") is not a report, except for these.
_EVEN_ASKED = frozenset({"threat_to_kill", "urgent", "sexual"})


def _asking(clause: Clause) -> bool:
    return bool(clause) and clause[0] in QUESTION and clause[:2] != ["can", "you"]


def _negated(before: Sequence[str]) -> bool:
    return any(w in NEG for w in before[-3:])


def _only_past(clause: Clause) -> bool:
    return any(w in PAST for w in clause) and not any(w in NOW for w in clause)


def _find(clause: Clause, roots: Sequence[str], *, deed: bool = True) -> int | None:
    """Index of the first word that is one of the roots (as a verb form when `deed`), not negated."""
    for i, word in enumerate(clause):
        for root in roots:
            if word == root and not deed:
                hit = True
            else:
                hit = inflected(word, root) if deed else root in stems(word)
            if hit and not _negated(clause[max(0, i - 3) : i]):
                return i
    return None


def _confined(clause: Clause) -> bool:
    words = set(clause)
    if words & (ACCIDENT | THINGS | PHONE) or (words & DOORS and words & SCHEDULE):
        return False
    if _find(clause, ("tahan",)) is not None and words & PERSON and not words & DOCS:
        return True  # "sy ditahan di penampungan"
    i = _find(clause, CONFINE)
    if i is None:
        # "kunci sy di kamar": the bare root with a person right after it is a deed too.
        i = next(
            (j for j, w in enumerate(clause[:-1]) if w in CONFINE and clause[j + 1] in PERSON),
            None,
        )
        if i is None:
            # "majikan kunci pintu kamar sy dr luar": a door locked on someone from outside.
            locked = [j for j, w in enumerate(clause) if w in CONFINE]
            from_outside = "dari luar" in " ".join(clause) or bool(words & PERSON)
            i = locked[0] if locked and words & DOORS and from_outside else None
        if i is None or _negated(clause[max(0, i - 3) : i]):
            return False
    return True


def _not_let_out(clause: Clause) -> bool:
    """ "gk boleh keluar", "dilarang keluar", "tak bagi keluar", "ga dikasih keluar rumah"."""
    for i, word in enumerate(clause):
        if word not in ("keluar", "pergi", "kabur"):
            continue
        if clause[i + 1 : i + 2] == ["dari"] and set(clause[i + 2 : i + 3]) & _QUITTING:
            continue  # "gk bisa keluar dari pekerjaan ini": quitting a job, not a house
        if clause[i + 1 : i + 2] == ["ke"] and set(clause[i + 2 : i + 3]) & MEDICAL:
            continue  # "gk boleh pergi ke dokter": care refused, not confinement
        before = clause[max(0, i - 4) : i]
        if any(inflected(w, "larang") or w == "larang" for w in before):
            return True
        if before[-2:] in (["tidak", "pernah"], ["never", "been"]) and word == "keluar":
            return True  # "udh 3 bln gk pernah keluar rumah"
        permit = [j for j, w in enumerate(before) if _permit(w)]
        if permit and any(w in NEG - {"belum"} for w in before[: permit[0]][-2:]):
            return True
    return False


# "keluar dari ...": leaving a job or an agency, not a house.
_QUITTING = frozenset({"pekerjaan", "kerjaan", "kerja", "agensi", "agen", "pt", "kontrak",
                       "perusahaan", "grup", "group", "job", "majikan"})  # fmt: skip


def _permit(word: str) -> bool:
    return word in ("boleh", "bisa", "bagi", "oleh", "izin", "ijin") or any(
        inflected(word, r) for r in ("boleh", "izin", "ijin", "kasih", "bagi")
    )


def _phone_taken(clause: Clause) -> bool:
    if not any(w in PHONE for w in clause):
        return False
    if any(
        a in ("pas", "selama", "during", "jam", "waktu") and b in ("kerja", "work", "working")
        for a, b in zip(clause, clause[1:], strict=False)
    ):
        return False  # kept during working hours, given back after
    taken = _find(clause, TAKE) is not None or any(
        w in TAKE and nxt in PHONE for w, nxt in zip(clause, clause[1:], strict=False)
    )
    return taken and not any(
        w in ("dicuri", "dicopet", "hilang", "jatuh", "rusak", "mati", "stolen") for w in clause
    )


def _sold(clause: Clause) -> bool:
    words = set(clause)
    if words & {"diperdagangkan", "diperjualbelikan", "tppo"}:
        return True
    if "perdagangan" in words and "orang" in words and "korban" in words:
        return True
    if words & (THINGS | PHONE):
        return False
    for i, word in enumerate(clause):
        if word.startswith("dijual") and set(clause[:i]) & {"rumah", "tanah", "sawah", "kebun"}:
            return False
        after = clause[i + 1 : i + 3]
        if inflected(word, "jual") and (word.startswith("di") or any(w in PERSON for w in after)):
            return not _negated(clause[max(0, i - 3) : i])
        if word.startswith("dibeli") and ({"saya", "kami"} & set(clause[:i])):
            return True
        if inflected(word, "oper") and set(clause[i + 1 :]) & {"majikan", "bos", "orang", "agen"}:
            return True  # "sy dioper ke majikan lain": handed on like goods
        if word in ("jual", "beli") and any(w in PERSON for w in after):
            return not _negated(clause[max(0, i - 3) : i])
    return False


def _sexual(clause: Clause) -> bool:
    if _find(clause, SEXUAL, deed=False) is not None:
        return True
    touch = _find(clause, ("pegang", "sentuh", "raba", "elus", "cium", "peluk"), deed=False)
    if touch is None:
        return False
    near = clause[touch : touch + 5]
    doubled = touch + 1 < len(clause) and clause[touch + 1] in stems(clause[touch]) | {
        clause[touch]
    }
    return any(w in BODY for w in near) or (doubled and any(w in PERSON for w in clause))


def _forced_sex(clause: Clause) -> bool:
    return _find(clause, ("paksa",), deed=False) is not None and bool(
        set(clause) & {"tidur", "seks", "sex", "berhubungan", "ml", "begituan", "gituan", "cium"}
    )


def _tortured(clause: Clause) -> bool:
    return _find(clause, TORTURE) is not None and not _only_past(clause)


def _hurt_after_blow(parts: Sequence[Clause]) -> bool:
    """A blow and an injury told together, in any clauses: the worker is hurt now."""
    words = {w for clause in parts for w in clause}
    hit = any(_blow(clause) for clause in parts)
    return hit and bool(words & INJURY) and not words & (SAFE_NOW | PAST)


def _thrown_into_harm(parts: Sequence[Clause]) -> bool:
    """Pushed, shoved or thrown at, told with a fall or an injury, and not as long past."""
    words = {w for clause in parts for w in clause}
    if not words & (HARMED | INJURY) or words & (SAFE_NOW | PAST):
        return False
    for clause in parts:
        i = _find(clause, PUSH)  # "didorong", "dilempar", "banting sy"
        if i is None:
            i = next((j for j, w in enumerate(clause) if w in PUSH), None)
        if i is not None and set(clause) & PERSON:
            return True
        for j, word in enumerate(clause[:-1]):
            # "pushed me", "threw a pan at me": the worker is what was pushed or hit.
            if word in PUSHED_EN and (clause[j + 1] in SELF or "me" in clause[j + 1 : j + 5]):
                return not _negated(clause[max(0, j - 3) : j])
    return False


def _blow(clause: Clause) -> bool:
    """A blow, the bare root included ("majikan pukul saya"), but not a time ("pukul 9")."""
    i = _find(clause, HIT, deed=False)
    if i is None:
        return False
    after = clause[i + 1 : i + 2]
    return not (after and after[0].isdigit())


def _scalded(clause: Clause) -> bool:
    """Hot water, oil or an iron used on a person: "aq disiram air panas", "disetrika tangan sy"."""
    words = set(clause)
    if _find(clause, ("siram", "guyur", "setrika", "sundut", "bakar")) is None:
        return False
    return bool(words & {"panas", "mendidih", "minyak", "rokok", "cabai", "cabe"}) or bool(
        words & (BODY | {"tangan", "kaki", "muka", "wajah", "punggung", "kulit"})
    )


def _hit_now(clause: Clause) -> bool:
    return (
        _find(clause, HIT) is not None
        and any(w in NOW for w in clause)
        and not any(w in PAST for w in clause if w not in ("lalu",))
    )


def _threat_to_kill(clause: Clause) -> bool:
    for i, word in enumerate(clause):
        if "bunuh" in stems(word) or word == "bunuh":
            after = clause[i + 1 : i + 2]
            if after == ["diri"] or set(after) & PESTS or _negated(clause[max(0, i - 3) : i]):
                continue
            return True
    line = " ".join(clause)
    return "nyawa saya terancam" in line or "nyawa terancam" in line


def _urgent(clause: Clause) -> bool:
    words = set(clause)
    asked = bool(words & (ASK_FOR_INFO | CONDITIONAL))  # "darurat gk sih kalau paspor habis?"
    if words & {"sos"} or (words & {"darurat", "emergency", "gawat"} and not asked):
        return True
    if "bahaya" in words and words & {"dalam", "saya", "kami"} and not words & ASK_FOR_INFO:
        return True
    if {"tidak", "aman"} <= words and words & {"sini", "sekarang", "rumah", "saya"}:
        return True
    if words & HELP and words & URGENT and not words & REPLYING:
        return True
    if any(a == b and a in HELP for a, b in zip(clause, clause[1:], strict=False)):
        return True
    # A cry for help and nothing else: "help me plsss", "tolongin aku".
    return len(clause) >= 2 and set(clause) <= _CRY and bool(words & HELP) and bool(words & SELF)


_CRY = HELP | SELF | {"please", "kak", "mbak", "bu", "pak", "min", "saya", "ya"}


def _ran_away_now(clause: Clause) -> bool:
    line = " ".join(clause)
    fled = "kabur" in clause or re.search(r"\b(?:ran|run|running) away\b|\bescaped\b", line)
    now = {"sekarang", "lagi", "tolong", "malam", "now", "hiding", "tonight", "help", "sembunyi"}
    return bool(fled) and bool(set(clause) & now) and not set(clause) & SAFE_NOW


_ID_RULES: tuple[tuple[str, Callable[[Clause], bool]], ...] = (
    ("confined", _confined),
    ("confined", _not_let_out),
    ("phone_taken", _phone_taken),
    ("sold", _sold),
    ("sexual", _sexual),
    ("sexual", _forced_sex),
    ("torture", _tortured),
    ("torture", _scalded),
    ("violence_now", _hit_now),
    ("threat_to_kill", _threat_to_kill),
    ("urgent", _urgent),
)
