"""Opening and closing the database, and the clock the data layer stamps rows with."""

from __future__ import annotations

import contextlib
import os
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from db.models import Event

MODEL_MODULES = ["db.models"]


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def sqlite_url(path: Path) -> str:
    """The Tortoise URL of a SQLite file (Tortoise turns on WAL mode for SQLite itself)."""
    return f"sqlite://{path}"


SQLITE_PREFIX = "sqlite://"
PRIVATE_MODE = 0o600
# SQLite gives its -wal and -shm files the mode of the database file; the -journal is for
# completeness (rollback mode, or a WAL database opened read-only).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite://` URL, or None for another database or an in-memory one."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    name = url.removeprefix(SQLITE_PREFIX).split("?", 1)[0]
    return None if not name or name == ":memory:" else Path(name)


def make_private(url: str) -> None:
    """Create the SQLite file with mode 0600 (and tighten an existing one and its companions).

    The database holds live invite tokens: like secrets.toml, no other account may read it.
    SQLite creates the -wal and -shm files with the database file's own mode, so creating the
    file 0600 before SQLite opens it keeps all of them private whatever the umask.
    """
    path = sqlite_file(url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    for suffix in SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", PRIVATE_MODE)


def tortoise_config(url: str, *, with_migrations: bool = True) -> dict[str, object]:
    """The Tortoise configuration for `url`, shared by the app and by aerich."""
    modules = [*MODEL_MODULES, "aerich.models"] if with_migrations else list(MODEL_MODULES)
    return {
        "connections": {"default": url},
        "apps": {"models": {"models": modules, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(url: str, *, generate_schemas: bool = False) -> None:
    """Connect to `url`. `generate_schemas` is for tests; real databases use migrations."""
    make_private(url)
    # The global fallback lets aiohttp's request tasks see the context set up in cleanup_ctx.
    await Tortoise.init(
        config=tortoise_config(url, with_migrations=not generate_schemas),
        _enable_global_fallback=True,
    )
    if generate_schemas:
        await Tortoise.generate_schemas()


def transaction() -> AbstractAsyncContextManager[Any]:
    """A block whose db calls all happen, or none does: `async with db.transaction(): ...`.

    The callers above db/ group several query functions this way without touching the ORM.
    """
    return in_transaction()


async def close_db() -> None:
    """Close every connection opened by `init_db`."""
    await Tortoise.close_connections()


async def ping_db() -> bool:
    """True when the database answers and has the kiosk's schema (for health checks)."""
    try:
        await Event.exists()
    except Exception:  # any driver, schema or configuration failure means "not healthy"
        return False
    return True
