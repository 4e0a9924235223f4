"""Secrets at rest: Fernet with a key list, the first key encrypting and every key decrypting."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretDecryptError(Exception):
    """A stored value could not be decrypted with any known key."""


def generate_key() -> str:
    """A new Fernet key, as text."""
    return Fernet.generate_key().decode("ascii")


class Keyring:
    """Encrypts with the first key; decrypts with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one Fernet key")
        self.keys: tuple[str, ...] = tuple(keys)
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in self.keys])

    def encrypt(self, plaintext: str) -> str:
        """Encrypt text with the first key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt a token made with any key of the ring."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise SecretDecryptError("no key of the keyring can decrypt this value") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the first key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise SecretDecryptError("no key of the keyring can decrypt this value") from exc

    def with_new_primary(self, key: str | None = None) -> Keyring:
        """A keyring with a new first key, keeping the old keys for decryption."""
        return Keyring([key or generate_key(), *self.keys])
