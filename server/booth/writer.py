"""`BoothWriter`: the one ordered database writer of the live booths.

The booth registry notifies synchronously, from inside whichever handler made the change, and
live captions finish off the audio pipeline; neither may wait for the database, and writes of
one booth must not overtake each other (a span close racing the open it closes would lose the
span; captions must be stored in the order they were spoken). So every write is a typed job on
one queue, drained by one task: on-air spans opened and closed, and final captions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import db
from server.booth.models import SpanClosed, SpanOpened

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT = 5.0
"""How long shutdown waits for queued writes before giving up on them."""


def utc_datetime(posix_seconds: float) -> datetime:
    """POSIX seconds from the kiosk's clock as an aware UTC datetime for the database."""
    return datetime.fromtimestamp(posix_seconds, UTC)


@dataclass(frozen=True)
class StoredCaption:
    """A final caption with wall-clock times (Unix seconds), ready for the database."""

    booth_id: str
    seq: int
    text: str
    started_at: float
    ended_at: float


WriteJob = SpanOpened | SpanClosed | StoredCaption
"""What the writer stores: an on-air span opened or closed, or a final caption."""


class BoothWriter:
    """One queue, one task: `start` and `stop` bracket it; `put` never waits."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[WriteJob | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def put(self, job: WriteJob) -> None:
        """Queue one job; safe to call from a synchronous registry notification."""
        self._queue.put_nowait(job)

    def start(self) -> None:
        """Start the writer task on the running loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="booth-writer")

    async def stop(self) -> None:
        """Write what is queued (up to DRAIN_TIMEOUT), then end the task."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), DRAIN_TIMEOUT)
        except TimeoutError:
            logger.warning("booth writes still pending at shutdown were abandoned")
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def flushed(self) -> None:
        """Wait until every job queued so far is written (for tests and shutdown)."""
        await self._queue.join()

    async def _run(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                if job is None:
                    return
                await self._write(job)
            except Exception:
                # One failed write must not lose the jobs queued after it.
                logger.exception("could not store %s", job)
            finally:
                self._queue.task_done()

    async def _write(self, job: WriteJob) -> None:
        if isinstance(job, SpanOpened):
            await db.open_span(
                job.booth_id, job.participant_id, job.display_name, utc_datetime(job.at)
            )
        elif isinstance(job, SpanClosed):
            await db.close_span(job.booth_id, job.participant_id, utc_datetime(job.at))
        else:
            await self._write_caption(job)

    async def _write_caption(self, caption: StoredCaption) -> None:
        try:
            await db.add_transcript_segment(
                caption.booth_id,
                caption.seq,
                caption.text,
                utc_datetime(caption.started_at),
                utc_datetime(caption.ended_at),
            )
        except db.NotFound:
            logger.warning("caption %s not stored: booth %s is gone", caption.seq, caption.booth_id)
