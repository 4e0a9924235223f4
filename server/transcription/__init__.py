"""Live captions (DESIGN.md §10): booth audio → faster-whisper → partial/final/clear captions.

The pure parts (`aggregator`, `vad`, `throttle`, `export`) need nothing beyond numpy; the
engine (`faster-whisper`) and the audio reader (PyAV) come with the `captions` extra and are
imported only when used.
"""

from __future__ import annotations

from server.transcription.aggregator import (
    Caption,
    CaptionAggregator,
    TranscribedSegment,
    counter_from,
)
from server.transcription.audio import AudioSourceError
from server.transcription.engine import (
    EngineUnavailable,
    FasterWhisperEngine,
    Segment,
    TranscriptionEngine,
)
from server.transcription.service import BoothStats, TranscriptionService

__all__ = [
    "AudioSourceError",
    "BoothStats",
    "Caption",
    "CaptionAggregator",
    "EngineUnavailable",
    "FasterWhisperEngine",
    "Segment",
    "TranscribedSegment",
    "TranscriptionEngine",
    "TranscriptionService",
    "counter_from",
]
