"""Case reference numbers: short, unambiguous when read aloud or typed on a phone."""

from __future__ import annotations

import re
import secrets

# Crockford's base32: no I, L, O or U, so 1/I/L and 0/O cannot be confused.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "HL"
LENGTH = 6  # 32**6 ≈ 10**9: hard to guess a reference that is not yours
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_PATTERN = re.compile(rf"\b{PREFIX}[\s-]?([0-9A-Za-z]{{{LENGTH}}})\b", re.IGNORECASE)


def new_reference() -> str:
    return f"{PREFIX}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str:
    """A reference as a worker or officer might type it ("hl 7kq2mx"), in its stored form."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if compact.startswith(PREFIX):
        body = compact[len(PREFIX) :].translate(_CONFUSABLE)
        return f"{PREFIX}-{body}"
    return compact


def find_references(text: str) -> list[str]:
    """Every reference of our form written in a message."""
    return [normalise(PREFIX + m.group(1)) for m in _PATTERN.finditer(text)]
