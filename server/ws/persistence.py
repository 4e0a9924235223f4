"""Writes the booth registry's OnAirSpan effects to the database, one at a time, in order.

The registry notifies synchronously, from inside whichever handler made the change; the writes
must not run concurrently (a close racing the open it closes would lose the span), so they go
through one queue drained by one task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

import db
from server.booth.state import SpanClosed, SpanOpened

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT = 5.0
"""How long shutdown waits for queued span writes before giving up on them."""

SpanEffect = SpanOpened | SpanClosed


def utc_datetime(posix_seconds: float) -> datetime:
    """POSIX seconds from the registry's clock as an aware UTC datetime for the database."""
    return datetime.fromtimestamp(posix_seconds, UTC)


class SpanRecorder:
    """An ordered writer of span effects; `start` and `stop` bracket its task."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[SpanEffect | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def record(self, effect: SpanEffect) -> None:
        """Queue one effect; safe to call from a synchronous registry notification."""
        self._queue.put_nowait(effect)

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.create_task(self._run(), name="span-recorder")

    async def stop(self) -> None:
        """Write what is queued (up to DRAIN_TIMEOUT), then end the task."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), DRAIN_TIMEOUT)
        except TimeoutError:
            logger.warning("span writes still pending at shutdown were abandoned")
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def flushed(self) -> None:
        """Wait until every effect queued so far is written (for tests and shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            effect = await self._queue.get()
            try:
                if effect is None:
                    return
                await self._write(effect)
            except Exception:
                logger.exception("could not record %s", effect)
            finally:
                self._queue.task_done()

    @staticmethod
    async def _write(effect: SpanEffect) -> None:
        if isinstance(effect, SpanOpened):
            await db.open_span(
                effect.booth_id, effect.participant_id, effect.display_name, utc_datetime(effect.at)
            )
        else:
            await db.close_span(effect.booth_id, effect.participant_id, utc_datetime(effect.at))
