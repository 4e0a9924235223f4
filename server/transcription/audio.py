"""Read any source PyAV can open as 16 kHz mono float32 chunks, off the event loop.

A decoding thread per source opens it, decodes, resamples and hands chunks to the event loop
through a small buffer. What happens when the reader falls behind depends on the source:

- A file read as fast as possible (`realtime=False`) is never dropped: the decoder waits
  while `buffer_seconds` of audio are queued (back-pressure).
- A live source (``rtsp://`` and other URLs) or a file paced in real time (`realtime=True`,
  which simulates a live booth) cannot wait: when more than `max_lag_seconds` of audio are
  queued, the reader drops all but the newest chunk and yields `SkippedAudio`, so captions
  jump to the live edge and the service can say so.

PyAV is part of the `captions` extra; it is imported when a stream is opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.transcription.engine import CAPTIONS_EXTRA_HINT, EngineUnavailable
from server.transcription.vad import SAMPLE_RATE

# `token=…` in a URL's query: a credential, never shown.
TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&#]*")


class AudioSourceError(RuntimeError):
    """An audio source could not be opened or read; the message names the source."""


@dataclass(frozen=True)
class AudioChunk:
    """Decoded audio; `start` is its position in the stream, in seconds."""

    samples: NDArray[np.float32]
    start: float

    @property
    def end(self) -> float:
        """Position just after its last sample, in seconds."""
        return self.start + len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class SkippedAudio:
    """Audio dropped to catch up with the live edge: `seconds` of it, from `start`."""

    start: float
    seconds: float


@dataclass(frozen=True)
class AudioEnded:
    """The source has no more audio; `position` is the stream time reached."""

    position: float


AudioItem = AudioChunk | SkippedAudio | AudioEnded


def is_live_source(source: str) -> bool:
    """True for network URLs (rtsp://, http://, …), False for local files."""
    scheme, separator, _rest = source.partition("://")
    return bool(separator) and scheme.lower() != "file"


def display_source(source: str) -> str:
    """The source as logs and errors may show it: a URL's password and token become `***`."""
    scheme, separator, rest = source.partition("://")
    if not separator:
        return source
    rest = TOKEN_IN_QUERY.sub(r"\1***", rest)
    userinfo, at, location = rest.partition("@")
    if not at or "/" in userinfo or ":" not in userinfo:
        return f"{scheme}://{rest}"
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{location}"


def _reason(error: BaseException) -> str:
    strerror = getattr(error, "strerror", None)
    return str(strerror) if strerror else str(error) or type(error).__name__


def _import_av() -> Any:
    try:
        import av
    except ImportError as error:
        raise EngineUnavailable(CAPTIONS_EXTRA_HINT) from error
    return av


class AudioStream:
    """One source decoded on its own thread. `open()`, then `read()` until `AudioEnded`."""

    def __init__(
        self,
        source: str,
        *,
        realtime: bool = False,
        chunk_seconds: float = 0.2,
        buffer_seconds: float = 2.0,
        max_lag_seconds: float = 3.0,
        open_timeout_seconds: float = 5.0,
        read_timeout_seconds: float = 5.0,
    ) -> None:
        self.source = source
        self.shown = display_source(source)
        self.live = is_live_source(source)
        self.realtime = realtime and not self.live
        self.drops_when_behind = self.live or self.realtime
        self._chunk_samples = max(1, round(chunk_seconds * SAMPLE_RATE))
        self._buffer_seconds = buffer_seconds
        self.max_lag_seconds = max_lag_seconds
        self._timeouts = (open_timeout_seconds, read_timeout_seconds)
        self._queue: deque[AudioChunk] = deque()
        self._lock = threading.Condition()
        self._closed = threading.Event()
        self._finished = False
        self._error: AudioSourceError | None = None
        self._produced_samples = 0
        self._wake = asyncio.Event()
        self._thread_done = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def buffered_seconds(self) -> float:
        """Decoded audio waiting to be read, in seconds."""
        with self._lock:
            return sum(len(chunk.samples) for chunk in self._queue) / SAMPLE_RATE

    async def open(self) -> None:
        """Open the source and start decoding; raise `AudioSourceError` if it cannot be read."""
        av = _import_av()
        self._loop = asyncio.get_running_loop()
        container = await asyncio.to_thread(self._open_container, av)
        self._thread = threading.Thread(
            target=self._decode, args=(av, container), name=f"audio:{self.shown}", daemon=True
        )
        self._thread.start()

    async def read(self, poll_seconds: float | None = None) -> AudioItem | None:
        """The next item, or None when nothing arrived within `poll_seconds`."""
        deadline = None if poll_seconds is None else time.monotonic() + poll_seconds
        while True:
            with self._lock:
                item = self._take()
                if item is None:
                    self._wake.clear()
            if item is not None:
                return item
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), remaining)

    async def aclose(self) -> None:
        """Stop decoding and wait (briefly) for the thread to let go of the source."""
        self._closed.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._thread_done.wait(), sum(self._timeouts))

    def _take(self) -> AudioItem | None:
        """Called with the lock held."""
        if self._queue:
            queued = sum(len(chunk.samples) for chunk in self._queue) / SAMPLE_RATE
            if self.drops_when_behind and queued > self.max_lag_seconds:
                dropped = [self._queue.popleft() for _ in range(len(self._queue) - 1)]
                self._lock.notify_all()
                return SkippedAudio(dropped[0].start, dropped[-1].end - dropped[0].start)
            chunk = self._queue.popleft()
            self._lock.notify_all()
            return chunk
        if self._error is not None:
            raise self._error
        if self._finished:
            return AudioEnded(self._produced_samples / SAMPLE_RATE)
        return None

    def _open_container(self, av: Any) -> Any:
        options = {"rtsp_transport": "tcp"} if self.source.lower().startswith("rtsp") else {}
        try:
            container = av.open(
                self.source, options=options, timeout=self._timeouts if self.live else None
            )
        except Exception as error:
            raise AudioSourceError(
                f"cannot open audio source {self.shown}: {_reason(error)}"
            ) from error
        if not container.streams.audio:
            container.close()
            raise AudioSourceError(f"audio source {self.shown} has no audio stream")
        return container

    def _decode(self, av: Any, container: Any) -> None:
        """Thread body: decode, resample, cut into chunks, pace, hand over."""
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        pending: list[NDArray[np.float32]] = []
        pending_samples = 0
        origin = time.monotonic()
        try:
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for resampled in resampler.resample(frame):
                    samples = resampled.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    pending.append(samples)
                    pending_samples += len(samples)
                while pending_samples >= self._chunk_samples:
                    joined = np.concatenate(pending)
                    self._deliver(joined[: self._chunk_samples], origin)
                    pending = [joined[self._chunk_samples :]]
                    pending_samples = len(pending[0])
                if self._closed.is_set():
                    return
            for resampled in resampler.resample(None):
                pending.append(resampled.to_ndarray().reshape(-1).astype(np.float32))
            if pending and not self._closed.is_set():
                tail = np.concatenate(pending)
                if len(tail):
                    self._deliver(tail, origin)
        except Exception as error:
            with self._lock:
                self._error = AudioSourceError(f"lost audio source {self.shown}: {_reason(error)}")
        finally:
            container.close()
            with self._lock:
                self._finished = True
            self._notify_loop(self._thread_done)

    def _deliver(self, samples: NDArray[np.float32], origin: float) -> None:
        chunk = AudioChunk(samples.copy(), self._produced_samples / SAMPLE_RATE)
        self._produced_samples += len(samples)
        if self.realtime:
            # A live booth delivers a chunk once all of it has been spoken.
            self._closed.wait(max(0.0, origin + chunk.end - time.monotonic()))
        with self._lock:
            while (
                not self.drops_when_behind
                and not self._closed.is_set()
                and len(self._queue) * self._chunk_samples / SAMPLE_RATE >= self._buffer_seconds
            ):
                self._lock.wait(0.1)
            self._queue.append(chunk)
        self._notify_loop()

    def _notify_loop(self, *also: asyncio.Event) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._wake.set)
                for event in also:
                    loop.call_soon_threadsafe(event.set)


def probe_audio_file(path: str) -> float:
    """Check that `path` is a file PyAV reads as audio with at least one sample; return the
    first decoded frame's length in seconds. Raises `AudioSourceError` with one line.

    Cheap (one frame decoded), so `captions check` can refuse a wrong file before it spends
    seconds loading a model.
    """
    av = _import_av()
    try:
        container = av.open(path)
    except Exception as error:
        raise AudioSourceError(f"{path} is not an audio file: {_reason(error)}") from error
    try:
        if not container.streams.audio:
            raise AudioSourceError(f"{path} has no audio stream")
        try:
            for frame in container.decode(container.streams.audio[0]):
                if frame.samples:
                    return float(frame.samples) / float(frame.sample_rate or SAMPLE_RATE)
        except Exception as error:
            raise AudioSourceError(f"{path}: cannot decode its audio: {_reason(error)}") from error
        raise AudioSourceError(f"{path} holds no audio")
    finally:
        container.close()
