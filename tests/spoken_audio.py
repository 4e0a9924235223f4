"""Helpers for the caption tests: real speech from espeak-ng, joined with pauses."""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SCRIPTS = {
    "welcome": [
        "Good morning and welcome to the conference.",
        "Our first speaker will talk about renewable energy.",
        "Please switch off your mobile phones during the session.",
    ],
    "lunch": [
        "Lunch will be served in the main hall at noon.",
        "The afternoon session starts after the coffee break.",
    ],
    "questions": [
        "We have time for a few questions from the audience.",
        "Please wait for the microphone before you speak.",
    ],
    "thanks": [
        "Thank you all for coming today.",
        "The slides will be available on the website.",
    ],
}


@dataclass(frozen=True)
class SpokenFile:
    """A wav file of sentences, and when each sentence ends (seconds)."""

    path: Path
    sentences: list[str]
    sentence_ends: list[float]
    duration: float

    @property
    def script(self) -> str:
        """Everything that is said, as one string."""
        return " ".join(self.sentences)


def speak(text: str, path: Path, words_per_minute: int = 150) -> None:
    """Write `text` spoken by espeak-ng to the wav file `path`."""
    subprocess.run(
        ["espeak-ng", "-w", str(path), "-s", str(words_per_minute), text],
        check=True,
        capture_output=True,
    )


def spoken_file(
    folder: Path, name: str, sentences: list[str], pause_seconds: float = 1.0
) -> SpokenFile:
    """Speak each sentence, join them with `pause_seconds` of silence, write `name`.wav."""
    pieces: list[np.ndarray] = []
    ends: list[float] = []
    rate = 0
    total = 0
    for index, sentence in enumerate(sentences):
        part = folder / f"{name}-{index}.wav"
        speak(sentence, part)
        with wave.open(str(part)) as reader:
            rate = reader.getframerate()
            samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16)
        pieces.append(samples)
        total += len(samples)
        ends.append(total / rate)
        silence = np.zeros(round(pause_seconds * rate), dtype=np.int16)
        pieces.append(silence)
        total += len(silence)
    path = folder / f"{name}.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(np.concatenate(pieces).tobytes())
    return SpokenFile(path, sentences, ends, total / rate)
