"""Live captions in the running kiosk: booths on air are captioned for their listeners.

The real app with `[transcription] enabled = true` and Whisper tiny.en; an interpreter joins
over the booth socket (MediaMTX is off, so that puts the booth on air) and the booth's audio
comes from an espeak-ng WAV paced in real time through the `caption_source` seam.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jiwer
import pytest

import db
from server.keys import BOOTH_RUNTIME, CAPTIONS, WS_HUB
from tests.captions_support import (
    CAPTIONED,
    UNCAPTIONED,
    captioning_kiosk,
    captions_until,
    cleared_after_final,
    frames_until,
    seed_booths,
)
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db"), pytest.mark.whisper]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    """About seven seconds: two sentences with a pause after each."""
    return spoken_file(tmp_path_factory.mktemp("speech"), "welcome", SCRIPTS["welcome"][:2])


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def finals_text(captions: list[dict[str, Any]]) -> str:
    return " ".join(c["text"] for c in captions if c["status"] == "final")


def transcribing(body: dict[str, Any]) -> list[str]:
    booths: list[str] = body["captions"]["booths"]
    return booths


async def test_a_listener_of_an_on_air_booth_receives_partial_and_final_captions(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        captions = await captions_until(listener, cleared_after_final)
    statuses = [c["status"] for c in captions]
    assert "partial" in statuses and "final" in statuses
    assert all(c["booth_id"] == CAPTIONED for c in captions)
    seqs = [c["seq"] for c in captions if c["status"] == "final"]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert jiwer.wer(normalised(speech.script), normalised(finals_text(captions))) <= 0.3


async def test_final_captions_are_stored_as_transcript_segments_in_spoken_order(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        captions = await captions_until(listener, cleared_after_final)
    # Leaving the app drains the writer: every final sent is stored by now.
    segments = await db.list_transcript(CAPTIONED)
    sent = [(c["seq"], c["text"]) for c in captions if c["status"] == "final"]
    assert [(s.seq, s.text) for s in segments] == sent
    starts = [s.started_at for s in segments]
    assert starts == sorted(starts) and all(s.ended_at >= s.started_at for s in segments)


async def test_healthz_lists_the_booth_while_it_is_transcribed(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        before = await kiosk.healthz()
        await kiosk.interpreter(CAPTIONED, "Ana")
        during = await kiosk.wait_health(lambda body: transcribing(body) == [CAPTIONED])
    assert before["captions"] == {"enabled": True, "booths": [], "state": "idle"}
    assert during["ok"] is True and during["captions"]["state"] == "ready"


async def test_going_off_air_stops_the_captions(tmp_path: Path, speech: SpokenFile) -> None:
    await seed_booths()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        interpreter = await kiosk.interpreter(CAPTIONED, "Ana")
        await captions_until(listener, lambda seen: bool(seen))
        await interpreter.send_json({"type": "booth:leave"})
        # Stopping finalises and clears whatever was on screen.
        last = await captions_until(
            listener, lambda seen: bool(seen) and seen[-1]["status"] == "clear"
        )
        after = await kiosk.wait_health(lambda body: not transcribing(body))
        live = kiosk.app[CAPTIONS].state()
    assert last[-1]["status"] == "clear"
    assert after["captions"]["booths"] == [] and live["booths"] == []


async def test_a_booth_without_transcription_is_never_captioned(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    files = {CAPTIONED: speech.path, UNCAPTIONED: speech.path}
    async with captioning_kiosk(tmp_path, files) as kiosk:
        french_listener = await kiosk.listener_of(UNCAPTIONED)
        english_listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(UNCAPTIONED, "Benoît")
        await kiosk.interpreter(CAPTIONED, "Ana")
        # By the English booth's first final, the French booth has been on air for longer.
        await captions_until(
            english_listener, lambda seen: any(c["status"] == "final" for c in seen)
        )
        body = await kiosk.healthz()
        await french_listener.send_json({"type": "ping"})
        frames = await frames_until(french_listener, "pong")
    assert UNCAPTIONED not in kiosk.sources.calls
    assert transcribing(body) == [CAPTIONED]
    assert "caption" not in {frame["type"] for frame in frames}


async def test_switching_captions_on_for_a_booth_on_air_starts_them(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    await db.update_booth(CAPTIONED, transcription=False)
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        before = await kiosk.healthz()
        kiosk.app[BOOTH_RUNTIME].refresh(await db.update_booth(CAPTIONED, transcription=True))
        captions = await captions_until(
            listener, lambda seen: any(c["status"] == "final" for c in seen)
        )
        during = await kiosk.wait_health(lambda body: transcribing(body) == [CAPTIONED])
    assert transcribing(before) == []
    assert all(c["booth_id"] == CAPTIONED for c in captions)
    assert during["captions"]["state"] == "ready"


async def test_switching_captions_off_for_a_booth_on_air_stops_them(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        await captions_until(listener, lambda seen: bool(seen))
        edited = await db.update_booth(CAPTIONED, transcription=False)
        captions_state = kiosk.app[CAPTIONS].state
        # Read right before and after the refresh, with nothing awaited in between.
        live_before = captions_state()["booths"]
        kiosk.app[BOOTH_RUNTIME].refresh(edited)
        live_after = captions_state()["booths"]
        last = await captions_until(
            listener, lambda seen: bool(seen) and seen[-1]["status"] == "clear"
        )
        after = await kiosk.wait_health(lambda body: not transcribing(body))
        still_on_air = kiosk.app[WS_HUB].registry.is_on_air(CAPTIONED)
    assert (live_before, live_after) == ([CAPTIONED], [])
    assert last[-1]["status"] == "clear"
    assert after["captions"]["booths"] == []
    assert still_on_air


async def test_a_model_that_cannot_load_is_reported_and_the_kiosk_stays_up(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    missing_model = tmp_path / "no-model"
    missing_model.mkdir()
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}, model=missing_model) as kiosk:
        await kiosk.interpreter(CAPTIONED, "Ana")
        body = await kiosk.wait_health(lambda b: b["captions"]["state"].startswith("error"))
    assert body["ok"] is True
    assert "cannot load caption model" in body["captions"]["state"]
    assert str(missing_model) in body["captions"]["state"]
    assert body["captions"]["booths"] == []
