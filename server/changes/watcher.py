"""`ChangeWatcher`: the one long-lived service that tells the kiosk "the database changed".

It owns a `db.changes.ChangeSource` (SQLite's data_version today, PostgreSQL's LISTEN later)
and, after each change, awaits its subscribers one after the other. Each subscriber reloads what
it owns (the booth registry, MediaMTX paths, the access view, a console screen) and compares:
the kiosk's own writes move the change counter too, so most reloads find nothing new and must
then do nothing visible.

A change that lands while subscribers are still reloading is not lost: the source reports it
on the next wait, so the subscribers run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from db.changes import ChangeSource

logger = logging.getLogger(__name__)

Subscriber = Callable[[], Awaitable[None]]
RETRY_SECONDS = 1.0


class ChangeWatcher:
    """Runs the change source in a task and publishes each change to the subscribers."""

    def __init__(self) -> None:
        """An idle watcher: subscribe now, `running(source)` starts it."""
        self.source: ChangeSource | None = None
        self.changes_seen = 0
        self._subscribers: list[tuple[str, Subscriber]] = []
        self._task: asyncio.Task[None] | None = None
        self._publishing = asyncio.Lock()

    def subscribe(self, name: str, subscriber: Subscriber) -> Callable[[], None]:
        """Await `subscriber()` after every change, in subscription order; returns the function
        that unsubscribes. `name` is what the log calls it when it fails."""
        entry = (name, subscriber)
        self._subscribers.append(entry)

        def unsubscribe() -> None:
            if entry in self._subscribers:
                self._subscribers.remove(entry)

        return unsubscribe

    async def publish(self) -> None:
        """Run every subscriber now (after a change, or when the caller knows better)."""
        async with self._publishing:
            for name, subscriber in list(self._subscribers):
                try:
                    await subscriber()
                except Exception:
                    # One failing follower must not starve the others (revocation included).
                    logger.exception("change subscriber %s failed", name)

    @contextlib.asynccontextmanager
    async def running(self, source: ChangeSource | None) -> AsyncIterator[ChangeWatcher]:
        """Follow `source` for the duration of the block; None (an in-memory database, which
        no other process can change) follows nothing while `publish` still works."""
        await self.start(source)
        try:
            yield self
        finally:
            await self.stop()

    async def start(self, source: ChangeSource | None) -> None:
        """Open the source and start following it."""
        if source is None or self._task is not None:
            return
        await source.open()
        self.source = source
        self._task = asyncio.create_task(self._follow(source), name="change-watcher")

    async def stop(self) -> None:
        """Stop following and close the source; a reload in progress is cancelled."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.source is not None:
            await self.source.close()
            self.source = None

    async def _follow(self, source: ChangeSource) -> None:
        while True:
            try:
                await source.wait_for_change()
            except Exception:
                # A watcher that dies quietly would freeze the kiosk's view of the database.
                logger.exception("the change source failed; retrying in %g s", RETRY_SECONDS)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.changes_seen += 1
            await self.publish()
