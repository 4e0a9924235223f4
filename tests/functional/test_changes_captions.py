"""Live captions follow the caption switch of a booth on air when another process flips it.

The kiosk runs with captions on (Whisper tiny.en) and an interpreter on air in a booth whose
captions are off; a second process switches them on, then off again, in the database. Within
2 s of each write the kiosk starts (then stops) transcribing the booth, and listeners get the
captions (then the `clear`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import db
from tests.captions_support import (
    CAPTIONED,
    CaptionKiosk,
    captioning_kiosk,
    captions_until,
    seed_booths,
)
from tests.changes_support import FOLLOW_SECONDS, Outside
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

pytestmark = [pytest.mark.anyio, pytest.mark.whisper]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    """Two sentences of synthetic speech."""
    return spoken_file(tmp_path_factory.mktemp("speech"), "welcome", SCRIPTS["welcome"][:2])


def transcribing(body: dict[str, Any]) -> list[str]:
    """The booths /healthz says are being transcribed."""
    booths: list[str] = body["captions"]["booths"]
    return booths


def state(body: dict[str, Any]) -> str:
    """The captions state word of /healthz: idle, loading, ready…"""
    word: str = body["captions"]["state"]
    return word


async def health_within(
    kiosk: CaptionKiosk, seconds: float, predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """The /healthz body once `predicate` holds, failing after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await kiosk.wait_health(predicate)
    except TimeoutError:
        raise AssertionError(f"captions did not follow within {seconds} s") from None


async def test_captions_follow_the_switch_flipped_by_a_second_process(
    tmp_path: Path, file_db: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    await db.update_booth(CAPTIONED, transcription=False)
    outside = Outside(tmp_path, file_db)
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener_of(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        before = transcribing(await kiosk.healthz())
        await outside.python(f"await db.update_booth({CAPTIONED!r}, transcription=True)")
        # Within 2 s the kiosk starts captioning the booth: the engine starts loading (the
        # model's load time is Whisper's, not the change's), then the booth is transcribed.
        started = await health_within(kiosk, FOLLOW_SECONDS, lambda body: state(body) != "idle")
        await kiosk.wait_health(lambda body: transcribing(body) == [CAPTIONED])
        captions = await captions_until(
            listener, lambda seen: any(c["status"] == "final" for c in seen)
        )
        await outside.python(f"await db.update_booth({CAPTIONED!r}, transcription=False)")
        await health_within(kiosk, FOLLOW_SECONDS, lambda body: not transcribing(body))
        last = await captions_until(
            listener, lambda seen: bool(seen) and seen[-1]["status"] == "clear"
        )
    assert before == []
    assert state(started) in ("loading", "ready")
    assert all(c["booth_id"] == CAPTIONED for c in captions)
    assert last[-1]["status"] == "clear"
