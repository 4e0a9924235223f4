"""Per-booth state of the caption service: what each pipeline holds and what it has done."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from server.transcription.aggregator import CaptionAggregator
from server.transcription.audio import AudioStream
from server.transcription.recent import RecentAudio
from server.transcription.streaming import LocalAgreement
from server.transcription.throttle import PartialThrottle
from server.transcription.vad import SpeechSegmenter


@dataclass(frozen=True)
class BoothStats:
    """What one booth's pipeline has done so far."""

    booth_id: str
    audio_seconds: float
    skipped_seconds: float
    engine_seconds: float
    captions: int
    discarded_seconds: float = 0.0
    engine_calls: int = 0
    wait_seconds: float = 0.0
    """Time its engine jobs spent waiting for a free worker."""


@dataclass(eq=False)
class BoothPipeline:
    """One booth's pipeline state: its audio, detector, policy, captions and counters."""

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
    agreement: LocalAgreement = field(default_factory=LocalAgreement)
    recent: RecentAudio = field(default_factory=lambda: RecentAudio(keep_seconds=40.0))
    # Stream time from which the open utterance is transcribed (moves on at committed words).
    window_start: float = 0.0
    reported_discarded: float = 0.0
    discarded_reported_at: float = float("-inf")
    engine_calls: int = 0
    wait_seconds: float = 0.0

    def stats(self) -> BoothStats:
        return BoothStats(
            self.booth_id,
            self.position,
            self.skipped_seconds,
            self.engine_seconds,
            self.captions,
            self.segmenter.discarded_seconds,
            self.engine_calls,
            self.wait_seconds,
        )
