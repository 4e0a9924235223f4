"""Pure parts of the caption pipeline: cutting speech at pauses, and coalescing partials."""

from __future__ import annotations

import numpy as np

from server.transcription.aggregator import Caption
from server.transcription.throttle import PartialThrottle
from server.transcription.vad import SAMPLE_RATE, SpeechSegmenter


def tone(seconds: float, level: float = 0.1) -> np.ndarray:
    times = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * times)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def push_in_chunks(segmenter: SpeechSegmenter, audio: np.ndarray, chunk: float = 0.2) -> list:
    size = round(chunk * SAMPLE_RATE)
    ended = []
    for offset in range(0, len(audio), size):
        ended += segmenter.push(audio[offset : offset + size], offset / SAMPLE_RATE)
    return ended + segmenter.finish()


def test_pauses_cut_speech_into_utterances_with_their_stream_times() -> None:
    audio = np.concatenate([silence(1.0), tone(2.0), silence(1.0), tone(1.5), silence(1.0)])
    utterances = push_in_chunks(SpeechSegmenter(), audio)
    assert len(utterances) == 2
    first, second = utterances
    assert abs(first.start - 0.8) < 0.05  # 0.2 s of pre-roll before the onset at 1.0 s
    assert 3.0 <= first.end <= 3.3
    assert abs(second.start - 3.8) < 0.05
    assert all(utterance.complete for utterance in utterances)


def test_a_breath_inside_speech_does_not_cut_it() -> None:
    audio = np.concatenate([tone(1.0), silence(0.15), tone(1.0), silence(1.0)])
    assert len(push_in_chunks(SpeechSegmenter(), audio)) == 1


def test_a_pause_between_phrases_ends_the_first_phrase() -> None:
    audio = np.concatenate([tone(1.0), silence(0.3), tone(1.0), silence(1.0)])
    first, second = push_in_chunks(SpeechSegmenter(), audio)
    assert first.end <= 1.3 and second.start >= first.end


class ScriptedDetector:
    """A detector whose verdicts follow a script: (voice heard, loud) per frame.

    Stands in for Silero plus its loudness safety net, so the segmenter's rule can be
    checked frame by frame: the net may call a frame speech that the model hears as a pause.
    """

    frame_samples = 512

    def __init__(self, script: list[tuple[bool, bool]]) -> None:
        self._script = iter(script)
        self.hears_voice = False
        self.hears_pause = True

    def score(self, frame: np.ndarray) -> float:
        voice, loud = next(self._script, (False, False))
        self.hears_voice, self.hears_pause = voice, not voice
        return 1.0 if voice or loud else 0.0

    def is_speech(self, score: float, in_speech: bool) -> bool:
        return score >= 0.5


def frames(count: int) -> np.ndarray:
    return np.zeros(count * 512, dtype=np.float32)


def test_a_pause_the_model_hears_in_a_loud_room_still_ends_the_phrase() -> None:
    # 1 s of voice, then 0.5 s the model hears as a pause but the room is loud, then voice.
    script = (
        [(True, True)] * 31 + [(False, True)] * 16 + [(True, True)] * 31 + [(False, False)] * 31
    )
    segmenter = SpeechSegmenter(detector=ScriptedDetector(script))
    first, second = push_in_chunks(segmenter, frames(len(script)))
    assert first.end < second.start < first.end + 0.6


def test_a_soft_voice_the_model_never_hears_is_kept_whole_until_real_silence() -> None:
    # Only the loudness net hears this speaker: the model's pauses must not chop it up.
    script = [(False, True)] * 94 + [(False, False)] * 31
    segmenter = SpeechSegmenter(detector=ScriptedDetector(script))
    (whole,) = push_in_chunks(segmenter, frames(len(script)))
    assert whole.duration >= 94 * 512 / SAMPLE_RATE


def test_clicks_shorter_than_a_quarter_second_are_dropped() -> None:
    audio = np.concatenate([silence(0.5), tone(0.1), silence(1.0)])
    assert push_in_chunks(SpeechSegmenter(), audio) == []


def test_quiet_background_is_not_speech() -> None:
    rng = np.random.default_rng(7)
    hiss = (0.003 * rng.standard_normal(5 * SAMPLE_RATE)).astype(np.float32)
    assert push_in_chunks(SpeechSegmenter(), hiss) == []


def test_long_speech_is_cut_at_the_limit_and_continues() -> None:
    audio = np.concatenate([tone(20.0), silence(1.0)])
    utterances = push_in_chunks(SpeechSegmenter(max_utterance_seconds=8.0), audio)
    assert len(utterances) == 3
    assert all(utterance.duration <= 8.0 for utterance in utterances)
    for before, after in zip(utterances, utterances[1:], strict=False):
        assert abs(after.start - before.end) < 0.001


def test_open_utterance_is_visible_while_speech_goes_on() -> None:
    segmenter = SpeechSegmenter()
    segmenter.push(np.concatenate([silence(0.5), tone(1.5)]), 0.0)
    current = segmenter.current()
    assert current is not None and not current.complete
    assert 1.5 <= current.duration <= 1.8


def test_a_gap_in_the_stream_ends_the_open_utterance() -> None:
    segmenter = SpeechSegmenter()
    segmenter.push(tone(1.0), 0.0)
    ended = segmenter.push(tone(0.2), 5.0)
    assert len(ended) == 1
    assert ended[0].end <= 1.0 + 1e-6


def partial(seq: int) -> Caption:
    return Caption("ev/main/en", "partial", f"words {seq}", seq, 0.0, 1.0)


def test_partials_are_coalesced_to_four_a_second() -> None:
    throttle = PartialThrottle()
    sent = []
    for step in range(20):  # a partial every 50 ms for one second
        now = step * 0.05
        sent += throttle.offer(partial(step), now) + throttle.due(now)
    sent += throttle.due(1.0)
    assert len(sent) <= 5
    assert sent[-1].seq == 19
    assert [caption.seq for caption in sent] == sorted(caption.seq for caption in sent)


def test_a_final_passes_at_once_and_drops_the_held_partial() -> None:
    throttle = PartialThrottle()
    throttle.offer(partial(1), 0.0)
    assert throttle.offer(partial(2), 0.1) == []
    final = Caption("ev/main/en", "final", "words.", 3, 0.0, 1.0)
    assert throttle.offer(final, 0.12) == [final]
    assert throttle.due(1.0) == []
