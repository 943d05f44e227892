"""Encryption of sensitive columns at rest (Fernet, rotatable) and keyed hashes for look-ups."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CryptoError(Exception):
    """Keys missing or a value that no configured key can decrypt."""


class Cipher:
    """Encrypts with the newest key, decrypts with any; hashes with the look-up key.

    Rotation (bot/storage/rotation.py): put a new key first, re-encrypt, then drop the old
    ones. The look-up key keys the hashes that find a worker by channel id and the secrets that
    sign cookies; unset, it is the oldest key, so that key moves to the look-up setting (or
    stays last) when it stops encrypting.
    """

    def __init__(self, keys: list[str], lookup_key: str | None = None) -> None:
        if not keys:
            raise CryptoError("no encryption key configured")
        try:
            fernets = [Fernet(k.encode()) for k in keys]
        except ValueError as exc:
            raise CryptoError("an encryption key is not a valid Fernet key") from exc
        self._newest = fernets[0]
        self._fernet = MultiFernet(fernets)
        secret = lookup_key if lookup_key else keys[-1]
        self._hash_key = hashlib.sha256(b"helpline-lookup:" + secret.encode()).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise CryptoError(
                "a stored value cannot be decrypted with the configured keys"
            ) from exc

    def encrypt_bytes(self, value: bytes) -> bytes:
        return self._fernet.encrypt(value)

    def decrypt_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise CryptoError("a stored file cannot be decrypted with the configured keys") from exc

    def is_newest(self, token: bytes) -> bool:
        """Whether a stored value is encrypted with the newest key already."""
        try:
            self._newest.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """A stored value encrypted again with the newest key (its timestamp kept)."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise CryptoError(
                "a stored value cannot be decrypted with the configured keys"
            ) from exc

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


def keys_from_setting(setting: str | None, data_dir: Path, *, allow_generate: bool) -> list[str]:
    """Keys from HELPLINE_ENCRYPTION_KEYS; in development, a key kept in data_dir/secret.key."""
    if setting:
        return [k.strip() for k in setting.split(",") if k.strip()]
    if not allow_generate:
        raise CryptoError("HELPLINE_ENCRYPTION_KEYS is not set")
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode())
    return [path.read_text().strip()]


# The database engine carries its cipher: SQLAlchemy hands a column type only the engine's
# dialect (one per engine), not the session, so the encrypted column types find the keys there.
# Two runtimes in one process (tests, a key rotation) thus each use their own keys.
_DIALECT_ATTRIBUTE = "helpline_cipher"


def attach_cipher(dialect: object, cipher: Cipher) -> None:
    """Give a database engine's dialect the keys its encrypted columns use."""
    setattr(dialect, _DIALECT_ATTRIBUTE, cipher)


def cipher_of(dialect: object) -> Cipher:
    cipher = getattr(dialect, _DIALECT_ATTRIBUTE, None)
    if not isinstance(cipher, Cipher):
        raise CryptoError("this database engine was created without a cipher")
    return cipher
