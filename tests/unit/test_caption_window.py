"""How long Whisper's encoder input is for a short window (`server.transcription.window`)."""

from __future__ import annotations

from server.transcription.window import WHISPER_WINDOW_FRAMES, encoder_frames

SECOND = 16_000


def test_audio_is_rounded_up_to_the_step() -> None:
    assert encoder_frames(3 * SECOND, 10.0) == 1000
    assert encoder_frames(10 * SECOND, 10.0) == 1000
    assert encoder_frames(10 * SECOND + 1, 10.0) == 2000
    assert encoder_frames(14 * SECOND, 5.0) == 1500


def test_never_longer_than_whispers_window() -> None:
    assert encoder_frames(29 * SECOND, 10.0) == WHISPER_WINDOW_FRAMES
    assert encoder_frames(45 * SECOND, 10.0) == WHISPER_WINDOW_FRAMES
    assert encoder_frames(2 * SECOND, 30.0) == WHISPER_WINDOW_FRAMES


def test_even_and_never_empty() -> None:
    # The encoder halves the frame count; an odd step is made even.
    assert encoder_frames(0, 10.0) == 1000
    assert encoder_frames(SECOND, 0.015) % 2 == 0
    assert encoder_frames(SECOND, 0.015) >= 100
