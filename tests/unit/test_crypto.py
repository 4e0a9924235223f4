"""Secrets at rest (docs/design.md §4): Fernet key lists, rotation, and `secrets rotate`."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

import db
from server.manage import SetupError, read_secret, rotate_secrets, store_secret
from server.secrets.fernet_keys import Keyring, SecretDecryptError, generate_key
from server.secrets.store import load_or_create_secrets, read_secrets, secrets_path


def test_keyring_round_trips_text() -> None:
    ring = Keyring([generate_key()])
    token = ring.encrypt("pässword")
    assert token != "pässword"
    assert ring.decrypt(token) == "pässword"


def test_keyring_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Keyring([])


def test_old_tokens_still_decrypt_after_a_new_key_is_put_first() -> None:
    old = Keyring([generate_key()])
    token = old.encrypt("secret")
    rotated = old.with_new_primary()
    assert rotated.keys[1:] == old.keys
    assert rotated.decrypt(token) == "secret"


def test_new_tokens_are_encrypted_with_the_first_key() -> None:
    old = Keyring([generate_key()])
    rotated = old.with_new_primary()
    token = rotated.encrypt("secret")
    assert Fernet(rotated.keys[0].encode()).decrypt(token.encode()) == b"secret"
    with pytest.raises(SecretDecryptError):
        old.decrypt(token)


def test_rotated_tokens_use_the_new_key_and_the_old_key_alone_cannot_read_them() -> None:
    old = Keyring([generate_key()])
    token = old.encrypt("secret")
    rotated = old.with_new_primary()
    again = rotated.rotate(token)
    assert Keyring([rotated.keys[0]]).decrypt(again) == "secret"
    with pytest.raises(SecretDecryptError):
        old.decrypt(again)


def test_a_foreign_token_is_refused() -> None:
    with pytest.raises(SecretDecryptError):
        Keyring([generate_key()]).decrypt(Keyring([generate_key()]).encrypt("x"))


def test_secrets_file_is_created_private_and_then_kept(tmp_path: Path) -> None:
    first, created = load_or_create_secrets(tmp_path)
    again, created_again = load_or_create_secrets(tmp_path)
    assert created and not created_again
    assert first == again
    assert stat.S_IMODE(secrets_path(tmp_path).stat().st_mode) == 0o600
    assert len(first.jwt_key) >= 43 and len(first.fernet_keys) == 1


@pytest.mark.anyio
async def test_stored_secret_is_encrypted_at_rest(memory_db: None) -> None:
    ring = Keyring([generate_key()])
    await store_secret("smtp-password", "hunter22", ring)
    stored = await db.get_secret("smtp-password")
    assert "hunter22" not in stored
    assert await read_secret("smtp-password", ring) == "hunter22"


@pytest.mark.anyio
async def test_reading_a_missing_secret_is_a_setup_error(memory_db: None) -> None:
    with pytest.raises(SetupError, match="no secret 'nope'"):
        await read_secret("nope", Keyring([generate_key()]))


@pytest.mark.anyio
async def test_secrets_rotate_reencrypts_every_stored_secret(
    memory_db: None, tmp_path: Path
) -> None:
    before, _ = load_or_create_secrets(tmp_path)
    await store_secret("a", "alpha", before.keyring)
    await store_secret("b", "beta", before.keyring)
    report = await rotate_secrets(tmp_path)
    after = read_secrets(tmp_path)
    new_key_only = Keyring([after.fernet_keys[0]])
    assert report.reencrypted == 2
    assert after.fernet_keys[1:] == before.fernet_keys
    assert await read_secret("a", new_key_only) == "alpha"
    assert await read_secret("b", new_key_only) == "beta"
    with pytest.raises(SetupError):
        await read_secret("a", before.keyring)


@pytest.mark.anyio
async def test_secrets_rotate_keeps_the_signing_key_and_media_secret(
    memory_db: None, tmp_path: Path
) -> None:
    before, _ = load_or_create_secrets(tmp_path)
    await rotate_secrets(tmp_path)
    after = read_secrets(tmp_path)
    assert (after.jwt_key, after.media_secret) == (before.jwt_key, before.media_secret)
    assert stat.S_IMODE(secrets_path(tmp_path).stat().st_mode) == 0o600


@pytest.mark.anyio
async def test_secrets_rotate_changes_nothing_when_a_secret_is_unreadable(
    memory_db: None, tmp_path: Path
) -> None:
    load_or_create_secrets(tmp_path)
    await db.put_secret("stray", Keyring([generate_key()]).encrypt("x"))
    before = secrets_path(tmp_path).read_bytes()
    with pytest.raises(SetupError, match="secret 'stray' cannot be decrypted"):
        await rotate_secrets(tmp_path)
    assert secrets_path(tmp_path).read_bytes() == before


@pytest.mark.anyio
async def test_secrets_rotate_without_a_secrets_file_says_to_run_init(
    memory_db: None, tmp_path: Path
) -> None:
    with pytest.raises(SetupError, match="voxbento-kiosk init"):
        await rotate_secrets(tmp_path)


def test_secrets_file_is_valid_toml_with_every_key(tmp_path: Path) -> None:
    created, _ = load_or_create_secrets(tmp_path)
    data = tomllib.loads(secrets_path(tmp_path).read_text())
    assert data == {
        "jwt_key": created.jwt_key,
        "media_secret": created.media_secret,
        "fernet_keys": list(created.fernet_keys),
    }
