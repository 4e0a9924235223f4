"""Stores final captions as TranscriptSegments, in the order they were spoken, off the pipeline.

One task drains one queue, so the captions of a booth reach the database in their order and a
slow write never holds up the captions that listeners are waiting for.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import db
from server.ws.persistence import utc_datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredCaption:
    """A final caption with wall-clock times (Unix seconds), ready for the database."""

    booth_id: str
    seq: int
    text: str
    started_at: float
    ended_at: float


class TranscriptWriter:
    """An ordered writer of final captions; `start()` and `close()` bracket its task."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[StoredCaption | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.written = 0

    def start(self) -> None:
        """Start the writing task on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="transcript-writer")

    def put(self, caption: StoredCaption) -> None:
        """Queue a final caption; never waits."""
        self._queue.put_nowait(caption)

    async def close(self) -> None:
        """Write what is queued, then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        await self._task
        self._task = None

    async def _run(self) -> None:
        while (caption := await self._queue.get()) is not None:
            try:
                await db.add_transcript_segment(
                    caption.booth_id,
                    caption.seq,
                    caption.text,
                    utc_datetime(caption.started_at),
                    utc_datetime(caption.ended_at),
                )
                self.written += 1
            except db.NotFound:
                log.warning(
                    "caption %s not stored: booth %s is gone", caption.seq, caption.booth_id
                )
            except Exception:  # one failed write must not lose the captions after it
                log.exception("caption %s of %s not stored", caption.seq, caption.booth_id)
