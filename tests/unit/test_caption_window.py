"""How long Whisper's encoder input is for a short window (`server.transcription.window`)."""

from __future__ import annotations

from server.transcription.window import (
    WHISPER_WINDOW_FRAMES,
    DecodedSegment,
    DecodedWord,
    encoder_frames,
    without_unplaced_words,
)

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


def test_words_the_aligner_could_not_place_are_dropped_with_what_follows() -> None:
    """A loop on a short window: the repeats get no length, piled at the end of the audio."""
    placed = [DecodedWord("to", 2.06, 2.30), DecodedWord("go.", 2.30, 2.72)]
    looped = [DecodedWord("But", 2.72, 2.72), DecodedWord("only", 2.72, 2.72)]
    segment = DecodedSegment(2.06, 2.72, "to go. But only", tuple(placed + looped))
    again = DecodedSegment(2.72, 2.72, "But only", tuple(looped))
    (kept,) = without_unplaced_words([segment, again])
    assert kept.text == "to go." and kept.end == 2.72


def test_one_short_word_is_still_a_word() -> None:
    segment = DecodedSegment(
        1.0, 1.5, "and the", (DecodedWord("and", 1.0, 1.5), DecodedWord("the", 1.5, 1.5))
    )
    assert without_unplaced_words([segment]) == [segment]
