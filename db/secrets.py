"""Stored secrets. This layer only ever sees Fernet tokens; `server.secrets.fernet_keys` encrypts."""

from __future__ import annotations

from collections.abc import Callable

from tortoise.transactions import in_transaction

from db.errors import NotFound
from db.models import Secret


async def put_secret(name: str, encrypted_value: str) -> Secret:
    """Store or replace the encrypted value of a named secret."""
    secret, _ = await Secret.update_or_create(name=name, defaults={"value": encrypted_value})
    return secret


async def get_secret(name: str) -> str:
    """The encrypted value of a named secret, or NotFound."""
    secret = await Secret.get_or_none(name=name)
    if secret is None:
        raise NotFound(f"no secret '{name}'")
    return secret.value


async def secret_names() -> list[str]:
    """The names of every stored secret."""
    return [s.name for s in await Secret.all().order_by("name")]


async def reencrypt_secrets(transform: Callable[[str], str]) -> int:
    """Rewrite every stored value through `transform` in one transaction; returns the count."""
    async with in_transaction():
        secrets = await Secret.all().select_for_update()
        for secret in secrets:
            secret.value = transform(secret.value)
            await secret.save(update_fields=["value"])
    return len(secrets)
