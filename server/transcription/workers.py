"""The engine shared by every booth, and the worker threads its transcriptions run on.

One engine is loaded once, on a worker thread, at the first call. At most `max_concurrent`
transcriptions run at once across all booths, each on its own thread, so the event loop
never waits for one and the CPU is not oversubscribed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from server.transcription.engine import Segment, TranscriptionEngine


@dataclass(frozen=True)
class EngineRun:
    """One transcription's result, with how long it waited for a worker and then ran."""

    segments: list[Segment]
    waited_seconds: float
    ran_seconds: float


class EngineWorkers:
    """Runs transcriptions on at most `max_concurrent` worker threads, one engine for all."""

    def __init__(
        self, engine_factory: Callable[[], TranscriptionEngine], max_concurrent: int
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self._engine_factory = engine_factory
        self._executor = ThreadPoolExecutor(max_concurrent, thread_name_prefix="captions")
        self._slots = asyncio.Semaphore(max_concurrent)
        self._engine: TranscriptionEngine | None = None
        self._engine_lock = asyncio.Lock()
        self._running_lock = threading.Lock()
        self._running = 0
        self.max_running_seen = 0
        """The most transcriptions ever running at the same moment (never above the bound)."""
        self.wanted = 0
        """Transcriptions running or waiting for a worker (event-loop side, no lock needed)."""

    @property
    def running(self) -> int:
        """Transcriptions running right now."""
        with self._running_lock:
            return self._running

    async def engine(self) -> TranscriptionEngine:
        """The engine, loaded on a worker thread at the first call."""
        async with self._engine_lock:
            if self._engine is None:
                loop = asyncio.get_running_loop()
                self._engine = await loop.run_in_executor(self._executor, self._engine_factory)
            return self._engine

    async def transcribe(
        self, samples: NDArray[np.float32], language: str | None, prompt: str, *, draft: bool
    ) -> EngineRun:
        """Transcribe on a worker thread once one is free."""
        engine = await self.engine()
        self.wanted += 1
        asked = time.perf_counter()
        try:
            async with self._slots:
                started = time.perf_counter()
                loop = asyncio.get_running_loop()
                segments = await loop.run_in_executor(
                    self._executor, self._job, engine, samples, language, prompt, draft
                )
                return EngineRun(segments, started - asked, time.perf_counter() - started)
        finally:
            self.wanted -= 1

    async def close(self) -> None:
        """Release the worker threads (after the running transcriptions end)."""
        await asyncio.to_thread(self._executor.shutdown, True, cancel_futures=True)

    def _job(
        self,
        engine: TranscriptionEngine,
        samples: NDArray[np.float32],
        language: str | None,
        prompt: str,
        draft: bool,
    ) -> list[Segment]:
        """Runs on a worker thread; counts itself so tests can see the bound hold."""
        with self._running_lock:
            self._running += 1
            self.max_running_seen = max(self.max_running_seen, self._running)
        try:
            return engine.transcribe(samples, language, prompt, draft=draft)
        finally:
            with self._running_lock:
                self._running -= 1
