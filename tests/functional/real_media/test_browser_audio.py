"""Sound that arrives: interpreters publish tones from Chromium, a listener page hears them.

Each interpreter's Chromium captures its own tone file (Ana 440 Hz, Ben 660 Hz). The pages
publish WHIP through the kiosk's `/media` proxy to the real MediaMTX; the listener page plays
WHEP, and an AnalyserNode on the played stream must find the tone of whoever is on air.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.functional.real_media.audio import (
    ENGLISH,
    WAIT_MS,
    Booth,
    real_booth,
    start_probe,
    tone_wav,
    until_peak_near,
)
from tests.functional.real_media.binary import require_real_mediamtx
from tests.screenshots import screenshot_dir

BINARY = require_real_mediamtx()
pytestmark = [pytest.mark.anyio, pytest.mark.browser]
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


async def test_a_handover_switches_the_tone_without_the_listener_reconnecting(
    booth: Booth, tmp_path: Path
) -> None:
    ana = await booth.interpreter("Ana", tone_wav(tmp_path / "ana.wav", 440))
    ben = await booth.interpreter("Ben", tone_wav(tmp_path / "ben.wav", 660))
    await expect(ana.locator("#ingest-text")).to_have_attribute("data-kind", "live")
    listener = await booth.listener()
    offers: list[str] = []
    listener.on("request", lambda r: offers.append(r.url) if r.url.endswith("/whep") else None)
    await listen_to_english(listener)
    await until_peak_near(listener, 440)

    await ben.locator("#ho-request").click()
    await expect(ana.locator("#banner-text")).to_have_text("Ben asks for the mic")
    await ana.locator("#banner-accept").click()

    await until_peak_near(listener, 660)
    await expect(ben.locator("#air-text")).to_have_text("You are on air")
    await expect(ben.locator("#ingest-text")).to_have_attribute("data-kind", "live")
    # The outgoing page keeps sending until MediaMTX has switched the path (then stops).
    await expect(ana.locator("#ingest-text")).to_have_attribute(
        "data-kind", re.compile("^(handing-over|idle)$")
    )
    await expect(ana.locator("#air-text")).to_have_text("Ben is on air")
    # One WHEP session for the whole handover, and the page never left "live".
    assert len(offers) == 1
    kinds = {kind for _, kind in await listener.evaluate("() => window.__probe.playback")}
    assert kinds <= {"", "switching", "live"} and "off" not in kinds
    await expect(listener.locator("#status-text")).to_have_text("Listening to English")
    if folder := screenshot_dir():
        await listener.screenshot(path=str(folder / "real-listener-after-handover.png"))
        await ben.screenshot(path=str(folder / "real-interpreter-after-handover.png"))
