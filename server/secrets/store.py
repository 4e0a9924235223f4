"""`{data_dir}/secrets.toml`: the JWT signing key, the Fernet keys and the media hook secret.

Made on first start with mode 0600 and never rewritten except by `secrets rotate`. Writes go to a
temporary file that is renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from server.auth.credentials import new_signing_key
from server.safe_parse import load_toml
from server.secrets.fernet_keys import Keyring, generate_key
from server.secrets.redaction import register_secrets

FILE_NAME = "secrets.toml"


class SecretsFileError(Exception):
    """secrets.toml is unreadable or incomplete."""


@dataclass(frozen=True)
class KioskSecrets:
    """The kiosk's own secrets."""

    jwt_key: str
    fernet_keys: tuple[str, ...]
    media_secret: str

    @property
    def keyring(self) -> Keyring:
        """The Fernet keyring; the first key encrypts."""
        return Keyring(self.fernet_keys)


def secrets_path(data_dir: Path) -> Path:
    """Where the secrets file lives."""
    return data_dir / FILE_NAME


def _render(kiosk_secrets: KioskSecrets) -> str:
    keys = ",\n".join(f'  "{k}"' for k in kiosk_secrets.fernet_keys)
    return (
        "# VoxBento Kiosk secrets. Generated; keep this file private (mode 0600).\n"
        "# fernet_keys: the first key encrypts, every key decrypts (`secrets rotate`).\n"
        f'jwt_key = "{kiosk_secrets.jwt_key}"\n'
        f'media_secret = "{kiosk_secrets.media_secret}"\n'
        f"fernet_keys = [\n{keys},\n]\n"
    )


def write_secrets(data_dir: Path, kiosk_secrets: KioskSecrets) -> Path:
    """Write the secrets file atomically with mode 0600."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = secrets_path(data_dir)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_render(kiosk_secrets))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def read_secrets(data_dir: Path) -> KioskSecrets:
    """Read the secrets file, or raise SecretsFileError."""
    path = secrets_path(data_dir)
    try:
        data = load_toml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SecretsFileError(f"{path}: missing; run `voxbento-kiosk init`") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SecretsFileError(f"{path}: unreadable ({exc})") from exc
    keys = data.get("fernet_keys")
    jwt_key = data.get("jwt_key")
    media_secret = data.get("media_secret")
    valid = (
        isinstance(jwt_key, str)
        and isinstance(media_secret, str)
        and isinstance(keys, list)
        and keys
        and all(isinstance(k, str) for k in keys)
    )
    if not valid:
        raise SecretsFileError(f"{path}: needs jwt_key, media_secret and a list of fernet_keys")
    return KioskSecrets(str(jwt_key), tuple(str(k) for k in keys or ()), str(media_secret))


def load_or_create_secrets(data_dir: Path) -> tuple[KioskSecrets, bool]:
    """The kiosk's secrets, generating the file on first start; the flag says it was created."""
    if secrets_path(data_dir).exists():
        loaded = read_secrets(data_dir)
        _mask_in_logs(loaded)
        return loaded, False
    fresh = KioskSecrets(new_signing_key(), (generate_key(),), secrets.token_urlsafe(32))
    write_secrets(data_dir, fresh)
    _mask_in_logs(fresh)
    return fresh, True


def _mask_in_logs(kiosk_secrets: KioskSecrets) -> None:
    # Whatever the process logs or prints from now on has these values masked.
    register_secrets(kiosk_secrets.jwt_key, kiosk_secrets.media_secret, *kiosk_secrets.fernet_keys)
