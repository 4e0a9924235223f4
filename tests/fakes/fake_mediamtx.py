"""A stand-in for MediaMTX that runs as a real process: `python fake_mediamtx.py CONFIG.yml`.

It follows the facts in docs/mediamtx.md (v1.20.1, checked against the real binary): strict config (unknown key: exit 1), the v3 API on
`apiAddress`, WHIP/WHEP with the external HTTP auth hook on `webrtcAddress`, a file watch with a
1 s debounce (a failed reload exits 0), graceful exit 0 on SIGTERM/SIGINT, and log lines like
`YYYY/MM/DD HH:MM:SS INF [Component] message`. It carries no media.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
import time
from pathlib import Path

from aiohttp import web
from fake_mediamtx_api import VERSION, make_api_app
from fake_mediamtx_conf import ConfigError, load_config
from fake_mediamtx_state import FakeState
from fake_mediamtx_webrtc import WebRTCListener

WATCH_INTERVAL = 0.2
DEBOUNCE = 1.0


def log(line: str) -> None:
    """Print one log line in MediaMTX's format."""
    print(f"{time.strftime('%Y/%m/%d %H:%M:%S')} {line}", flush=True)


async def start_listener(app: web.Application, address: str, component: str) -> web.AppRunner:
    """Bind `address` (host:port; an empty host means every interface) and serve `app`."""
    host, _, port = address.rpartition(":")
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host or None, int(port)).start()
    except OSError as err:
        await runner.cleanup()
        if err.errno == errno.EADDRINUSE:
            raise OSError(err.errno, f"listen tcp {address}: bind: address already in use") from err
        raise OSError(err.errno, f"listen tcp {address}: {err.strerror}") from err
    log(f"INF [{component}] listener opened on {address}")
    return runner


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is rewritten or replaced."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


async def watch_config(path: Path, state: FakeState, stop: asyncio.Future[int]) -> None:
    """Reload the file after it has been quiet for DEBOUNCE; a failed reload stops with 0."""
    seen = file_signature(path)
    while True:
        await asyncio.sleep(WATCH_INTERVAL)
        current = file_signature(path)
        if current == seen:
            continue
        # Wait for the writer to finish: reload only once the file stays unchanged for DEBOUNCE.
        settled_at = time.monotonic()
        while time.monotonic() - settled_at < DEBOUNCE:
            await asyncio.sleep(WATCH_INTERVAL)
            newer = file_signature(path)
            if newer != current:
                current, settled_at = newer, time.monotonic()
        seen = current
        log("INF reloading configuration (file changed)")
        try:
            settings, defaults, paths = load_config(path)
        except ConfigError as err:
            log(f"ERR {err}")
            if not stop.done():
                stop.set_result(0)
            return
        state.load(settings, defaults, paths)


async def serve(config_path: Path) -> int:
    """Run until a signal, a crash command or a failed reload; return the exit code."""
    try:
        settings, defaults, paths = load_config(config_path)
    except ConfigError as err:
        log(f"ERR {err}")
        return 1
    log(f"INF MediaMTX {VERSION} (stand-in)")
    log(f"INF configuration loaded from {config_path}")
    state = FakeState(settings, defaults, paths)
    runners: list[web.AppRunner] = []
    try:
        if settings["api"]:
            runners.append(await start_listener(make_api_app(state), settings["apiAddress"], "API"))
        if settings["webrtc"]:
            webrtc = WebRTCListener(state, log).make_app()
            runners.append(await start_listener(webrtc, settings["webrtcAddress"], "WebRTC"))
    except OSError as err:
        for runner in runners:
            await runner.cleanup()
        log(f"ERR {err.strerror}")
        return 1

    loop = asyncio.get_running_loop()
    stop: asyncio.Future[int] = loop.create_future()

    def on_signal(signum: int) -> None:
        if state.ignore_sigterm:
            log(f"INF ignoring signal {signum} (test control)")
            return
        log("INF shutting down gracefully")
        if not stop.done():
            stop.set_result(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    watcher = asyncio.create_task(watch_config(config_path, state, stop))
    code = await stop
    watcher.cancel()
    for runner in runners:
        await runner.cleanup()
    return code


def main() -> None:
    """Entry point: the first argument is the config path, as with MediaMTX."""
    config_path = Path(sys.argv[1] if len(sys.argv) > 1 else "mediamtx.yml")
    sys.exit(asyncio.run(serve(config_path)))


if __name__ == "__main__":
    main()
