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

import pytest

from tests.captions_support import next_of_type
from tests.functional.real_media.audio import ENGLISH, Booth, captioned_booth
from tests.functional.real_media.binary import require_real_mediamtx
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

BINARY = require_real_mediamtx()
pytestmark = [pytest.mark.anyio, pytest.mark.whisper]
# Words of "Good morning and welcome to the conference. Our first speaker will talk about
# renewable energy." that a caption of it must carry.
KEY_WORDS = {"morning", "welcome", "conference", "first", "speaker", "renewable", "energy"}


def normalised(text: str) -> str:
    """Lower case words only."""
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


@pytest.fixture
async def booth(tmp_path: Path) -> AsyncIterator[Booth]:
    """The kiosk with the real MediaMTX and captions on (tiny.en, one job at a time)."""
    async with captioned_booth(tmp_path, BINARY, max_concurrent=1) as running:
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

    # The recording loops. Under load Whisper may cut a sentence into several finals, so
    # collect them until the distinctive words of the script are covered (or 10 finals).
    finals: list[str] = []
    heard: set[str] = set()
    while len(heard & KEY_WORDS) < 5 and len(finals) < 10:
        caption = await next_of_type(listener, "caption")
        if caption["status"] == "final":
            finals.append(normalised(caption["text"]))
            heard.update(finals[-1].split())
    # Closed here: left to the garbage collector, its connection warned in a later test.
    await listener.close()
    assert len(heard & KEY_WORDS) >= 5, finals
    body = await kiosk.healthz()
    assert ENGLISH in body["captions"]["booths"]
