"""Opening and closing the database, and the clock the data layer stamps rows with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tortoise import Tortoise

from db.models import Event

MODEL_MODULES = ["db.models"]


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def sqlite_url(path: Path) -> str:
    """The Tortoise URL of a SQLite file (Tortoise turns on WAL mode for SQLite itself)."""
    return f"sqlite://{path}"


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
    # The global fallback lets aiohttp's request tasks see the context set up in cleanup_ctx.
    await Tortoise.init(
        config=tortoise_config(url, with_migrations=not generate_schemas),
        _enable_global_fallback=True,
    )
    if generate_schemas:
        await Tortoise.generate_schemas()


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
