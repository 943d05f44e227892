"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bot.i18n import N_

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 12  # also written in the messages below and on the password forms


_hasher: PasswordHasher | None = None  # made on first use (see _argon2)


def _argon2() -> PasswordHasher:
    """The hasher, made on first use: a start does not import argon2 (nobody signed in yet)."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


@cache
def _dummy() -> str:
    """Verified against when the username is unknown, so both cases take the same time. Made
    on the first sign-in rather than at import: a hash costs a third of a second of start-up."""
    return _argon2().hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _argon2().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _argon2().verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _argon2().check_needs_rehash(stored)


def weakness(password: str, username: str = "") -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return N_("the password must have at least 12 characters")
    if username and username.lower() in password.lower():
        return N_("the password must not contain the username")
    if len(set(password)) < 5:
        return N_("the password is too repetitive")
    return None
