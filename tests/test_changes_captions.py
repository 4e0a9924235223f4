"""Live captions follow the caption switch of a booth on air when another process flips it.

The kiosk runs with captions on (Whisper tiny.en) and an interpreter on air in a booth whose
captions are off; a second process switches them on, then off again, in the database. Within
2 s of each write the kiosk starts (then stops) transcribing the booth, and listeners get the
captions (then the `clear`).
"""

from __future__ import annotations

import asyncio
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

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    """Two sentences of synthetic speech."""
    return spoken_file(tmp_path_factory.mktemp("speech"), "welcome", SCRIPTS["welcome"][:2])


def transcribing(body: dict[str, Any]) -> list[str]:
    """The booths /healthz says are being transcribed."""
    booths: list[str] = body["captions"]["booths"]
    return booths


async def health_within(kiosk: CaptionKiosk, seconds: float, wanted: list[str]) -> None:
    """Wait until /healthz lists exactly `wanted` as transcribed, failing after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await kiosk.wait_health(lambda body: transcribing(body) == wanted)
    except TimeoutError:
        raise AssertionError(f"captions of {wanted} not following within {seconds} s") from None


async def test_captions_follow_the_switch_flipped_by_a_second_process(
    tmp_path: Path, file_db: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    await db.update_booth(CAPTIONED, transcription=False)
    outside = Outside(tmp_path, file_db)
    async with captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk:
        listener = await kiosk.listener(CAPTIONED)
        await kiosk.interpreter(CAPTIONED, "Ana")
        before = transcribing(await kiosk.healthz())
        await outside.python(f"await db.update_booth({CAPTIONED!r}, transcription=True)")
        await health_within(kiosk, FOLLOW_SECONDS, [CAPTIONED])
        captions = await captions_until(
            listener, lambda seen: any(c["status"] == "final" for c in seen)
        )
        await outside.python(f"await db.update_booth({CAPTIONED!r}, transcription=False)")
        await health_within(kiosk, FOLLOW_SECONDS, [])
        last = await captions_until(
            listener, lambda seen: bool(seen) and seen[-1]["status"] == "clear"
        )
    assert before == []
    assert all(c["booth_id"] == CAPTIONED for c in captions)
    assert last[-1]["status"] == "clear"
