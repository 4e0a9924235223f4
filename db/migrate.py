"""Schema migrations with aerich: apply the pending ones, or write a new one (developers).

The migration files live in `db/migrations/models/` inside the package, so an installed kiosk
(not only a checkout) can bring its database up to date. `migrate_db` runs at `init`, before
every command that touches the database, and when the server starts.

Developers make a new migration after changing `db/models.py` with

    python -m db.migrate make NAME

which lets aerich compare the models with the state recorded in the last migration file. The aerich command line works as well (`[tool.aerich]` in pyproject.toml points at
`TORTOISE_ORM` below), e.g. `aerich migrate --offline --name NAME`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aerich import Command
from tortoise import Tortoise
from tortoise.context import TortoiseContext

from db.connection import make_private, tortoise_config

APP = "models"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# For the aerich command line only; the kiosk itself always passes its configured URL.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


def _command(url: str) -> Command:
    return Command(tortoise_config(url), app=APP, location=str(MIGRATIONS_DIR))


async def migrate_db(url: str) -> list[str]:
    """Apply every pending migration to the database at `url`; returns the files applied.

    Runs in a context of its own: Tortoise 1.x keeps its state in a contextvar (with an optional
    global fallback), and aerich calls `Tortoise.init` and closes the connections when it is
    done. A fresh TortoiseContext keeps that from touching a database the caller has open.
    """
    make_private(url)
    with TortoiseContext():
        command = _command(url)
        try:
            await command.init()
            return await command.upgrade(run_in_transaction=True)
        finally:
            await Tortoise.close_connections()


async def make_migration(name: str) -> str | None:
    """Write a migration for the difference between the models and the last migration.

    Offline: aerich compares the models with the state recorded in the last migration file,
    so no database is needed. Returns the new file's name, or None when nothing changed.
    """
    with TortoiseContext():
        command = _command("sqlite://:memory:")
        try:
            await command.init(offline=True)
            return await command.migrate(name, no_input=True, offline=True) or None
        finally:
            await Tortoise.close_connections()


def main(argv: list[str]) -> int:
    """`python -m db.migrate make NAME`: a developer's helper to add a migration."""
    if len(argv) != 2 or argv[0] != "make":
        print("usage: python -m db.migrate make NAME", file=sys.stderr)
        return 2
    written = asyncio.run(make_migration(argv[1]))
    print(f"wrote {MIGRATIONS_DIR / APP / written}" if written else "no model changes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
