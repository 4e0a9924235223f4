"""Live captions for many booths: audio in, `Caption`s out through a callback.

One pipeline task per booth reads its audio, cuts it into utterances at pauses (`vad`),
sends each utterance to the engine and feeds the result to that booth's `CaptionAggregator`,
in order. Engine jobs run on worker threads, at most `max_concurrent` at once across all
booths, so the event loop stays free and the CPU is not oversubscribed.

While someone keeps talking, the open utterance is transcribed about once a second as a
provisional segment, so partial captions appear before the pause. Partials only take an
idle worker and are skipped when the booth is behind, so with many booths they thin out
rather than delay finals. Partials are coalesced to at most four a second per booth.

Times: each booth's aggregator runs on that booth's stream clock (seconds of audio since its
start), so captions carry stream times and a file gives the same captions at any speed. The
service's own `clock` (monotonic seconds) paces partial delivery.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import TracebackType

import numpy as np
from numpy.typing import NDArray

from server.transcription.aggregator import (
    Caption,
    CaptionAggregator,
    TranscribedSegment,
    counter_from,
)
from server.transcription.audio import AudioChunk, AudioEnded, AudioStream, SkippedAudio
from server.transcription.engine import Segment, TranscriptionEngine
from server.transcription.throttle import PartialThrottle
from server.transcription.vad import SpeechSegmenter, Utterance

log = logging.getLogger(__name__)

CaptionCallback = Callable[[Caption], Awaitable[None]]
NoticeCallback = Callable[[str, str], Awaitable[None]]

PARTIAL_EVERY_SECONDS = 1.0
PARTIAL_MIN_SPEECH_SECONDS = 1.0
# A booth with more than this much audio queued is behind: it spends no engine time on partials.
BEHIND_SECONDS = 0.5
READ_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class BoothStats:
    """What one booth's pipeline has done so far."""

    booth_id: str
    audio_seconds: float
    skipped_seconds: float
    engine_seconds: float
    captions: int


@dataclass(eq=False)
class _Booth:
    booth_id: str
    stream: AudioStream
    language: str | None
    segmenter: SpeechSegmenter
    throttle: PartialThrottle
    aggregator: CaptionAggregator = field(init=False)
    task: asyncio.Task[None] | None = None
    position: float = 0.0
    skipped_seconds: float = 0.0
    engine_seconds: float = 0.0
    captions: int = 0
    last_partial_at: float = float("-inf")

    def stats(self) -> BoothStats:
        return BoothStats(
            self.booth_id, self.position, self.skipped_seconds, self.engine_seconds, self.captions
        )


class TranscriptionService:
    """Runs caption pipelines for booths; use as an async context manager or call `close()`."""

    def __init__(
        self,
        engine_factory: Callable[[], TranscriptionEngine],
        max_concurrent: int,
        on_caption: CaptionCallback,
        clock: Callable[[], float] = time.monotonic,
        *,
        on_notice: NoticeCallback | None = None,
        partials: bool = True,
        next_seq: Callable[[], int] | None = None,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self._engine_factory = engine_factory
        self.max_concurrent = max_concurrent
        self._on_caption = on_caption
        self._on_notice = on_notice
        self._clock = clock
        self.partials = partials
        self._next_seq = next_seq if next_seq is not None else counter_from()
        self._executor = ThreadPoolExecutor(max_concurrent, thread_name_prefix="captions")
        self._jobs = asyncio.Semaphore(max_concurrent)
        self._engine: TranscriptionEngine | None = None
        self._engine_lock = asyncio.Lock()
        self._booths: dict[str, _Booth] = {}
        self._finished: dict[str, BoothStats] = {}
        self._inflight_lock = threading.Lock()
        self._inflight = 0
        self.max_inflight_seen = 0
        """The most engine jobs ever running at the same moment (never above max_concurrent)."""
        self.jobs_done = 0

    async def __aenter__(self) -> TranscriptionService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def inflight(self) -> int:
        """Engine jobs running right now."""
        with self._inflight_lock:
            return self._inflight

    def active_booths(self) -> list[str]:
        """Booth ids whose pipelines are running."""
        return sorted(
            booth_id
            for booth_id, booth in self._booths.items()
            if booth.task is not None and not booth.task.done()
        )

    async def start(
        self, booth_id: str, source: str, realtime: bool = False, language: str | None = None
    ) -> None:
        """Start captioning `booth_id` from `source` (a file or rtsp:// URL).

        Loads the engine on first use. Raises `AudioSourceError` when the source cannot be
        opened and `EngineUnavailable` when the engine cannot load. `realtime` paces a file
        like a live booth.
        """
        if booth_id in self.active_booths():
            raise ValueError(f"captions are already running for booth {booth_id}")
        await self._load_engine()
        stream = AudioStream(source, realtime=realtime)
        await stream.open()
        booth = _Booth(booth_id, stream, language, SpeechSegmenter(), PartialThrottle())
        booth.aggregator = CaptionAggregator(
            booth_id, clock=lambda: booth.position, next_seq=self._next_seq
        )
        self._booths[booth_id] = booth
        self._finished.pop(booth_id, None)
        booth.task = asyncio.create_task(self._run(booth), name=f"captions:{booth_id}")

    async def stop(self, booth_id: str) -> None:
        """Stop a booth: its caption is finalised and cleared. No-op for an unknown booth."""
        booth = self._booths.pop(booth_id, None)
        if booth is None:
            return
        if booth.task is not None:
            booth.task.cancel()
            await asyncio.wait([booth.task])
        await booth.stream.aclose()
        booth.throttle.drop()
        await self._deliver(booth, booth.aggregator.flush())
        self._finished[booth_id] = booth.stats()

    async def wait_finished(self, booth_id: str) -> BoothStats:
        """Wait until a booth's source runs out (or it is stopped); return its stats."""
        booth = self._booths.get(booth_id)
        if booth is not None and booth.task is not None:
            await asyncio.wait([booth.task])
        if booth_id in self._finished:
            return self._finished[booth_id]
        if booth is not None:
            return booth.stats()
        raise KeyError(booth_id)

    async def close(self) -> None:
        """Stop every booth and release the worker threads."""
        for booth_id in list(self._booths):
            await self.stop(booth_id)
        await asyncio.to_thread(self._executor.shutdown, True, cancel_futures=True)

    async def _load_engine(self) -> TranscriptionEngine:
        async with self._engine_lock:
            if self._engine is None:
                loop = asyncio.get_running_loop()
                self._engine = await loop.run_in_executor(self._executor, self._engine_factory)
            return self._engine

    async def _run(self, booth: _Booth) -> None:
        """The booth's pipeline: read, segment, transcribe, aggregate, deliver; in order."""
        try:
            await self._pump(booth)
        except Exception as error:  # an error in one booth must not stop the others
            log.exception("captions for %s stopped", booth.booth_id)
            await self._notice(booth, f"captions stopped: {error}")
        await booth.stream.aclose()
        booth.throttle.drop()
        await self._deliver(booth, booth.aggregator.flush())
        if self._booths.get(booth.booth_id) is booth:
            del self._booths[booth.booth_id]
            self._finished[booth.booth_id] = booth.stats()

    async def _pump(self, booth: _Booth) -> None:
        while True:
            item = await booth.stream.read(poll_seconds=READ_POLL_SECONDS)
            await self._send(booth, booth.throttle.due(self._clock()))
            if item is None:
                continue
            if isinstance(item, AudioEnded):
                booth.position = max(booth.position, item.position)
                for utterance in booth.segmenter.finish():
                    await self._transcribe(booth, utterance)
                return
            if isinstance(item, SkippedAudio):
                booth.skipped_seconds += item.seconds
                await self._notice(
                    booth,
                    f"captions fell behind: skipped {item.seconds:.1f} s of audio "
                    "to catch up with the live edge",
                )
                continue
            await self._process_chunk(booth, item)

    async def _process_chunk(self, booth: _Booth, chunk: AudioChunk) -> None:
        booth.position = chunk.end
        for utterance in booth.segmenter.push(chunk.samples, chunk.start):
            await self._transcribe(booth, utterance)
        current = booth.segmenter.current()
        if current is None:
            # Silence rules (clear) only apply while nobody is talking.
            await self._deliver(booth, booth.aggregator.tick())
        elif self._wants_partial(booth, current):
            booth.last_partial_at = booth.position
            await self._transcribe(booth, current)

    def _wants_partial(self, booth: _Booth, current: Utterance) -> bool:
        return (
            self.partials
            and current.duration >= PARTIAL_MIN_SPEECH_SECONDS
            and booth.position - booth.last_partial_at >= PARTIAL_EVERY_SECONDS
            and booth.stream.buffered_seconds < BEHIND_SECONDS
            # Partials only use idle workers: a final must never queue behind a partial.
            and not self._jobs.locked()
        )

    async def _transcribe(self, booth: _Booth, utterance: Utterance) -> None:
        segments = await self._run_engine(booth, utterance.samples)
        text = " ".join(segment.text for segment in segments)
        start = utterance.start + (segments[0].start if segments else 0.0)
        end = utterance.start + (segments[-1].end if segments else utterance.duration)
        end = min(max(end, start), utterance.end)
        if utterance.complete:
            booth.last_partial_at = float("-inf")
        captions = booth.aggregator.feed(
            TranscribedSegment(text, min(start, end), end, utterance.complete)
        )
        await self._deliver(booth, captions)

    async def _run_engine(self, booth: _Booth, samples: NDArray[np.float32]) -> list[Segment]:
        engine = await self._load_engine()
        async with self._jobs:
            loop = asyncio.get_running_loop()
            started = time.perf_counter()
            segments = await loop.run_in_executor(
                self._executor, self._engine_job, engine, samples, booth.language
            )
            booth.engine_seconds += time.perf_counter() - started
            return segments

    def _engine_job(
        self, engine: TranscriptionEngine, samples: NDArray[np.float32], language: str | None
    ) -> list[Segment]:
        """Runs on a worker thread; counts itself so tests can see the bound hold."""
        with self._inflight_lock:
            self._inflight += 1
            self.max_inflight_seen = max(self.max_inflight_seen, self._inflight)
        try:
            return engine.transcribe(samples, language)
        finally:
            with self._inflight_lock:
                self._inflight -= 1
                self.jobs_done += 1

    async def _deliver(self, booth: _Booth, captions: list[Caption]) -> None:
        now = self._clock()
        for caption in captions:
            await self._send(booth, booth.throttle.offer(caption, now))

    async def _send(self, booth: _Booth, captions: list[Caption]) -> None:
        for caption in captions:
            booth.captions += 1
            try:
                await self._on_caption(caption)
            except Exception:  # a failing consumer must not stop the captions
                log.exception("caption callback failed for %s", booth.booth_id)

    async def _notice(self, booth: _Booth, message: str) -> None:
        log.warning("%s: %s", booth.booth_id, message)
        if self._on_notice is not None:
            try:
                await self._on_notice(booth.booth_id, message)
            except Exception:
                log.exception("notice callback failed for %s", booth.booth_id)
