"""Conversation context the policy reads besides the classifier: the clauses of a message with
several problems, follow-ups ("terus gmn?"), a country said as where they are, thumbs-up."""

from __future__ import annotations

import re

from bot import intents
from bot.nlu.lexicon import concept
from bot.nlu.normalize import normalize

# Several problems in one message are answered in this order, most urgent first; the others
# are offered as quick replies. Danger (emergency, self-harm) never gets here: it goes first.
URGENCY: tuple[str, ...] = (
    "abuse_violence",
    "trafficking_scam",
    "lost_contact",
    "document_withheld",
    "wages_unpaid",
    "working_conditions",
    "health_accident",
    "repatriation",
    "recruitment_fees",
    "legal_status",
    "social_security",
    "contract_info",
    "migrate_safely",
)
assert set(URGENCY) == set(intents.RIGHTS), "every rights intent has a place in URGENCY"

# A clause names a second problem only when the classifier is this sure of it. In 5-fold
# cross-validation on nlu_data/ a rights guess this sure is right 92% of the time (97% at 0.75,
# which missed "gk dapet libur" beside "gaji dipotong"); a second problem is only offered as a
# quick reply, so a wrong one costs a tap.
CLAUSE_CONFIDENCE = 0.5
# A part without a word of any problem ("tidak boleh", "sy di taiwan") must be clearer still.
BARE_CLAUSE_CONFIDENCE = 0.75
# A part asking for another language must be clearer: a wrong switch costs the whole chat.
LANGUAGE_CONFIDENCE = 0.75

# Where a message splits into clauses: punctuation, and the words that join two problems.
_SPLIT = re.compile(r"[,.;!?\n]+|\s(?:tapi|tp|tpi|but|dan|and|terus|trus|trs|plus|lalu)\s", re.I)


# A numbered point: "1 paspor ditahan" or "2) gaji blm dibayar" where a clause starts, or "2."
# inside a line ("... ditahan agen 2. gaji dipotong"); a bare "2 bulan" inside a line is a count.
_POINT = re.compile(
    r"(?:(?:^|[;,!?\n])\s*|\.\s*)\(?(\d{1,2})[.)]?\s+(?=[a-z])|\s\(?(\d{1,2})[.)]\s*(?=[a-z])",
    re.I,
)


def clauses(text: str) -> list[str]:
    """The parts of a message that may each be a problem; one part: not worth splitting."""
    if numbered(text):
        text = _POINT.sub("\n", text)
    parts = [p.strip() for p in _SPLIT.split(text)]
    return [p for p in parts if len(p.split()) >= 2]


def numbered(text: str) -> bool:
    """The message lists its points as 1, 2, ... ("1. paspor ditahan 2. gaji blm dibayar")."""
    numbers = [int(m.group(1) or m.group(2)) for m in _POINT.finditer(text)]
    return any(numbers[i : i + 2] == [1, 2] for i in range(len(numbers)))


# The lexicon's concepts (bot/nlu/lexicon.py) that name a problem, not just its grammar.
_PROBLEM_CONCEPTS = frozenset({
    "SALARY", "LATE", "DEDUCT", "FEE", "DEBT", "FINE", "REFUND", "MONEY", "DOCUMENT", "WITHHOLD",
    "CONTRACT", "HIT", "SEXUAL", "THREAT", "LOCKED", "SICK", "BODY", "FAINT", "ACCIDENT", "DIED",
    "REST", "HOURS", "FOOD", "LODGING", "HOME", "SCAM", "ILLEGAL", "VISA", "EXPIRED", "ARREST",
    "INSURANCE", "CLAIM", "MISSING", "TERMINATE", "ESCAPE",
})  # fmt: skip


def names_a_problem(text: str) -> bool:
    """The text has a word of some problem (wages, passport, rest day...), not only grammar."""
    return any(concept(w) in _PROBLEM_CONCEPTS for w in normalize(text).split())


def by_urgency(found: list[str]) -> list[str]:
    """The distinct rights intents found, most urgent first."""
    return sorted(dict.fromkeys(i for i in found if i in URGENCY), key=URGENCY.index)


# "terus gmn?", "what can I do about it?": asks for the next step on the last topic. Words as
# normalize() spells them; a follow-up has a word of NEXT and otherwise only FILLER.
# fmt: off
_NEXT = frozenset({
    "terus", "lalu", "trus", "selanjutnya", "berikutnya", "then", "next", "now", "bagaimana",
    "gimana", "what", "lakukan", "langkah",
})
_FILLER = frozenset({
    "saya", "aku", "kami", "harus", "hrs", "bisa", "apa", "yang", "ya", "dong", "nya", "ini",
    "itu", "sekarang", "kak", "mbak", "pak", "bu", "min", "jadi", "terus", "sih", "kalau",
    "begitu", "gitu", "caranya", "cara", "buat", "perbuat", "kerjakan", "sebaiknya",
    "i", "can", "do", "should", "about", "it", "this", "that", "so", "then", "we", "next",
    "step", "steps", "is", "the", "what's", "whats", "now", "ok", "oke", "and", "shall",
    "must", "to", "me",
})
# fmt: on


def follow_up(text: str) -> bool:
    """The message only asks "and now what?" about what was just said."""
    words = [w.strip("?!.,") for w in normalize(text).split()]
    words = [w for w in words if w]
    if not words or len(words) > 8:
        return False
    return any(w in _NEXT for w in words) and all(w in _NEXT or w in _FILLER for w in words)


# "sy di taiwan", "kerja di HK", "I work in Singapore": the words just before a country that say
# the worker is there. Words as normalize() spells them.
# fmt: off
_THERE = frozenset({
    "saya", "aku", "kami", "kerja", "bekerja", "tinggal", "posisi", "lokasi", "majikan",
    "i", "i'm", "im", "work", "working", "live", "living", "based", "stay", "staying", "am",
    "employer", "boss", "bos", "agency", "agensi", "agen", "factory", "pabrik",
})
# A place right after these: the worker is there ("di", "in", "kat" in Malay, "nang" in Javanese).
_AT = frozenset({"di", "in", "at", "kat", "dekat", "nang", "neng", "ning", "dalam"})
# "pindah ke", "moved to": going there for work.
_TO = frozenset({"ke", "to"})
_MOVED = frozenset({"pindah", "dipindah", "moved", "move", "transferred", "transfer"})
# What the worker is ("sy bmi hongkong", "i am a helper in HK").
_WORKER = frozenset({"bmi", "tkw", "tki", "pmi", "prt", "helper", "maid", "worker", "caregiver"})
# Someone else is there, or the worker was there once: a place in passing.
_SOMEONE_ELSE = frozenset({
    "adik", "kakak", "teman", "temen", "kawan", "sahabat", "suami", "istri", "anak", "ayah",
    "bapak", "tetangga", "sepupu", "saudara", "dia", "mereka", "friend", "friends", "sister",
    "brother", "husband", "wife", "son", "daughter", "father", "cousin", "neighbour", "neighbor",
    "he", "she", "they", "her", "his", "their",
})
_ONCE = frozenset({"dulu", "dulunya", "pernah", "used", "before", "formerly", "previously", "was"})
# "not hong kong", "bukan di hk", "instead of Malaysia": a country named to say it is the wrong one.
_NOT = frozenset({
    "not", "bukan", "bkn", "bukannya", "tidak", "tdk", "gak", "ga", "nggak", "ngga",
    "enggak", "tak",
})
# The words that join a negated country to the right one ("singapura, bukan hk", "X not Y").
NEGATION_WORDS = _NOT | {"tapi", "tp", "but", "instead", "of", "rather", "than"}
# fmt: on
_CLAUSE_END = re.compile(r"[,.;!?\n]")


def negated(text_before: str) -> bool:
    """The words just before a named country say it is not the one ("not", "bukan di",
    "instead of"): a correction names the wrong place beside the right one."""
    clause = _CLAUSE_END.split(text_before)[-1]
    words = [w for w in normalize(clause).split() if w[0].isalnum()]
    if words[-2:] in (["instead", "of"], ["rather", "than"]):
        return True
    if words and words[-1] in _AT:
        words = words[:-1]  # "bukan di", "not in"
    return bool(words) and words[-1] in _NOT


def says_there(text_before: str) -> bool:
    """The words before a named country say that the worker is there now ("sy di", "I work in",
    "pindah kerja ke"), not someone else ("adik sy di"), nor once ("dulu kerja di"), nor a place
    in passing ("cuaca di", "food from", "transit")."""
    clause = _CLAUSE_END.split(text_before)[-1]
    words = [w for w in normalize(clause).split() if w[0].isalnum()]
    if not words or set(words) & (_SOMEONE_ELSE | _ONCE):
        return False
    *before, last = words
    if last in _WORKER:
        return True
    if last in _TO:
        return bool(set(before) & _MOVED)
    if last not in _AT:
        return False
    return bool(set(before[-4:]) & (_THERE | _WORKER | _MOVED))


# A message of nothing but these: a thumbs-up says yes (to an offer) or thanks.
_YES_SIGNS = frozenset("👍👌✅")
_THANKS_SIGNS = frozenset("🙏❤♥😊🙂")
_IGNORED = frozenset("\ufe0f\u200d ") | {chr(c) for c in range(0x1F3FB, 0x1F400)}  # skin tones


def signs(text: str) -> str | None:
    """ "yes" or "thanks" for a message made only of those emoji (and "ok"); else None."""
    rest = re.sub(r"\b(?:ok|oke|okay|sip|siap|makasih|thanks)\b", "", text, flags=re.I)
    chars = {c for c in rest if c not in _IGNORED}
    if not chars or not chars <= (_YES_SIGNS | _THANKS_SIGNS):
        return None
    return "yes" if chars & _YES_SIGNS else "thanks"
