"""Benchmark: what a listener hears at a handover, with the real MediaMTX and real Chromium.

    python bench/handover_gap.py [--handovers 20] [--baseline 5] [--json FILE] [--binary PATH]

Two interpreters (Chromium each, microphones fed by tone files: Ana 440 Hz, Ben 660 Hz) and a
phone-sized listener page on English run against the whole kiosk (`make_app`, real SQLite, the
real MediaMTX found on PATH or given with --binary). Each handover goes through the real UI:
the incoming interpreter presses "Ask for the mic", the outgoing one presses "Accept".

A probe in the listener page measures the played stream every 256 samples (5.3 ms) at both
frequencies. Figures:
- gap: at the listener, from the last block with the outgoing tone to the first block with the
  incoming tone (negative = both audible at once);
- overlap: how long both tones were audible together (counted when > 50 ms);
- listener reconnects: WHEP offers the listener page made during the handovers, and how often
  its status left "live";
- baseline, in the same run: the listener's own reconnect, Stop then tap English again, from
  the tap to the first block of the tone.
Goal: gap p95 <= 150 ms, no reconnect, no overlap > 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Page, Request  # noqa: E402

from tests.functional.real_media.audio import (  # noqa: E402
    ENGLISH,
    HEARD,
    real_booth,
    start_probe,
    tone_wav,
    until_heard,
)

TONES = {"Ana": 440, "Ben": 660}
BLOCK_MS = 256 / 48
OVERLAP_LIMIT_MS = 50
SETTLE_S = 1.5  # after the incoming voice is heard, let the outgoing side finish leaving


@dataclass
class Figures:
    """Everything one run measured."""

    handovers: int
    gaps_ms: list[float] = field(default_factory=list)
    overlaps_ms: list[float] = field(default_factory=list)
    reconnects: int = 0
    left_live: int = 0
    baseline_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """p50/p95 and counts, as printed and saved."""
        return {
            "handovers": self.handovers,
            "measured": len(self.gaps_ms),
            "gap_p50_ms": percentile(self.gaps_ms, 50),
            "gap_p95_ms": percentile(self.gaps_ms, 95),
            "gap_max_ms": max(self.gaps_ms, default=None),
            "overlaps_over_50ms": sum(1 for o in self.overlaps_ms if o > OVERLAP_LIMIT_MS),
            "overlap_max_ms": max(self.overlaps_ms, default=None),
            "listener_reconnects": self.reconnects,
            "listener_left_live": self.left_live,
            "baseline_reconnect_p50_ms": percentile(self.baseline_ms, 50),
            "baseline_reconnect_p95_ms": percentile(self.baseline_ms, 95),
            "failures": self.failures,
        }


def percentile(values: list[float], p: int) -> float | None:
    """The p-th percentile (inclusive method), None without values."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 1)


def gap_and_overlap(rows: list[list[float]], outgoing: int, incoming: int) -> tuple[float, float]:
    """From probe rows: (gap ms, overlap ms) between the last outgoing and first incoming tone."""
    first_in = next(r[0] for r in rows if r[2 + incoming] > HEARD)
    before = [r[0] for r in rows if r[0] < first_in and r[2 + outgoing] > HEARD]
    last_out_end = before[-1] + BLOCK_MS if before else rows[0][0]
    after = [r[0] for r in rows if r[0] >= first_in and r[2 + outgoing] > HEARD]
    overlap = (after[-1] + BLOCK_MS - first_in) if after else 0.0
    return first_in - last_out_end, overlap


async def handover(
    pages: dict[str, Page], listener: Page, out: str, into: str
) -> list[list[float]]:
    """Ask (incoming) and accept (outgoing) in the UI; the probe rows around the switch."""
    start = await listener.evaluate("() => window.__probe.now()")
    await pages[into].locator("#ho-request").click()
    await pages[out].locator("#banner-accept").click()
    index = list(TONES).index(into)
    await until_heard(listener, index, start, within=30)
    await asyncio.sleep(SETTLE_S)
    # The incoming page must be sending before the next handover starts.
    await pages[into].wait_for_selector('#ingest-text[data-kind="live"]')
    rows: list[list[float]] = await listener.evaluate("(t) => window.__probe.since(t)", start)
    return rows


async def listener_reconnect(listener: Page, tone_index: int) -> float:
    """Stop, then tap English again: ms from the tap to the first block of the tone."""
    await listener.locator("#stop").click()
    await asyncio.sleep(1.0)
    start = await listener.evaluate("() => window.__probe.now()")
    await listener.locator(f'[data-channel="{ENGLISH}"]').click()
    heard = await until_heard(listener, tone_index, start, within=30)
    await asyncio.sleep(1.0)
    return float(heard - start)


async def run(handovers: int, baseline: int, binary: Path) -> Figures:
    """One whole measurement in a temporary folder."""
    figures = Figures(handovers)
    with tempfile.TemporaryDirectory(prefix="handover-gap-") as folder:
        tmp = Path(folder)
        async with real_booth(tmp, binary) as booth:
            pages: dict[str, Page] = {}
            for name, hz in TONES.items():
                pages[name] = await booth.interpreter(name, tone_wav(tmp / f"{name}.wav", hz))
                if name == "Ana":
                    await pages[name].wait_for_selector('#ingest-text[data-kind="live"]')
            listener = await booth.listener()
            await start_probe(listener, list(TONES.values()))
            await listener.locator(f'[data-channel="{ENGLISH}"]').click()
            await until_heard(listener, 0, 0, within=30)
            await asyncio.sleep(1.0)

            # Baseline first, with Ana on air: the listener's own stop and play again.
            for _ in range(baseline):
                figures.baseline_ms.append(await listener_reconnect(listener, 0))

            offers: list[str] = []

            def count(request: Request) -> None:
                if request.method == "POST" and request.url.endswith("/whep"):
                    offers.append(request.url)

            listener.on("request", count)
            playback_before = len(await listener.evaluate("() => window.__probe.playback"))
            names = list(TONES)
            for number in range(handovers):
                out, into = names[number % 2], names[(number + 1) % 2]
                try:
                    rows = await handover(pages, listener, out, into)
                except TimeoutError:
                    figures.failures.append(f"handover {number + 1}: {into} never heard")
                    continue
                gap, overlap = gap_and_overlap(rows, names.index(out), names.index(into))
                figures.gaps_ms.append(round(gap, 1))
                figures.overlaps_ms.append(round(overlap, 1))
                print(f"  handover {number + 1:2d} {out}->{into}: gap {gap:7.1f} ms, "
                      f"overlap {overlap:6.1f} ms", flush=True)  # fmt: skip
            figures.reconnects = len(offers)
            playback = await listener.evaluate("() => window.__probe.playback")
            figures.left_live = sum(1 for _, kind in playback[playback_before:] if kind != "live")
    return figures


def main() -> None:
    """Parse arguments, run, print, save."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--handovers", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=5, help="listener reconnects to time")
    parser.add_argument("--binary", type=Path, default=None, help="MediaMTX (default: PATH)")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    args = parser.parse_args()
    if args.handovers < 1 or args.baseline < 1:
        parser.error("--handovers and --baseline must be at least 1")
    binary = args.binary
    if binary is None:
        from tests.functional.real_media.binary import MISSING_REASON, REAL_MEDIAMTX

        if REAL_MEDIAMTX is None:
            parser.error(MISSING_REASON)
        binary = REAL_MEDIAMTX
    started = time.monotonic()
    figures = asyncio.run(run(args.handovers, args.baseline, binary))
    summary = figures.summary()
    print(f"handover gap at the listener, {summary['measured']}/{args.handovers} handovers:")
    print(f"  gap p50 {summary['gap_p50_ms']} ms, p95 {summary['gap_p95_ms']} ms, "
          f"max {summary['gap_max_ms']} ms (goal p95 <= 150 ms)")  # fmt: skip
    print(f"  overlaps > 50 ms: {summary['overlaps_over_50ms']} "
          f"(max {summary['overlap_max_ms']} ms)")  # fmt: skip
    print(f"  listener reconnects: {summary['listener_reconnects']} WHEP offers, "
          f"status left 'live' {summary['listener_left_live']} times")  # fmt: skip
    print(f"baseline, listener stop and play again ({len(figures.baseline_ms)}x): "
          f"p50 {summary['baseline_reconnect_p50_ms']} ms, "
          f"p95 {summary['baseline_reconnect_p95_ms']} ms")  # fmt: skip
    for failure in figures.failures:
        print(f"  FAILED: {failure}")
    print(f"({time.monotonic() - started:.0f} s)")
    if args.json:
        data = {"summary": summary, "raw": asdict(figures)}
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
