"""Live captions (docs/design.md §10): booth audio → faster-whisper → partial/final/clear.

This package's top level imports nothing optional, so the kiosk can import it without the
`captions` extra. The pure parts are re-exported here. The engine (`engine`), the audio reader
(`audio`) and the service (`service`) need numpy, faster-whisper and PyAV: import
`server.transcription.service` only when captions are enabled.
"""

from __future__ import annotations

from server.transcription.aggregator import Caption, CaptionAggregator, TimedWord, counter_from
from server.transcription.engine import CAPTIONS_EXTRA_HINT, EngineUnavailable, Segment
from server.transcription.export import to_srt, to_txt, to_vtt
from server.transcription.streaming import LocalAgreement

__all__ = [
    "CAPTIONS_EXTRA_HINT",
    "Caption",
    "CaptionAggregator",
    "EngineUnavailable",
    "Segment",
    "LocalAgreement",
    "TimedWord",
    "counter_from",
    "to_srt",
    "to_txt",
    "to_vtt",
]
