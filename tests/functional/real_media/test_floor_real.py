"""The floor feed with the real MediaMTX: a looped tone file reaches a listener and an interpreter.

The room's floor is a 440 Hz WAV made with sox. MediaMTX runs ffmpeg for it (`runOnInit`),
which publishes Opus over RTSP with the kiosk's feed token. A listener who picks Floor and an
interpreter who listens to Floor each get a WebRTC track; an AnalyserNode on the track that the
page plays finds the tone.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

import db
from server.auth.credentials import create_floor_token, create_user_token, hash_password
from server.manage import set_floor
from server.mediamtx.floor_service import apply_floor_source, floor_health
from tests.fakes import call_api
from tests.media_support import MediaKiosk, media_kiosk
from tests.pages_support import CHROMIUM, CHROMIUM_ARGS

TONE_HZ = 440
FLOOR = "ev/main/floor"
WAIT_S = 20.0

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

# The peak bin of the played track's spectrum, in Hz, once its level is well above silence.
PEAK_SCRIPT = """
async (selector) => {
  const audio = document.querySelector(selector);
  for (let i = 0; i < 200 && !(audio.srcObject && audio.srcObject.getAudioTracks().length); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!audio.srcObject) return { error: "no stream on " + selector };
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(audio.srcObject).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  let best = { hz: 0, db: -Infinity };
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    analyser.getFloatFrequencyData(bins);
    let peak = 0;
    for (let b = 1; b < bins.length; b++) if (bins[b] > bins[peak]) peak = b;
    best = { hz: (peak * context.sampleRate) / analyser.fftSize, db: bins[peak] };
    if (best.db > -60) break;
  }
  await context.close();
  return best;
}
"""


@pytest.fixture
def mediamtx_binary() -> Path:
    """The real MediaMTX: `$VOXBENTO_MEDIAMTX`, else `mediamtx` on PATH."""
    found = os.environ.get("VOXBENTO_MEDIAMTX") or shutil.which("mediamtx")
    if not found:
        pytest.skip("no real MediaMTX (VOXBENTO_MEDIAMTX or PATH)")
    return Path(found)


@pytest.fixture
def tone_file(tmp_path: Path) -> Path:
    """Two seconds of a 440 Hz sine at 48 kHz, made with sox."""
    path = tmp_path / "floor-tone.wav"
    make_tone(path, hertz=TONE_HZ, seconds=2)
    return path


def make_tone(path: Path, *, hertz: int, seconds: int) -> None:
    """A sine WAV at 48 kHz, mono, made with sox."""
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "48000",
            "-c",
            "1",
            str(path),
            "synth",
            str(seconds),
            "sine",
            str(hertz),
        ],
        check=True,
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium that may play sound without a gesture."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def kiosk(
    file_db: Path, tmp_path: Path, mediamtx_binary: Path, tone_file: Path
) -> AsyncIterator[MediaKiosk]:
    """The kiosk with the real MediaMTX; room ev/main's floor is the looped tone file."""
    await db.create_event("ev", "Event")
    await db.create_booth("ev", "main", "en", "English")
    await set_floor("ev/main", "file", str(tone_file))
    async with media_kiosk(tmp_path, binary=mediamtx_binary) as running:
        await wait_for_floor_online(running)
        yield running


async def wait_for_floor_online(kiosk: MediaKiosk) -> None:
    """Until the status poller has seen ffmpeg publish on the floor path."""
    async with asyncio.timeout(WAIT_S):
        while True:
            states = {h.path: h.state for h in floor_health(kiosk.app)}
            if states.get(FLOOR) == "online":
                return
            await asyncio.sleep(0.2)


async def peak_of(page: Page, selector: str) -> dict[str, float]:
    """The spectrum peak of what the page's `<audio>` plays."""
    result: dict[str, float] = await page.evaluate(PEAK_SCRIPT, selector)
    assert "error" not in result, result
    return result


async def test_a_listener_who_picks_floor_hears_the_looped_tone(
    kiosk: MediaKiosk, browser: Browser
) -> None:
    page = await browser.new_page()
    await page.goto(kiosk.url("/listen/ev/main"))
    await page.locator(f'[data-channel="{FLOOR}"]').click()
    peak = await peak_of(page, "#audio")
    assert abs(peak["hz"] - TONE_HZ) < 15, peak
    assert peak["db"] > -60, peak
    await page.close()


async def test_an_interpreter_who_listens_to_floor_hears_the_looped_tone(
    kiosk: MediaKiosk, browser: Browser
) -> None:
    invite = await db.create_invite_token("ev/main/en", "interpreter", label="Ana")
    page = await browser.new_page()
    await page.goto(kiosk.url(f"/join/{invite.token}"))
    assert await page.locator("#relay-select").input_value() == "floor"
    await page.locator("#listen-toggle").click()
    peak = await peak_of(page, "#listen-audio")
    assert abs(peak["hz"] - TONE_HZ) < 15, peak
    assert peak["db"] > -60, peak
    await page.close()


async def configured(kiosk: MediaKiosk, name: str) -> dict[str, Any]:
    """The real MediaMTX's config of one path."""
    status, body = await call_api(
        f"http://127.0.0.1:{kiosk.api_port}", "GET", f"/v3/config/paths/get/{name}"
    )
    assert status == 200, body
    conf: dict[str, Any] = body
    return conf


async def test_the_real_binary_accepts_every_kind_of_floor_in_the_written_config(
    file_db: Path, tmp_path: Path, mediamtx_binary: Path, tone_file: Path
) -> None:
    await db.create_event("ev", "Event")
    rooms = {
        "main": ("file", str(tone_file)),
        "hall": ("device", "alsa:hw:9,9"),
        "annex": ("url", "rtsp://127.0.0.1:9/nothing"),
        "stage": ("url", "srt://127.0.0.1:9?streamid=read:floor"),
        "lobby": ("page", ""),
        "attic": ("none", ""),
    }
    for slug, (kind, value) in rooms.items():
        if slug != "main":
            await db.create_room("ev", slug, slug.title())
        await set_floor(f"ev/{slug}", kind, value)
    async with media_kiosk(tmp_path, binary=mediamtx_binary) as kiosk:
        await kiosk.until_health("running")
        assert (await configured(kiosk, "ev/annex/floor"))["source"] == "rtsp://127.0.0.1:9/nothing"
        assert (await configured(kiosk, "ev/stage/floor"))["source"].startswith("srt://")
        hall = await configured(kiosk, "ev/hall/floor")
        assert (hall["source"], hall["runOnInitRestart"]) == ("publisher", True)
        assert "-f alsa -i hw:9,9" in hall["runOnInit"]
        await wait_for_floor_online(kiosk)
        states = {h.path.split("/")[1]: h.state for h in floor_health(kiosk.app)}
        assert states["attic"] == "no source"
        assert states["lobby"] == "offline"
        assert kiosk.supervisor.restarts == 0


async def test_a_floor_source_set_while_running_reaches_the_real_binary(
    file_db: Path, tmp_path: Path, mediamtx_binary: Path, tone_file: Path
) -> None:
    await db.create_event("ev", "Event")
    async with media_kiosk(tmp_path, binary=mediamtx_binary) as kiosk:
        await kiosk.until_health("running")
        assert {h.path: h.state for h in floor_health(kiosk.app)}[FLOOR] == "no source"
        await set_floor("ev/main", "file", str(tone_file))
        await apply_floor_source(kiosk.app, "ev", "main")
        assert str(tone_file) in (await configured(kiosk, FLOOR))["runOnInit"]
        await wait_for_floor_online(kiosk)


async def test_nobody_publishes_on_the_floor_without_a_floor_token(
    file_db: Path, tmp_path: Path, mediamtx_binary: Path
) -> None:
    await db.create_event("ev", "Event")
    await db.create_booth("ev", "main", "en", "English")
    await set_floor("ev/main", "page", "")
    async with media_kiosk(tmp_path, binary=mediamtx_binary) as kiosk:
        await kiosk.until_health("running")
        booth = await kiosk.invite_token("ev/main/en", role="technician")
        for token in (None, booth, kiosk.listener_token("ev", "main")):
            assert await kiosk.whip(FLOOR, token) == 401
        # The control: a floor token gets past the hook; MediaMTX then refuses the empty offer
        # (406: no track it supports) rather than the caller (401).
        floor = create_floor_token("user:1", FLOOR, "Tess", key=kiosk.key)
        assert await kiosk.whip(FLOOR, floor) == 406


async def test_the_floor_page_publishes_a_line_in_that_a_listener_hears(
    file_db: Path, tmp_path: Path, mediamtx_binary: Path
) -> None:
    # The laptop at the desk: Chromium's fake capture plays a 660 Hz tone as the line-in.
    line_in = tmp_path / "line-in.wav"
    make_tone(line_in, hertz=660, seconds=30)
    await db.create_event("ev", "Event")
    await db.create_booth("ev", "main", "en", "English")
    await set_floor("ev/main", "page", "")
    user = await db.create_user("tech@example.org", hash_password("pw"), "Tess")
    await db.add_membership(user.id, "ev", "technician")
    async with (
        media_kiosk(tmp_path, binary=mediamtx_binary) as kiosk,
        async_playwright() as playwright,
    ):
        await kiosk.until_health("running")
        desk_browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--autoplay-policy=no-user-gesture-required",
                f"--use-file-for-fake-audio-capture={line_in}",
            ],
        )
        try:
            desk = await desk_browser.new_context()
            token = create_user_token(user.id, user.email, "Tess", False, key=kiosk.key)
            await desk.add_cookies([{"name": "user_token", "value": token, "url": kiosk.url("/")}])
            page = await desk.new_page()
            await page.goto(kiosk.url("/floor/ev/main"))
            await page.locator("#floor-send").click()
            await page.wait_for_selector('#floor-text[data-kind="live"]', timeout=20_000)
            await wait_for_floor_online(kiosk)
            listener = await desk_browser.new_page()
            await listener.goto(kiosk.url("/listen/ev/main"))
            await listener.locator(f'[data-channel="{FLOOR}"]').click()
            peak = await peak_of(listener, "#audio")
        finally:
            await desk_browser.close()
    assert abs(peak["hz"] - 660) < 15, peak
    assert peak["db"] > -60, peak
