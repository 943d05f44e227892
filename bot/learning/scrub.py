"""Personal data out of a worker's message before it is kept for editors to label.

What goes (each replaced by a placeholder the editor sees, e.g. "<phone>"):
- phone numbers: the project's phone entity (phonenumbers, the worker's country and
  Indonesia's dialling rules, bare international numbers), then phonenumbers' own matcher at
  its most lenient (POSSIBLE) for every destination region;
- any other run of 5 or more digits (passport, ID, account, card, postal numbers) and any
  word mixing letters with 4 or more digits ("A1234567", "C12345678");
- e-mail addresses, web addresses, case references ("HL-7KQ2M4");
- names: the words after "nama saya / namaku / my name is / I am / ini" and after a title
  ("pak", "bu", "mbak", "Mr", "Madam", "encik", ...), the word after "saya/sy/aku" that is
  not in the NLU's vocabulary, and every capitalised word (not starting the message) that
  is in neither the vocabulary nor the place names the NLU knows;
- addresses: from a street word ("jalan", "jl.", "blok", "lorong", "road", "street", "flat",
  "block", "#12-34") to the end of the clause.

What stays: money ("RM1500", "5 juta"), dates and durations, countries and cities: they
carry meaning for the classifier and identify nobody alone.

Limits: a name written in lower case with no cue before it ("tlg bantu siti") stays, as does
a name that is also an ordinary word ("Indah", "Bunga"); an address written without a street
word stays; a number spelt in words stays. Editors must dismiss a message that still shows
personal data, and the retention period (HELPLINE_RETENTION_DAYS) deletes every row anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from bot.nlu.entities import extract_entities
from bot.nlu.entities.country import ALIASES
from bot.nlu.entities.province import PROVINCES
from bot.nlu.normalize import ABBREVIATIONS

PHONE = "<phone>"
NUMBER = "<number>"
NAME = "<name>"
ADDRESS = "<address>"
EMAIL = "<email>"
LINK = "<link>"
REFERENCE = "<reference>"
# Most specific first: where spans overlap, the first of these names the merged span.
PLACEHOLDERS = (EMAIL, LINK, REFERENCE, PHONE, ADDRESS, NUMBER, NAME)

_REGIONS = ("ID", "MY", "SG", "HK", "TW", "SA", "AE", "QA", "KW", "OM", "BH", "BN", "KR", "JP")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|id|net|org|my|hk|tw|sg)(?:/\S*)?\b")
_REFERENCE = re.compile(r"\bHL-?[0-9A-Z]{6}\b", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"(?<![\w<])\d(?:[\s.\-/]?\d){4,}(?![\w>])")
_CODE = re.compile(r"\b(?=[A-Za-z]*\d{4,})(?=\d*[A-Za-z])[A-Za-z0-9]{5,}\b")
_NAME_CUE = re.compile(
    r"\b(?:nama\s*(?:saya|sy|aku|aq|ku|gw|gue|nya|ny)?|namaku|my\s+name\s+is|name\s*:|"
    r"i\s+am|i'm|im|ini|this\s+is|dengan|with|panggil(?:\s+(?:saya|sy|aku))?|call\s+me|"
    r"cousin|sepupu|teman|temen|kakak|adik|suami|istri|anak)\s*:?\s+",
    re.IGNORECASE,
)
_TITLES = (
    "pak|bapak|bpk|bu|ibu|bunda|mbak|mba|mas|kak|kakak|dik|adik|om|tante|teh|aa|bang|"
    "mr|mrs|ms|miss|madam|mdm|madame|sir|tuan|nyonya|encik|cik|puan|datin|dato|"
    "mister|uncle|auntie|aunty"
)
_TITLE = re.compile(rf"\b(?:{_TITLES})\.?\s+", re.IGNORECASE)
_SELF = re.compile(r"\b(?:saya|sy|aku|aq|gw|gue)\s+", re.IGNORECASE)
_STREET = re.compile(
    r"\b(?:jalan|jln|jl|gang|gg|blok|blk|block|lorong|lrg|taman|tmn|road|rd|street|st|"
    r"avenue|ave|flat|apartment|apt|tower|kampung|kp|rt|rw)\b\.?\s*[\w#]",
    re.IGNORECASE,
)
_UNIT = re.compile(r"#\d{1,3}-\d{1,4}")
_CLAUSE_END = re.compile(r"[,;!?\n]|\s(?:dan|and|tapi|but|trus|terus|tolong|tlg)\s")
_WORD = re.compile(r"[^\W\d_][\w'-]*")


class Scrubber:
    """Built once with the words the NLU was trained on (anything else may be a name)."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        known = {w.lower() for w in vocabulary}
        known |= set(ABBREVIATIONS) | set(ABBREVIATIONS.values())
        names = [*ALIASES]
        for name, others, towns in PROVINCES.values():
            names += [name.lower(), *others, *towns]
        places = {w for alias in names for w in alias.split()}
        self.known = frozenset(known | places)
        self.places = frozenset(places)

    def scrub(self, text: str) -> str:
        spans: list[tuple[int, int, str]] = []
        entities = extract_entities(text)
        kept = [(e.start, e.end) for e in entities if e.type in ("money", "date", "duration")]
        spans += [(e.start, e.end, PHONE) for e in entities if e.type == "phone"]
        spans += [span for span in _phones(text) if not _inside(span[0], span[1], kept)]
        for pattern, mark in (
            (_EMAIL, EMAIL),
            (_LINK, LINK),
            (_REFERENCE, REFERENCE),
            (_UNIT, ADDRESS),
        ):
            spans += [(m.start(), m.end(), mark) for m in pattern.finditer(text)]
        for m in _STREET.finditer(text):
            end = _CLAUSE_END.search(text, m.end())
            spans.append((m.start(), end.start() if end else len(text), ADDRESS))
        for pattern in (_LONG_NUMBER, _CODE):
            for m in pattern.finditer(text):
                if not _inside(m.start(), m.end(), kept):
                    spans.append((m.start(), m.end(), NUMBER))
        spans += [span for span in self._names(text) if not _inside(span[0], span[1], kept)]
        return _tidy(_replace(text, spans))

    def _names(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for cue, most in ((_NAME_CUE, 3), (_TITLE, 2)):
            for m in cue.finditer(text):
                found += self._words_after(text, m.end(), most)
        for m in _SELF.finditer(text):
            word = _WORD.match(text, m.end())
            if word and word.group(0).lower() not in self.known:
                found.append((word.start(), word.end(), NAME))
        for word in _WORD.finditer(text):
            w = word.group(0)
            if word.start() > 0 and w[0].isupper() and w.lower() not in self.known:
                found.append((word.start(), word.end(), NAME))
        return found

    def _words_after(self, text: str, at: int, most: int) -> list[tuple[int, int, str]]:
        """Up to `most` name-like words from `at` (after "nama saya" or a title): a word that
        is not a known word, or any capitalised one ("Pak Jaya"), but not a place."""
        found = []
        for _ in range(most):
            word = _WORD.match(text, at)
            if word is None:
                break
            w = word.group(0)
            unknown = w.lower() not in self.known or w[0].isupper()
            if not unknown or w.lower() in self.places:
                break
            found.append((word.start(), word.end(), NAME))
            at = word.end()
            while at < len(text) and text[at] == " ":
                at += 1
        return found


def _phones(text: str) -> list[tuple[int, int, str]]:
    if sum(c.isdigit() for c in text) < 6:
        return []
    spans = []
    for region in _REGIONS:
        for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
            spans.append((match.start, match.end, PHONE))
    return spans


def _inside(start: int, end: int, kept: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in kept)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Overlapping spans merge into one, named by the most specific placeholder among them."""
    merged: list[tuple[int, int, str]] = []
    for start, end, mark in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            best = min(last[2], mark, key=PLACEHOLDERS.index)
            merged[-1] = (last[0], max(last[1], end), best)
        else:
            merged.append((start, end, mark))
    out, at = [], 0
    for start, end, mark in merged:
        out += [text[at:start], mark]
        at = end
    out.append(text[at:])
    return "".join(out)


def _tidy(text: str) -> str:
    text = re.sub(r"(<(\w+)>)(\s*<\2>)+", r"\1", text)  # "<name> <name>" -> "<name>"
    return re.sub(r"[ \t]+", " ", text).strip()


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """The words of the training examples, except those written as names there: a word after
    a name cue or a title, or capitalised inside a sentence ("nama saya Siti")."""
    words: set[str] = set()
    names: set[str] = set()
    for text in texts:
        for m in _WORD.finditer(text):
            w = m.group(0)
            (names if m.start() > 0 and w[0].isupper() else words).add(w.lower())
        for cue in (_NAME_CUE, _TITLE):
            for m in cue.finditer(text):
                after = _WORD.match(text, m.end())
                if after:
                    names.add(after.group(0).lower())
    return words - names


def phone_free(text: str) -> bool:
    """No valid phone number left (a check for tests and the export)."""
    return not any(
        phonenumbers.is_valid_number(m.number)
        for region in _REGIONS
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
    )
