"""The last stretch of one booth's audio, so a phrase can be decoded with what came before.

Pure: chunks in (with their stream times), any span out; and where recent phrases started,
the places a decoding with context may begin. Whisper hears a phrase better with
the seconds of speech before it (`service` decodes each ended phrase together with the
phrases just before it), so the booth keeps its recent audio whatever the speech detector
made of it.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from numpy.typing import NDArray

from server.transcription.vad import SAMPLE_RATE


class RecentAudio:
    """Keeps the last `keep_seconds` of a stream; `span(start, end)` cuts a piece out."""

    def __init__(self, keep_seconds: float = 30.0) -> None:
        self.keep_seconds = keep_seconds
        self._chunks: deque[tuple[float, NDArray[np.float32]]] = deque()
        self._phrase_starts: deque[float] = deque()

    @property
    def start(self) -> float:
        """Stream time of the oldest sample kept (infinity when empty)."""
        return self._chunks[0][0] if self._chunks else float("inf")

    def add(self, samples: NDArray[np.float32], start: float) -> None:
        """Keep `samples`, which begin at stream time `start`; forget what is too old."""
        if not len(samples):
            return
        self._chunks.append((start, samples))
        end = start + len(samples) / SAMPLE_RATE
        while self._chunks and _chunk_end(self._chunks[0]) < end - self.keep_seconds:
            self._chunks.popleft()
        while self._phrase_starts and self._phrase_starts[0] < self.start:
            self._phrase_starts.popleft()

    def clear(self) -> None:
        """Forget everything (the stream jumped: old audio no longer leads to the new)."""
        self._chunks.clear()
        self._phrase_starts.clear()

    def mark_phrase(self, start: float) -> None:
        """Remember that a phrase started at stream time `start` (inside the pause before it)."""
        self._phrase_starts.append(start)

    def context_start(self, start: float, end: float, window: float) -> float:
        """The earliest phrase start at or before `start` from which the audio up to `end`
        is kept and fits in `window` seconds; `start` itself when there is none."""
        return min(
            (
                earlier
                for earlier in self._phrase_starts
                if self.start <= earlier <= start and end - earlier <= window
            ),
            default=start,
        )

    def span(self, start: float, end: float) -> NDArray[np.float32]:
        """The samples from stream time `start` to `end`, as far as they are kept."""
        pieces = []
        for chunk_start, samples in self._chunks:
            first = max(0, round((start - chunk_start) * SAMPLE_RATE))
            last = min(len(samples), round((end - chunk_start) * SAMPLE_RATE))
            if last > first:
                pieces.append(samples[first:last])
        if not pieces:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(pieces)


def _chunk_end(chunk: tuple[float, NDArray[np.float32]]) -> float:
    start, samples = chunk
    return start + len(samples) / SAMPLE_RATE
