"""Listener page weight and first paint on a throttled connection, cold and warm cache.

Headless Chromium (Playwright, driven over CDP) opens the listener page as a phone on a poor
venue Wi-Fi would: `Network.emulateNetworkConditions` adds latency and caps the bandwidth
(default 400 ms, 400 kbit/s each way: slow-3G-ish). Two servers are measured in the same run:

- `ours`: the kiosk as `serve` runs it (bench/join_storm_server.py), with its caching headers:
  assets under a content-versioned URL cached for a year (immutable), the page `no-cache` with an
  ETag;
- `bare`: the same page HTML and the same static files from a plain aiohttp `add_static`, with no
  Cache-Control of its own (aiohttp's validators only): the page without our caching headers.

`cold` is a first visit (a fresh browser context: empty cache); `warm` is a second visit in the
same context, as a phone re-opening the poster link. For each it prints, as medians over the
repeats: first contentful paint, the load event, the requests that went to the network (304s
included) and the bytes transferred.

    python bench/listener_page.py [--repeats 5] [--latency-ms 400] [--kbps 400] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.async_api import Browser, ViewportSize, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.http.templating import STATIC_DIR  # noqa: E402

KIOSK = Path(__file__).resolve().parent / "join_storm_server.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = "/listen/storm/main"
PHONE: ViewportSize = {"width": 390, "height": 844}


def start_kiosk() -> tuple[subprocess.Popen[str], str]:
    """The kiosk in its own process; returns it and its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(KIOSK), "--kind", "ours"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().split()
    if not line or line[0] != "READY":
        raise RuntimeError("the kiosk did not start")
    return process, f"http://127.0.0.1:{line[1]}"


async def start_bare(html: str) -> tuple[web.AppRunner, str]:
    """The same page and files, served plainly: no Cache-Control, aiohttp's validators only."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get(PAGE, page)
    app.router.add_static("/static", STATIC_DIR)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def visit(
    browser: Browser, base: str, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    """A cold and then a warm visit in one fresh context; figures of each."""
    context = await browser.new_context(viewport=PHONE)
    figures = {}
    try:
        for phase in ("cold", "warm"):
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            await cdp.send("Network.enable")
            await cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": args.latency_ms,
                    "downloadThroughput": args.kbps * 1000 / 8,
                    "uploadThroughput": args.kbps * 1000 / 8,
                },
            )
            sent: dict[str, bool] = {}
            transferred: list[float] = []

            def on_response(event: dict[str, Any], sent: dict[str, bool] = sent) -> None:
                response = event["response"]
                cached = response.get("fromDiskCache") or response.get("fromPrefetchCache")
                sent[event["requestId"]] = not cached and event["response"]["url"].startswith(
                    "http"
                )

            def on_cache(event: dict[str, Any], sent: dict[str, bool] = sent) -> None:
                sent[event["requestId"]] = False

            def on_finished(event: dict[str, Any], transferred: list[float] = transferred) -> None:
                transferred.append(event["encodedDataLength"])

            cdp.on("Network.responseReceived", on_response)
            cdp.on("Network.requestServedFromCache", on_cache)
            cdp.on("Network.loadingFinished", on_finished)
            await page.goto(base + PAGE, wait_until="load")
            # From the cache the load event can come before the first paint, so the paint
            # entry is waited for (a buffered observer also sees one that came earlier).
            timing = await page.evaluate(
                """() => new Promise((resolve) => {
                    const nav = performance.getEntriesByType('navigation')[0];
                    setTimeout(() => resolve({fcp: null, load: nav.loadEventEnd}), 10000);
                    new PerformanceObserver((list, observer) => {
                        const fcp = list.getEntriesByName('first-contentful-paint')[0];
                        if (!fcp) return;
                        observer.disconnect();
                        resolve({fcp: fcp.startTime, load: nav.loadEventEnd});
                    }).observe({type: 'paint', buffered: true});
                })"""
            )
            if timing["fcp"] is None:
                raise RuntimeError(f"{base}: no first contentful paint 10 s after the {phase} load")
            figures[phase] = {
                "fcp_ms": timing["fcp"],
                "load_ms": timing["load"],
                "requests": sum(sent.values()),
                "kb": sum(transferred) / 1000,
            }
            await page.close()
    finally:
        await context.close()
    return figures


def fetch_text(url: str) -> str:
    """GET a page's text."""
    with urllib.request.urlopen(url) as reply:
        text: str = reply.read().decode()
    return text


def median_of(samples: list[dict[str, dict[str, float]]], phase: str, key: str) -> float:
    """Median of one figure over the repeats."""
    return statistics.median(s[phase][key] for s in samples)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both servers, alternating, `repeats` cold+warm visits each."""
    kiosk, ours_base = start_kiosk()
    try:
        html = await asyncio.to_thread(fetch_text, ours_base + PAGE)
        plain_html = re.sub(r"/static/[0-9a-f]{12}/", "/static/", html)
        bare_runner, bare_base = await start_bare(plain_html)
        bases = {"bare": bare_base, "ours": ours_base}
        samples: dict[str, list[dict[str, dict[str, float]]]] = {"bare": [], "ours": []}
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for repeat in range(args.repeats + 1):
                    for kind in ("bare", "ours") if repeat % 2 else ("ours", "bare"):
                        figures = await visit(browser, bases[kind], args)
                        if repeat:  # the first visit of each warms the servers up
                            samples[kind].append(figures)
            finally:
                await browser.close()
        await bare_runner.cleanup()
    finally:
        assert kiosk.stdin is not None
        kiosk.stdin.close()
        kiosk.wait(timeout=30)
    result: dict[str, Any] = {"latency_ms": args.latency_ms, "kbps": args.kbps}
    for kind, runs in samples.items():
        for phase in ("cold", "warm"):
            result[f"{kind}_{phase}"] = {
                key: median_of(runs, phase, key) for key in ("fcp_ms", "load_ms", "requests", "kb")
            }
    return result


def main() -> None:
    """Parse arguments, run, print and optionally save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=400.0)
    parser.add_argument("--kbps", type=float, default=400.0, help="bandwidth each way, kbit/s")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if not 1 <= args.repeats <= 50:
        parser.error("--repeats must be from 1 to 50")
    result = asyncio.run(run(args))
    print(
        f"listener page over {args.latency_ms:g} ms latency, {args.kbps:g} kbit/s "
        f"(medians of {args.repeats})"
    )
    print(f"{'':12} {'FCP ms':>8} {'load ms':>8} {'requests':>9} {'KB':>7}")
    for name in ("bare_cold", "ours_cold", "bare_warm", "ours_warm"):
        f = result[name]
        print(
            f"{name:12} {f['fcp_ms']:>8.0f} {f['load_ms']:>8.0f} {f['requests']:>9.0f}"
            f" {f['kb']:>7.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
