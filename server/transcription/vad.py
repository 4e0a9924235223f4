"""Cut a 16 kHz mono stream into utterances at pauses.

Pure: samples in, utterances out; no I/O and no clock (time is the stream's own position).
Which frames are speech is the job of a detector: the live pipeline uses the Silero VAD model
that faster-whisper ships (`server.transcription.silero`); `EnergyDetector` is the fallback
and what the unit tests use.

How it decides (defaults, chosen for speech picked up by a booth microphone):
- The stream is read in the detector's frames (30 ms for energy, 32 ms for Silero).
  `EnergyDetector`: a frame is speech when its RMS level is at least `threshold_db`
  (-45 dBFS) and at least `noise_margin_db` (12 dB) above the noise floor. The floor follows
  non-speech frames but never rises above `threshold_db - noise_margin_db`, so quiet speech
  cannot teach it to climb until speech falls under it (a soft speaker after a loud one stays
  speech), while a humming room still raises the bar a little.
- An utterance starts at the first speech frame, with `pre_roll_seconds` (0.2 s) of audio
  before it so soft onsets are not clipped, and ends after `min_silence_seconds` (0.5 s)
  without speech. Utterances with less than `min_speech_seconds` (0.25 s) of speech frames
  (clicks, coughs) are dropped.
- A phrase ends sooner, at a pause the detector's own model hears (`hears_pause`) for
  `phrase_pause_seconds` (0.25 s; 0.15 s once the phrase is `long_phrase_seconds`, 4 s,
  long), even when a loudness safety net calls those frames speech: in a room whose pauses
  are loud, the net alone never ended an utterance. Only in a voice the model has heard
  (`hears_voice`) for `min_speech_seconds`: a soft voice that only the net hears ends at
  real silence. `phrase_pause_seconds=None` turns phrase ends off (whole utterances).
- An utterance longer than `max_utterance_seconds` (25 s) is cut at the quietest frame of
  its last 2 s, and the rest carries on as a new utterance: Whisper sees at most 30 s. This
  is a safety net: the service commits words and moves its window on at word boundaries
  long before (see `streaming`).
- Audio that is dropped (a blip with too little speech) is counted in `discarded_seconds`.
- A gap in the stream (audio skipped to catch up with the live edge) ends the utterance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

SAMPLE_RATE = 16_000
_SILENT_DB = -120.0


@dataclass(frozen=True)
class Utterance:
    """A stretch of speech; `start` is its position in the stream, in seconds."""

    samples: NDArray[np.float32]
    start: float
    complete: bool
    voiced_seconds: float = 0.0
    """How much of it the detector's model heard as a voice (a cough or a breath: little)."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / SAMPLE_RATE

    @property
    def end(self) -> float:
        """Position of its last sample in the stream, in seconds."""
        return self.start + self.duration

    def samples_from(self, time: float) -> NDArray[np.float32]:
        """Its samples from stream time `time` on (all of them for a time before its start)."""
        return self.samples[max(0, round((time - self.start) * SAMPLE_RATE)) :]


def level_db(frame: NDArray[np.float32]) -> float:
    """RMS level of `frame` in dBFS (full scale = 1.0)."""
    if frame.size == 0:
        return _SILENT_DB
    rms = math.sqrt(float(np.mean(np.square(frame, dtype=np.float64))))
    return 20.0 * math.log10(rms) if rms > 1e-6 else _SILENT_DB


class SpeechDetector(Protocol):
    """Says which frames hold speech. `score` is higher for more speech-like frames.

    `hears_voice` and `hears_pause` are the detector's own view of the frame it scored
    last, before any safety net for soft speech: a pause the model hears inside a voice it
    hears ends a phrase even when the room is loud enough for the net to call it speech.
    """

    frame_samples: int
    hears_voice: bool
    hears_pause: bool

    def score(self, frame: NDArray[np.float32]) -> float:
        """Score one frame of `frame_samples` samples (and learn from it)."""
        ...

    def is_speech(self, score: float, in_speech: bool) -> bool:
        """Whether a frame with `score` is speech; `in_speech` while an utterance is open."""
        ...


class EnergyDetector:
    """RMS level against a noise floor that cannot climb on speech (see the module doc)."""

    def __init__(
        self,
        *,
        frame_seconds: float = 0.03,
        threshold_db: float = -45.0,
        noise_margin_db: float = 12.0,
    ) -> None:
        self.frame_samples = round(frame_seconds * SAMPLE_RATE)
        self.threshold_db = threshold_db
        self.noise_margin_db = noise_margin_db
        self.noise_floor_db = -70.0
        self.hears_voice = False
        self.hears_pause = True

    def score(self, frame: NDArray[np.float32]) -> float:
        """The frame's level in dBFS; quiet frames teach the floor."""
        level = level_db(frame)
        self.hears_voice = self.is_speech(level, False)
        self.hears_pause = not self.hears_voice
        if self.hears_pause:
            learned = 0.95 * self.noise_floor_db + 0.05 * max(level, -90.0)
            self.noise_floor_db = min(learned, self.threshold_db - self.noise_margin_db)
        return level

    def is_speech(self, score: float, in_speech: bool) -> bool:
        """Loud enough, and far enough above the floor."""
        return score >= max(self.threshold_db, self.noise_floor_db + self.noise_margin_db)


class SpeechSegmenter:
    """Feed samples with `push`; it returns the utterances that ended."""

    def __init__(
        self,
        *,
        detector: SpeechDetector | None = None,
        min_silence_seconds: float = 0.5,
        min_speech_seconds: float = 0.25,
        pre_roll_seconds: float = 0.2,
        max_utterance_seconds: float = 25.0,
        phrase_pause_seconds: float | None = 0.25,
        long_phrase_seconds: float = 4.0,
        long_phrase_pause_seconds: float = 0.15,
    ) -> None:
        self.detector: SpeechDetector = detector if detector is not None else EnergyDetector()
        self._frame = self.detector.frame_samples
        frame_seconds = self._frame / SAMPLE_RATE
        self.discarded_seconds = 0.0
        """Audio judged as speech at first but dropped as too short (clicks, coughs)."""
        self._min_silence_frames = math.ceil(min_silence_seconds / frame_seconds)
        self._min_speech_frames = math.ceil(min_speech_seconds / frame_seconds)
        # None: phrases end only at silence (whole utterances, for accuracy over latency).
        self._phrase_pause_frames = (
            None
            if phrase_pause_seconds is None
            else math.ceil(phrase_pause_seconds / frame_seconds)
        )
        self._long_phrase_frames = round(long_phrase_seconds / frame_seconds)
        self._long_phrase_pause_frames = math.ceil(long_phrase_pause_seconds / frame_seconds)
        self._pre_roll_frames = round(pre_roll_seconds / frame_seconds)
        self._max_frames = round(max_utterance_seconds / frame_seconds)
        self._cut_window_frames = round(2.0 / frame_seconds)
        self._leftover = np.zeros(0, dtype=np.float32)
        self._position: float | None = None  # stream time of the next sample expected
        self._history: list[NDArray[np.float32]] = []  # pre-roll frames while idle
        self._frames: list[NDArray[np.float32]] = []  # frames of the current utterance
        self._levels: list[float] = []
        self._start = 0.0
        self._speech_frames = 0
        self._silent_run = 0
        self._voiced_frames = 0  # frames of the open utterance where the model heard a voice
        self._pause_run = 0  # frames in a row where the model heard no voice

    @property
    def in_speech(self) -> bool:
        """True while an utterance is open."""
        return bool(self._frames)

    def current(self) -> Utterance | None:
        """The open utterance so far, as a provisional one, or None when idle."""
        if not self._frames:
            return None
        return Utterance(
            np.concatenate(self._frames), self._start, False, self._seconds(self._voiced_frames)
        )

    def push(self, samples: NDArray[np.float32], start: float) -> list[Utterance]:
        """Add samples that begin at stream time `start`; return utterances that ended."""
        ended: list[Utterance] = []
        expected = self._position_of_next_sample()
        if expected is not None and abs(start - expected) > self._frame / SAMPLE_RATE:
            ended += self.finish()
        if self._position is None or not self._leftover.size:
            self._position = start - len(self._leftover) / SAMPLE_RATE
        data = np.concatenate([self._leftover, samples.astype(np.float32, copy=False)])
        usable = len(data) - len(data) % self._frame
        for offset in range(0, usable, self._frame):
            frame = data[offset : offset + self._frame]
            frame_start = self._position + offset / SAMPLE_RATE
            utterance = self._step(frame, frame_start)
            if utterance is not None:
                ended.append(utterance)
        self._position += usable / SAMPLE_RATE
        self._leftover = data[usable:]
        return ended

    def finish(self) -> list[Utterance]:
        """End of stream (or a gap in it): close the open utterance if it holds speech."""
        ended: list[Utterance] = []
        if self._frames and self._speech_frames >= self._min_speech_frames:
            ended.append(self._close(len(self._frames) - self._tail_to_drop(self._silent_run)))
        elif self._frames:
            self.discarded_seconds += self._speech_frames * self._frame / SAMPLE_RATE
        self._reset_utterance()
        self._history = []
        self._leftover = np.zeros(0, dtype=np.float32)
        self._position = None
        return ended

    def _position_of_next_sample(self) -> float | None:
        if self._position is None:
            return None
        return self._position + len(self._leftover) / SAMPLE_RATE

    def _step(self, frame: NDArray[np.float32], frame_start: float) -> Utterance | None:
        level = self.detector.score(frame)
        speech = self.detector.is_speech(level, bool(self._frames))
        if not self._frames:
            if not speech:
                self._history = (self._history + [frame])[-self._pre_roll_frames :]
                return None
            self._frames = [*self._history, frame]
            self._levels = [_SILENT_DB] * len(self._history) + [level]
            self._start = frame_start - len(self._history) * self._frame / SAMPLE_RATE
            self._history = []
            self._speech_frames = 1
            self._silent_run = 0
            return None
        self._frames.append(frame)
        self._levels.append(level)
        if speech:
            self._speech_frames += 1
            self._silent_run = 0
        else:
            self._silent_run += 1
        self._voiced_frames += self.detector.hears_voice
        self._pause_run = self._pause_run + 1 if self.detector.hears_pause else 0
        phrase_ended = self._phrase_ended()
        if self._silent_run >= self._min_silence_frames or phrase_ended:
            quiet_run = self._pause_run if phrase_ended else self._silent_run
            keep = len(self._frames) - self._tail_to_drop(quiet_run)
            utterance = (
                self._close(keep) if self._speech_frames >= self._min_speech_frames else None
            )
            if utterance is None:
                self.discarded_seconds += self._speech_frames * self._frame / SAMPLE_RATE
            self._reset_utterance()
            return utterance
        if len(self._frames) >= self._max_frames:
            return self._cut_long_utterance()
        return None

    def _phrase_ended(self) -> bool:
        """A pause the model hears, in a voice it has heard: the phrase is over.

        Only for a voice the model hears: a soft speaker it cannot hear is kept whole by the
        safety net, and ends only at real silence.
        """
        if self._phrase_pause_frames is None:
            return False
        pause_frames = (
            self._long_phrase_pause_frames
            if len(self._frames) >= self._long_phrase_frames
            else self._phrase_pause_frames
        )
        return self._voiced_frames >= self._min_speech_frames and self._pause_run >= pause_frames

    def _tail_to_drop(self, quiet_run: int) -> int:
        """Of the `quiet_run` frames closing an utterance, keep about 0.2 s: Whisper likes a
        little tail."""
        return max(0, quiet_run - self._pre_roll_frames)

    def _cut_long_utterance(self) -> Utterance:
        window = self._levels[-self._cut_window_frames :]
        quietest = len(self._levels) - len(window) + int(np.argmin(window))
        cut = max(quietest + 1, 1)
        rest_frames = self._frames[cut:]
        rest_levels = self._levels[cut:]
        utterance = self._close(cut)
        rest_start = utterance.end
        self._frames = rest_frames
        self._levels = rest_levels
        self._start = rest_start
        self._speech_frames = sum(1 for lvl in rest_levels if self.detector.is_speech(lvl, True))
        self._silent_run = 0
        self._voiced_frames = self._speech_frames
        self._pause_run = 0
        return utterance

    def _close(self, frame_count: int) -> Utterance:
        samples = np.concatenate(self._frames[:frame_count])
        return Utterance(samples, self._start, True, self._seconds(self._voiced_frames))

    def _seconds(self, frames: int) -> float:
        return frames * self._frame / SAMPLE_RATE

    def _reset_utterance(self) -> None:
        self._frames = []
        self._levels = []
        self._speech_frames = 0
        self._silent_run = 0
        self._voiced_frames = 0
        self._pause_run = 0
