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
    """Encrypts with the newest key, decrypts with any; hashes with a key derived from the oldest.

    Rotation: put a new key first and keep the old ones until data is re-encrypted. The oldest
    key also keys the look-up hashes (a worker's channel id), so it stays last in the list.
    """

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise CryptoError("no encryption key configured")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise CryptoError("an encryption key is not a valid Fernet key") from exc
        self._hash_key = hashlib.sha256(b"helpline-lookup:" + keys[-1].encode()).digest()

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
