"""Stored secrets and key rotation."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import db
from server.manage.errors import SetupError, user_errors
from server.secrets.fernet_keys import Keyring, SecretDecryptError
from server.secrets.store import SecretsFileError, read_secrets, secrets_path, write_secrets

SECRET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")


def _check_name(name: str) -> str:
    if not SECRET_NAME_RE.match(name):
        raise SetupError(
            f"secret name '{name}' is not valid; it must be 1 to 100 lowercase letters, digits, "
            "'_', '.', ':' or '-', starting with a letter or digit"
        )
    return name


async def store_secret(name: str, plaintext: str, keyring: Keyring) -> None:
    """Encrypt `plaintext` with the keyring's first key and store it under `name`."""
    await db.put_secret(_check_name(name), keyring.encrypt(plaintext))


async def read_secret(name: str, keyring: Keyring) -> str:
    """Decrypt the secret stored under `name`, or raise SetupError."""
    with user_errors():
        token = await db.get_secret(_check_name(name))
    try:
        return keyring.decrypt(token)
    except SecretDecryptError as exc:
        raise SetupError(f"secret '{name}': {exc}") from exc


@dataclass(frozen=True)
class RotationReport:
    """What `secrets rotate` did."""

    secrets_file: Path
    key_count: int
    reencrypted: int


async def rotate_secrets(data_dir: Path) -> RotationReport:
    """Put a new Fernet key first in secrets.toml, then re-encrypt every stored Secret with it.

    The database must be open. The old keys stay in the list (they still decrypt anything
    encrypted before, e.g. in a backup); the JWT key and the media secret are not changed, so
    nobody is logged out.
    """
    try:
        current = read_secrets(data_dir)
    except SecretsFileError as exc:
        raise SetupError(str(exc)) from exc
    # Refuse before changing anything when a stored value is unreadable with the current keys.
    for name in await db.secret_names():
        try:
            current.keyring.decrypt(await db.get_secret(name))
        except SecretDecryptError as exc:
            raise SetupError(
                f"secret '{name}' cannot be decrypted with the keys in "
                f"{secrets_path(data_dir)}; nothing was rotated"
            ) from exc
    rotated = current.keyring.with_new_primary()
    # The file is written first, and atomically: if we crash after this, the database still
    # holds values under old keys, which the new file keeps, so everything stays readable and a
    # second `secrets rotate` finishes the job. Re-encrypting first and crashing before the
    # file is written would leave values under a key that exists nowhere: lost for good.
    write_secrets(data_dir, replace(current, fernet_keys=rotated.keys))
    count = await db.reencrypt_secrets(rotated.rotate)
    return RotationReport(secrets_path(data_dir), len(rotated.keys), count)
