"""A booth's recent audio: any span of the last seconds, by stream time."""

from __future__ import annotations

import numpy as np

from server.transcription.recent import RecentAudio
from server.transcription.vad import SAMPLE_RATE


def ramp(start_second: float, seconds: float) -> np.ndarray:
    """Samples whose value is their own stream time, so a span shows where it was cut."""
    first = round(start_second * SAMPLE_RATE)
    return (np.arange(first, first + round(seconds * SAMPLE_RATE)) / SAMPLE_RATE).astype(np.float32)


def test_a_span_across_chunks_is_cut_at_its_stream_times() -> None:
    recent = RecentAudio()
    for second in range(5):
        recent.add(ramp(second, 1.0), float(second))
    piece = recent.span(1.5, 3.25)
    assert len(piece) == round(1.75 * SAMPLE_RATE)
    assert abs(piece[0] - 1.5) < 1e-3 and abs(piece[-1] - 3.25) < 1e-3


def test_audio_older_than_the_limit_is_forgotten() -> None:
    recent = RecentAudio(keep_seconds=3.0)
    for second in range(10):
        recent.add(ramp(second, 1.0), float(second))
    assert recent.start >= 6.0
    assert len(recent.span(0.0, 5.0)) == 0


def test_clearing_forgets_everything() -> None:
    recent = RecentAudio()
    recent.add(ramp(0, 2.0), 0.0)
    recent.clear()
    assert recent.start == float("inf") and len(recent.span(0.0, 2.0)) == 0


def test_context_starts_at_the_earliest_phrase_that_fits_in_the_window() -> None:
    recent = RecentAudio(keep_seconds=30.0)
    recent.add(ramp(0, 20.0), 0.0)
    for start in (1.0, 6.0, 12.0, 15.0):
        recent.mark_phrase(start)
    # A phrase from 15 s to 18 s, with a 10 s window: 12 s fits, 6 s does not.
    assert recent.context_start(15.0, 18.0, 10.0) == 12.0
    assert recent.context_start(15.0, 18.0, 2.0) == 15.0  # none fits: no context


def test_phrase_starts_older_than_the_kept_audio_are_forgotten() -> None:
    recent = RecentAudio(keep_seconds=5.0)
    recent.mark_phrase(1.0)
    for second in range(12):
        recent.add(ramp(second, 1.0), float(second))
    assert recent.context_start(11.0, 12.0, 30.0) == 11.0
