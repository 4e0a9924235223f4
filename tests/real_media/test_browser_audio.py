"""Sound that arrives: interpreters publish tones from Chromium, a listener page hears them.

Each interpreter's Chromium captures its own tone file (Ana 440 Hz, Ben 660 Hz). The pages
publish WHIP through the kiosk's `/media` proxy to the real MediaMTX; the listener page plays
WHEP, and an AnalyserNode on the played stream must find the tone of whoever is on air.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.real_media.audio import (
    ENGLISH,
    WAIT_MS,
    Booth,
    real_booth,
    start_probe,
    tone_wav,
    until_peak_near,
)
from tests.real_media.binary import require_real_mediamtx
from tests.screenshots import screenshot_dir

BINARY = require_real_mediamtx()
pytestmark = pytest.mark.anyio
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
async def booth(tmp_path: Path) -> AsyncIterator[Booth]:
    """The kiosk with the real MediaMTX, seeded, with Playwright ready."""
    async with real_booth(tmp_path, BINARY) as running:
        yield running


async def listen_to_english(page: Page) -> None:
    """Tap English on the listener page and start measuring what it plays."""
    await start_probe(page, [440, 660])
    await page.locator(f'[data-channel="{ENGLISH}"]').click()


async def test_the_listener_hears_the_tone_of_the_interpreter_on_air(
    booth: Booth, tmp_path: Path
) -> None:
    ana = await booth.interpreter("Ana", tone_wav(tmp_path / "ana.wav", 440))
    await expect(ana.locator("#ingest-text")).to_have_attribute("data-kind", "live")
    await expect(ana.locator("#air-text")).to_have_text("You are on air")
    listener = await booth.listener()
    await listen_to_english(listener)
    await expect(listener.locator("#status-text")).to_have_text("Listening to English")
    found = await until_peak_near(listener, 440)
    assert abs(found["hz"] - 440) <= 12
    if folder := screenshot_dir():
        await listener.screenshot(path=str(folder / "real-listener-440.png"))
        await ana.screenshot(path=str(folder / "real-interpreter-on-air.png"))
