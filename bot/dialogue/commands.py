"""Quick-reply payloads and the short forms workers type ("1", "english please")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.intents import LANGUAGES

# A quick reply sends one of these; people may also type them.
INTENT_PREFIX = "/intent:"
COUNTRY_PREFIX = "/country:"
LANG_PREFIX = "/lang:"
MENU = "/menu"
OTHER_COUNTRY = "/country:other"
# A complaint flow's buttons: an answer to the current question, or a move (back, skip, ...).
ANSWER_PREFIX = "/answer:"
FLOW_PREFIX = "/flow:"


class CommandKind(StrEnum):
    INTENT = "intent"  # /intent:NAME, or a plain "delete this chat"
    COUNTRY = "country"
    LANG = "lang"
    MENU = "menu"
    NUMBER = "number"  # a typed number: a menu item, a listed country, or an answer
    ANSWER = "answer"  # a complaint flow's button: an answer to its question
    FLOW = "flow"  # a complaint flow's move: back, skip, cancel, start:ID ...


@dataclass(frozen=True, slots=True)
class Command:
    kind: CommandKind
    value: str


# "Delete this chat" said plainly is a command: the classifier must never take it for "delete my
# data" (which erases our records, not the worker's screen). Variants go through the NLU.
_PLEASE = r"(?:tolong|tlg|mohon|pls|please|plz)\s+"
_CLEAR_CHAT = re.compile(
    rf"^(?:{_PLEASE})?"
    r"(?:(?:hapus|hps|hapusin|hapuskan|bersihkan|bersihin|kosongkan|delete|clear|erase|wipe)\s+"
    r"(?:semua\s+|all\s+|the\s+|this\s+|my\s+)?"
    r"(?:chat|chatnya|chat2|obrolan|percakapan|pesan|pesan2|pesan-pesan|messages|conversation"
    r"|riwayat\s+chat|chat\s+history)"
    r"(?:\s+(?:ini|itu|sy|saya|semua|all|now|sekarang))*"
    r"|clear\s+history)"
    r"(?:\s+(?:dong|ya|aja|please|pls|sekarang|now))*\s*[.!]*$",
    re.I,
)
DELETE_CHAT = "delete_chat"

_NUMBER = re.compile(r"^\s*(?:no\.?\s*|nomor\s*|nomer\s*|number\s*)?(\d{1,2})\s*[.)]?\s*$", re.I)


def parse_command(text: str) -> Command | None:
    stripped = text.strip()
    lowered = stripped.lower()
    for prefix, kind in (
        (INTENT_PREFIX, CommandKind.INTENT),
        (COUNTRY_PREFIX, CommandKind.COUNTRY),
        (LANG_PREFIX, CommandKind.LANG),
        (ANSWER_PREFIX, CommandKind.ANSWER),
        (FLOW_PREFIX, CommandKind.FLOW),
    ):
        if lowered.startswith(prefix):
            return Command(kind, stripped[len(prefix) :].strip())
    if lowered in (MENU, "/start", "/help"):
        return Command(CommandKind.MENU, "")
    if _CLEAR_CHAT.match(stripped):
        return Command(CommandKind.INTENT, DELETE_CHAT)
    if match := _NUMBER.match(stripped):
        return Command(CommandKind.NUMBER, match.group(1))
    return None


_ENGLISH = r"english|inggris|inggeris|engl?is|eng\b|bhs\.?\s*ing"
_INDONESIAN = r"indonesia|indo\b|bahasa\s*(?:kita|ibu)|bhs\.?\s*indo|melayu|malay"
_LANGUAGE = re.compile(rf"(?P<en>{_ENGLISH})|(?P<id>{_INDONESIAN})", re.I)
_TARGET = re.compile(
    r"\b(?:ke|to|into|in|pakai|pake|pk|dalam|dlm|use|speak)\s+(?:bahasa\s+|bhs\.?\s*)?$", re.I
)


def language_asked(text: str, current: str | None) -> str:
    """The language a change_language message or `/lang:xx` command asks for."""
    command = parse_command(text)
    if command is not None and command.kind is CommandKind.LANG and command.value in LANGUAGES:
        return command.value
    return requested_language(text, current)


def requested_language(text: str, current: str | None) -> str:
    """The language a change_language message asks for; the other one when it names none."""
    found: list[tuple[str, bool]] = []
    for match in _LANGUAGE.finditer(text):
        lang = "en" if match.group("en") else "id"
        found.append((lang, bool(_TARGET.search(text[: match.start()]))))
    targeted = [lang for lang, is_target in found if is_target]
    if targeted:
        return targeted[-1]
    if found:
        # "from indonesian to english" names both; the last named is usually the wish.
        return found[-1][0]
    return "en" if current != "en" else "id"
