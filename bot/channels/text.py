"""Text formats shared by the adapters: numbered options for text-only channels, long texts split.

On WhatsApp quick replies become numbered lines. When the text already lists them as "1. ..."
(the menu, the country question), those numbers are the options; otherwise the options are
appended, numbered after the highest number the text shows, so that no number means two things.
A worker's typed number is mapped back to the option's payload with the same numbering,
computed from the last message they were sent (see `resolve_number`).
"""

from __future__ import annotations

import re

from bot.messages import QuickReply

_LINE = re.compile(r"^\s*(\d{1,2})[.)]\s+(.*\S)\s*$")
_TYPED = re.compile(r"^\s*(?:no\.?\s*|nomor\s*|nomer\s*|number\s*)?(\d{1,2})\s*[.)]?\s*$", re.I)


def numbered(text: str, quick_replies: tuple[QuickReply, ...]) -> tuple[str, dict[str, str]]:
    """The text with its options as numbered lines, and each number's payload."""
    if not quick_replies:
        return text, {}
    listed = {m.group(1): m.group(2) for line in text.splitlines() if (m := _LINE.match(line))}
    mapping: dict[str, str] = {}
    for position, option in enumerate(quick_replies, start=1):
        own = _LINE.match(option.title)
        if own and listed.get(own.group(1)) == own.group(2):
            mapping[own.group(1)] = option.payload
        elif listed.get(str(position)) == option.title.strip():
            mapping[str(position)] = option.payload
        else:
            break
    else:
        if len(mapping) == len(quick_replies):
            return text, mapping
    start = max((int(n) for n in listed), default=0) + 1
    mapping = {}
    lines = []
    for number, option in enumerate(quick_replies, start=start):
        mapping[str(number)] = option.payload
        lines.append(f"{number}. {option.title}")
    return f"{text}\n\n" + "\n".join(lines), mapping


def typed_number(typed: str) -> str | None:
    """The number in a message that is only a number ("2", "no. 2", "2.")."""
    match = _TYPED.match(typed)
    return str(int(match.group(1))) if match else None


def resolve_number(typed: str, text: str, quick_replies: tuple[QuickReply, ...]) -> str | None:
    """The payload a typed number picks from a message's options, if any."""
    number = typed_number(typed)
    if number is None:
        return None
    _, mapping = numbered(text, quick_replies)
    return mapping.get(number)


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut at paragraph, line or word ends when possible."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts
