"""Noticing that the database changed, whoever changed it: the one change source of the kiosk.

A running kiosk must follow what the CLI, or a second process on the same database, writes.
`ChangeSource` is the small interface for that: `wait_for_change()` returns once the database
may have changed since it last returned. It promises nothing about *what* changed; whoever
listens reloads what it owns and compares.

On SQLite the source is `SqliteDataVersion`: a dedicated, read-only-in-practice connection that
polls `PRAGMA data_version`. SQLite changes that number on a connection whenever another
connection commits, and the pragma reads no table, so a poll costs microseconds. Commits of the
kiosk's own (Tortoise) connection count as well, which is what the kiosk wants: one mechanism,
whoever wrote. On PostgreSQL a source would `LISTEN` on a channel that writers `NOTIFY`; it
only has to implement the same three methods.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import aiosqlite
from tortoise import Tortoise

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25
"""How often the SQLite source asks for `data_version`: well inside the 2 s promise."""
MEMORY = ":memory:"


class ChangeSource(Protocol):
    """Tells its one reader when the database may have changed."""

    async def open(self) -> None:
        """Start watching; changes from now on are reported."""

    async def wait_for_change(self) -> None:
        """Return once the database may have changed since the last return (or since open)."""

    async def close(self) -> None:
        """Stop watching and release the connection."""


class SqliteDataVersion:
    """`PRAGMA data_version` on a connection of its own, polled every `interval` seconds."""

    def __init__(self, path: str, interval: float = POLL_SECONDS) -> None:
        """Watch the SQLite file at `path`."""
        self.path = path
        self.interval = interval
        self._connection: aiosqlite.Connection | None = None
        self._version: int | None = None
        self._failing = False

    async def open(self) -> None:
        """Connect and remember the current version."""
        # Autocommit (isolation_level None): the pragma must never sit in an open read
        # transaction, or it would keep seeing the same snapshot.
        self._connection = await aiosqlite.connect(self.path, isolation_level=None)
        self._version = await self.read_version()

    async def wait_for_change(self) -> None:
        """Poll until the version moves; a failing read is logged once and retried."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                version = await self.read_version()
            except (aiosqlite.Error, ValueError) as err:
                if not self._failing:
                    logger.warning("cannot read the database's change counter: %s", err)
                    self._failing = True
                continue
            if self._failing:
                logger.info("the database's change counter answers again")
                self._failing = False
                # Anything may have happened meanwhile.
                self._version = version
                return
            if version != self._version:
                self._version = version
                return

    async def close(self) -> None:
        """Close the watching connection."""
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def read_version(self) -> int:
        """The current `PRAGMA data_version` of the watching connection."""
        if self._connection is None:
            raise ValueError("the change source is not open")
        async with self._connection.execute("PRAGMA data_version") as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise ValueError("PRAGMA data_version returned nothing")
        return int(row[0])


def change_source(interval: float = POLL_SECONDS) -> ChangeSource | None:
    """The change source for the open database, or None when nobody else can change it.

    An in-memory SQLite database belongs to this process alone; a database kind without a
    source yet (PostgreSQL, until its LISTEN source exists) is logged and not watched.
    """
    connection = Tortoise.get_connection("default")
    filename = getattr(connection, "filename", None)
    if not isinstance(filename, str):
        logger.warning(
            "changes made by other processes are not followed on this database (%s)",
            type(connection).__name__,
        )
        return None
    if filename == MEMORY or filename.startswith("file::memory:"):
        return None
    return SqliteDataVersion(filename, interval)
