"""Speech detection with the Silero VAD model that faster-whisper ships (ONNX, offline).

The model scores 32 ms windows (512 samples at 16 kHz) with the probability that they hold
speech. It looks at the spectrum, not the level, so a soft or distant speaker after a loud
one is still speech, and steady noise is not. The session is faster-whisper's own (loaded
once per process); each `SileroDetector` keeps its own recurrent state, so booths do not
disturb each other.

The model's probabilities drop for quiet input (a distant or soft speaker at -42 dBFS reads
as silence), so each window is first brought to a speaking level: a gain that follows the
loudest frames of the last 10 s (their 95th percentile) towards -18 dBFS, from -12 dB to
+30 dB. On some recordings (a speaker with a cold, a noisy room) the model stays unsure even
then, so a frame at least -55 dBFS and 12 dB above the room's floor counts as speech too
(`EnergyDetector`, whose floor cannot climb on speech): speech is never dropped silently; at
worst noise is sent to Whisper, which returns nothing for it.

Thresholds follow the model's usual use: a window starts speech at probability ≥ 0.5; once
speech is open, it goes on while the probability stays ≥ 0.35 (hysteresis, so a breath or a
soft consonant does not end an utterance).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.transcription.engine import CAPTIONS_EXTRA_HINT, EngineUnavailable
from server.transcription.vad import SAMPLE_RATE, EnergyDetector, level_db

WINDOW_SAMPLES = 512
_CONTEXT_SAMPLES = 64
START_PROBABILITY = 0.5
CONTINUE_PROBABILITY = 0.35
ENERGY_SPEECH_SCORE = 0.6
ENERGY_THRESHOLD_DB = -55.0
LOUD_PERCENTILE = 95
TARGET_DB = -18.0
MAX_GAIN_DB = 30.0
MAX_CUT_DB = 12.0
_LEVEL_HISTORY_WINDOWS = 312  # 10 s of 32 ms windows


def _session() -> Any:
    try:
        from faster_whisper.vad import get_vad_model
    except ImportError as error:
        raise EngineUnavailable(CAPTIONS_EXTRA_HINT) from error
    return get_vad_model().session


class SileroDetector:
    """A `SpeechDetector` for one stream; scores are speech probabilities in [0, 1]."""

    frame_samples = WINDOW_SAMPLES

    def __init__(self) -> None:
        self._session = _session()
        self._state = np.zeros((1, 1, 128), dtype=np.float32), np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)
        self._recent_levels: deque[float] = deque(maxlen=_LEVEL_HISTORY_WINDOWS)
        self._energy = EnergyDetector(
            frame_seconds=WINDOW_SAMPLES / SAMPLE_RATE, threshold_db=ENERGY_THRESHOLD_DB
        )
        self.hears_voice = False
        self.hears_pause = True

    def score(self, frame: NDArray[np.float32]) -> float:
        """Speech probability of one 512-sample window, continuing this stream's state."""
        window = np.concatenate([self._context, self._level_up(frame)])
        hidden, cell = self._state
        output, hidden, cell = self._session.run(
            None, {"input": window[np.newaxis, :], "h": hidden, "c": cell}
        )
        self._state = hidden, cell
        self._context = window[-_CONTEXT_SAMPLES:]
        probability = float(np.asarray(output).reshape(-1)[0])
        self.hears_voice = probability >= START_PROBABILITY
        self.hears_pause = probability < CONTINUE_PROBABILITY
        # A clearly voiced level well above the room's floor is speech even when the model
        # doubts it (a soft, distant or one-channel speaker): never drop it silently.
        loud = self._energy.is_speech(self._energy.score(frame), False)
        return max(probability, ENERGY_SPEECH_SCORE if loud else 0.0)

    def _level_up(self, frame: NDArray[np.float32]) -> NDArray[np.float32]:
        self._recent_levels.append(level_db(frame))
        speaking = float(np.percentile(np.fromiter(self._recent_levels, float), LOUD_PERCENTILE))
        gain_db = min(max(TARGET_DB - speaking, -MAX_CUT_DB), MAX_GAIN_DB)
        scaled = frame.astype(np.float32) * np.float32(10 ** (gain_db / 20))
        clipped: NDArray[np.float32] = np.clip(scaled, -1.0, 1.0).astype(np.float32)
        return clipped

    def is_speech(self, score: float, in_speech: bool) -> bool:
        """Hysteresis: a higher bar to start speech than to continue it."""
        return score >= (CONTINUE_PROBABILITY if in_speech else START_PROBABILITY)
