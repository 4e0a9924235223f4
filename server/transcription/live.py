"""Live captions for booths on air: the registry decides, the `TranscriptionService` transcribes.

`LiveCaptions` subscribes to the booth registry. A booth with `transcription = true` that goes
on air gets a driver task: it opens the booth's audio (retrying with a short backoff while the
publisher is still connecting), waits until the booth goes off air or its stream ends, and
then stops or retries. Captions go to the listener sockets at once; finals are also handed to
the booth runtime's `BoothWriter`, whose one task stores them in order with the on-air spans.

This module needs the `captions` extra (numpy, PyAV, faster-whisper): `server.transcription.context`
imports it only when captions are enabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.booth.models import BoothChange, BoothSnapshot
from server.booth.state import BoothRegistry
from server.booth.writer import BoothWriter, StoredCaption
from server.transcription.aggregator import Caption
from server.transcription.audio import AudioSourceError
from server.transcription.engine import EngineUnavailable, TranscriptionEngine
from server.transcription.service import TranscriptionService

log = logging.getLogger(__name__)

SourceFor = Callable[[str], str]
Broadcast = Callable[[str, str, str, int], None]

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0
# Failed opens in a row before a warning (about 3.5 s of retrying); it is said once per stay.
WARN_AFTER_FAILED_OPENS = 4


@dataclass(eq=False)
class _Run:
    """One booth's stay on air, from the change that started it to the one that ended it."""

    booth_id: str
    language: str
    off_air: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    live: bool = False
    failed_opens: int = 0


class EngineStatus:
    """The engine's state word for /healthz: idle, loading, ready or `error: …`.

    Written from the worker thread that loads the engine; a plain attribute is enough for that.
    """

    def __init__(self, build: Callable[[], TranscriptionEngine]) -> None:
        self._build = build
        self.word = "idle"

    def load(self) -> TranscriptionEngine:
        """The engine factory the service calls once, on a worker thread."""
        self.word = "loading"
        try:
            engine = self._build()
        except Exception as error:
            self.word = f"error: {error}"
            log.error("captions are off: %s", error)
            if isinstance(error, EngineUnavailable):
                raise
            raise EngineUnavailable(str(error)) from error
        self.word = "ready"
        return engine


class LiveCaptions:
    """Starts and stops booth captions as booths go on and off air."""

    def __init__(
        self,
        *,
        registry: BoothRegistry,
        engine_factory: Callable[[], TranscriptionEngine],
        max_concurrent: int,
        source_for: SourceFor,
        broadcast: Broadcast,
        writer: BoothWriter,
        clock: Callable[[], float],
        first_seq: int = 1,
    ) -> None:
        self._registry = registry
        self.engine = EngineStatus(engine_factory)
        self._source_for = source_for
        self._broadcast = broadcast
        self._writer = writer
        self._clock = clock
        seqs = iter(range(first_seq, 2**62))
        self.service = TranscriptionService(
            self.engine.load,
            max_concurrent,
            self._on_caption,
            next_seq=lambda: next(seqs),
        )
        self._runs: dict[str, _Run] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Wall-clock time (Unix seconds) at stream position 0 of each booth's current stream.
        self._origins: dict[str, float] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Subscribe to the registry and catch up with booths already on air."""
        self._unsubscribe = self._registry.subscribe(self._on_change)
        for booth_id in self._registry.booth_ids():
            self._consider(booth_id, self._registry.snapshot(booth_id))

    async def close(self) -> None:
        """Stop every booth's captions and the service; the writer is the caller's to close."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        for run in self._runs.values():
            run.off_air.set()
        self._runs.clear()
        if self._tasks:
            await asyncio.wait(list(self._tasks.values()))
        await self.service.close()

    def transcribing(self) -> list[str]:
        """Booths whose captions are running right now."""
        active = set(self.service.active_booths())
        return sorted(b for b, run in self._runs.items() if run.live and b in active)

    def state(self) -> dict[str, Any]:
        """What /healthz and the console show under `captions`."""
        return {"enabled": True, "booths": self.transcribing(), "state": self.engine.word}

    # ----------------------------------------------------------------- registry side

    def _on_change(self, change: BoothChange) -> None:
        self._consider(change.booth_id, change.snapshot)

    def _consider(self, booth_id: str, snapshot: BoothSnapshot) -> None:
        wanted = snapshot.transcription and snapshot.on_air and self._registry.has_booth(booth_id)
        run = self._runs.get(booth_id)
        if wanted and run is None:
            self._begin(booth_id, snapshot.language_code)
        elif not wanted and run is not None:
            # Dropped at once, so /healthz stops listing the booth before the pipeline stops.
            del self._runs[booth_id]
            run.off_air.set()

    def _begin(self, booth_id: str, language_code: str) -> None:
        # Whisper knows languages by their base code: "pt-br" is "pt".
        run = _Run(booth_id, language_code.split("-")[0])
        previous = self._tasks.get(booth_id)
        task = asyncio.get_running_loop().create_task(
            self._drive(run, previous), name=f"live-captions:{booth_id}"
        )
        run.task = task
        self._runs[booth_id] = run
        self._tasks[booth_id] = task
        task.add_done_callback(lambda done: self._forget(booth_id, done))

    def _forget(self, booth_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(booth_id) is task:
            del self._tasks[booth_id]

    # ----------------------------------------------------------------- one booth on air

    async def _drive(self, run: _Run, previous: asyncio.Task[None] | None) -> None:
        """Keep the booth captioned while it is on air; stop its pipeline when it goes off."""
        if previous is not None:
            await asyncio.wait([previous])  # the last stay on air is still stopping
        delay = RETRY_FIRST_SECONDS
        try:
            while not run.off_air.is_set():
                if not await self._start_pipeline(run):
                    if run.off_air.is_set() or self.engine.word.startswith("error"):
                        return
                    await self._pause(run, delay)
                    delay = min(delay * 2, RETRY_MAX_SECONDS)
                    continue
                delay = RETRY_FIRST_SECONDS
                run.live = True
                await self._until_done_or_off_air(run)
                run.live = False
                if not run.off_air.is_set():
                    log.info("the stream of %s ended; captions retry", run.booth_id)
                    await self._pause(run, delay)
        finally:
            run.live = False
            await self.service.stop(run.booth_id)

    async def _start_pipeline(self, run: _Run) -> bool:
        """Open the booth's audio; False (and a log line) when it cannot be opened yet."""
        try:
            await self.service.start(
                run.booth_id, self._source_for(run.booth_id), realtime=True, language=run.language
            )
            # Stream time 0 is when the stream opened, after the model loaded: taking the
            # origin before start() made every stored time early by the loading time.
            self._origins[run.booth_id] = self._clock()
        except EngineUnavailable as error:
            if not self.engine.word.startswith("error"):  # PyAV missing, not the model
                self.engine.word = f"error: {error}"
                log.error("captions are off: %s", error)
            return False
        except AudioSourceError as error:
            # Normal for a moment while the publisher connects; worth one warning if it lasts.
            run.failed_opens += 1
            level = {1: logging.INFO, WARN_AFTER_FAILED_OPENS: logging.WARNING}.get(
                run.failed_opens, logging.DEBUG
            )
            log.log(level, "captions for %s wait for the stream: %s", run.booth_id, error)
            return False
        except Exception:
            log.exception("captions for %s could not start", run.booth_id)
            return False
        log.info("captions started for %s", run.booth_id)
        run.failed_opens = 0
        return True

    async def _until_done_or_off_air(self, run: _Run) -> None:
        finished = asyncio.ensure_future(self.service.wait_finished(run.booth_id))
        off_air = asyncio.ensure_future(run.off_air.wait())
        await asyncio.wait([finished, off_air], return_when=asyncio.FIRST_COMPLETED)
        for waiter in (finished, off_air):
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError, KeyError):
                await waiter

    async def _pause(self, run: _Run, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.off_air.wait(), seconds)

    # ----------------------------------------------------------------- captions out

    async def _on_caption(self, caption: Caption) -> None:
        self._broadcast(caption.booth_id, caption.status, caption.text, caption.seq)
        if caption.status != "final":
            return
        origin = self._origins.get(caption.booth_id, self._clock())
        self._writer.put(
            StoredCaption(
                caption.booth_id,
                caption.seq,
                caption.text,
                origin + caption.started_at,
                origin + caption.ended_at,
            )
        )
