"""Benchmark: mouth-to-ear latency through the kiosk, beside a direct WHIP→WHEP through MediaMTX.

    python bench/mouth_to_ear.py [--seconds 20] [--json FILE] [--binary PATH]

One headless Chromium whose microphone plays a click pattern (30 ms bursts at 1 kHz after
irregular gaps) runs every page, so capture and playback are timed on one clock
(`performance.timeOrigin + performance.now()`):
- kiosk: the interpreter page publishes through the kiosk's `/media` proxy (English booth); the
  listener page plays it (WHEP through `/media`);
- baseline, in the same run: a page on the kiosk's origin publishes with the same client
  (`whip.js`) and microphone settings straight to MediaMTX's WHIP endpoint (German booth) and
  plays its WHEP endpoint, without the proxy.
A probe measures each click's onset on the captured stream and on the played stream; the
latency is the difference. Figures: p50/p95 of both. Goal: kiosk p95 <= 300 ms on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Page  # noqa: E402

from tests.functional.real_media.audio import (  # noqa: E402
    ENGLISH,
    LAPTOP,
    blocks_since,
    click_wav,
    launch,
    open_page,
    probe_now,
    real_booth,
    start_probe,
)

GAPS_MS = [430, 610, 520, 770, 480, 690, 560, 740]  # one pass ≈ 4.9 s, then the file loops
CLICK_HZ = 1000
ONSET = 0.05  # amplitude that counts as a click (the file plays it at 0.7)
QUIET_MS = 150  # a new click needs this much quiet before it
MAX_LATENCY_MS = 2000
GERMAN = "ev/main/de"

DIRECT_JS = """
async ([whip, whep, publishToken, readToken]) => {
  const { publish, play } = await import("/static/js/whip.js");
  // The interpreter page's microphone settings (mic.js).
  const stream = await navigator.mediaDevices.getUserMedia({ audio: {
    echoCancellation: false, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
  const audio = document.createElement("audio");
  audio.id = "direct";
  audio.autoplay = true;
  document.body.append(audio);
  window.__direct = {
    publisher: publish(stream, whip, publishToken, {}),
    player: null,
    audio,
  };
  await new Promise((resolve, reject) => {
    const until = Date.now() + 20000;
    const check = () => window.__direct.publisher.state === "live" ? resolve()
      : Date.now() > until ? reject(new Error(`publisher ${window.__direct.publisher.state}`))
      : setTimeout(check, 50);
    check();
  });
  window.__direct.player = play(whep, readToken, {
    onTrack: (s) => { audio.srcObject = s; audio.play().catch(() => {}); },
  });
}
"""


def onsets(rows: list[list[float]]) -> list[float]:
    """Times (ms) where the click tone rises above ONSET after at least QUIET_MS of quiet."""
    found: list[float] = []
    quiet_since: float | None = None
    for row in rows:
        time_ms, loud = row[0], row[2] > ONSET
        if not loud:
            if quiet_since is None:
                quiet_since = time_ms
        elif quiet_since is not None and time_ms - quiet_since >= QUIET_MS:
            found.append(time_ms)
            quiet_since = None
        else:
            quiet_since = None
    return found


def latencies(captured: list[float], played: list[float]) -> list[float]:
    """Pair each played click with its captured one through the pattern's common offset."""
    candidates = [p - c for p in played for c in captured if 0 < p - c < MAX_LATENCY_MS]
    if not candidates:
        return []
    # The true latency is the offset most pairs agree on (within 25 ms); the irregular gaps
    # make every other offset rare.
    best = max(candidates, key=lambda d: sum(1 for o in candidates if abs(o - d) <= 25))
    result = []
    for p in played:
        near = [p - c for c in captured if abs(p - c - best) <= 100]
        if near:
            closest = min(near, key=lambda d: abs(d - best))
            result.append(round(closest, 1))
    return result


def percentile(values: list[float], p: int) -> float | None:
    """The p-th percentile (inclusive), None without values."""
    if len(values) < 2:
        return values[0] if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 1)


async def measure(
    capture_page: Page, play_page: Page, seconds: float, capture_probe: str = "__probe"
) -> list[float]:
    """Clicks over `seconds`: latency from the capture probe to the playback probe."""
    start = await probe_now(play_page)
    await asyncio.sleep(seconds)
    captured = onsets(await blocks_since(capture_page, start - 3000, capture_probe))
    played = onsets(await blocks_since(play_page, start))
    paired = latencies(captured, played)
    print(f"  {len(captured)} clicks captured, {len(played)} played, {len(paired)} paired")
    return paired


async def run(seconds: float, binary: Path) -> dict[str, Any]:
    """Both measurements in one temporary kiosk."""
    with tempfile.TemporaryDirectory(prefix="mouth-to-ear-") as folder:
        tmp = Path(folder)
        clicks = click_wav(tmp / "clicks.wav", GAPS_MS, CLICK_HZ)
        async with real_booth(tmp, binary) as booth:
            browser = await launch(booth.playwright, clicks)
            booth.stack.push_async_callback(browser.close)
            kiosk = booth.kiosk

            # The kiosk: interpreter page → /media → MediaMTX → /media → listener page.
            interpreter = await booth.interpreter_in(browser, "Ana")
            await interpreter.wait_for_selector('#ingest-text[data-kind="live"]')
            await start_probe(interpreter, [CLICK_HZ], "microphone")
            listener = await booth.listener(browser)
            await start_probe(listener, [CLICK_HZ])
            await listener.locator(f'[data-channel="{ENGLISH}"]').click()
            await listener.wait_for_selector('#listen[data-playback="live"]')
            await asyncio.sleep(2.0)  # let the jitter buffer settle, as a listener would
            ours = await measure(interpreter, listener, seconds)
            await listener.locator("#stop").click()
            await interpreter.context.close()

            # Baseline: the same client and microphone, straight to MediaMTX.
            direct = await open_page(browser, kiosk.url("/"), LAPTOP, bypass_csp=True)
            webrtc = f"http://127.0.0.1:{kiosk.webrtc_port}/{GERMAN}"
            tokens = [
                await kiosk.invite_token(GERMAN, name="Bea"),
                kiosk.listener_token("ev", "main"),
            ]
            await direct.evaluate(DIRECT_JS, [f"{webrtc}/whip", f"{webrtc}/whep", *tokens])
            await start_probe(direct, [CLICK_HZ], "#direct")
            # The capture that is sent, on the same page (a second capture would start the
            # file anew and be out of step).
            await start_probe(direct, [CLICK_HZ], "microphone", probe="__probe2")
            await asyncio.sleep(2.0)
            baseline = await measure(direct, direct, seconds, capture_probe="__probe2")
    return {
        "seconds": seconds,
        "kiosk_ms": ours,
        "direct_ms": baseline,
        "kiosk_p50_ms": percentile(ours, 50),
        "kiosk_p95_ms": percentile(ours, 95),
        "direct_p50_ms": percentile(baseline, 50),
        "direct_p95_ms": percentile(baseline, 95),
    }


def main() -> None:
    """Parse arguments, run, print, save."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per side")
    parser.add_argument("--binary", type=Path, default=None, help="MediaMTX (default: PATH)")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    args = parser.parse_args()
    if not 5 <= args.seconds <= 300:
        parser.error("--seconds must be between 5 and 300")
    binary = args.binary
    if binary is None:
        from tests.functional.real_media.binary import MISSING_REASON, REAL_MEDIAMTX

        if REAL_MEDIAMTX is None:
            parser.error(MISSING_REASON)
        binary = REAL_MEDIAMTX
    started = time.monotonic()
    figures = asyncio.run(run(args.seconds, binary))
    print(f"mouth to ear, click pattern, {args.seconds:.0f} s per side:")
    print(f"  kiosk (/media proxy): {len(figures['kiosk_ms'])} clicks, "
          f"p50 {figures['kiosk_p50_ms']} ms, p95 {figures['kiosk_p95_ms']} ms "
          "(goal p95 <= 300 ms)")  # fmt: skip
    print(f"  baseline, direct WHIP->WHEP: {len(figures['direct_ms'])} clicks, "
          f"p50 {figures['direct_p50_ms']} ms, p95 {figures['direct_p95_ms']} ms")  # fmt: skip
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
