"""The server side of the fan-out benchmark, run as its own process by `bench/fanout.py`.

`--kind ours` serves the kiosk's real listener socket (`setup_websockets` over a SQLite file);
`--kind bare` is the baseline: a minimal aiohttp app that keeps its sockets in a set and sends
the same JSON string to each. Both add two control routes on the same port:

    POST /bench/change   make one state change (ours: the cough button of a booth)
    GET  /bench/rss      {"rss": bytes, "sockets": n} of this process

Prints "READY <port>" on stdout once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db  # noqa: E402
from server.booth.runtime import setup_booth_runtime  # noqa: E402
from server.booth.state import Identity  # noqa: E402
from server.config import Config  # noqa: E402
from server.identity import Role  # noqa: E402
from server.keys import CONFIG, SERVICES, WS_HUB  # noqa: E402
from server.secrets.fernet_keys import generate_key  # noqa: E402
from server.secrets.store import KioskSecrets  # noqa: E402
from server.services import Services  # noqa: E402
from server.ws import setup_websockets  # noqa: E402

EVENT, ROOM = "bench", "main"
BOOTH = f"{EVENT}/{ROOM}/en"
CONSOLE = Identity("bench:console", "Bench console", Role.TECHNICIAN)
SOCKETS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("bench_sockets", set)
MUTED: web.AppKey[list[bool]] = web.AppKey("bench_muted", list)


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of descriptors: raise the soft limit to the hard one."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_bytes() -> int:
    """Resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------- the kiosk's socket


async def ours_app(data_dir: Path) -> web.Application:
    """The websocket layer over a fresh SQLite file with one room of three booths."""
    await db.init_db(db.sqlite_url(data_dir / "bench.sqlite3"), generate_schemas=True)
    await db.create_event(EVENT, "Benchmark")
    for code, name in (("en", "English"), ("fr", "Français"), ("de", "Deutsch")):
        await db.create_booth(EVENT, ROOM, code, name)
    app = web.Application()
    app[CONFIG] = Config()
    secrets = KioskSecrets(jwt_key="b" * 48, fernet_keys=(generate_key(),), media_secret="m")
    app[SERVICES] = Services(secrets=secrets, open_database=False)
    setup_booth_runtime(app)
    setup_websockets(app)

    async def change(request: web.Request) -> web.Response:
        registry = request.app[SERVICES].registry
        if registry.participant(BOOTH, CONSOLE.participant_id) is None:
            registry.join(BOOTH, CONSOLE)
        registry.set_muted(BOOTH, CONSOLE.participant_id, not registry.snapshot(BOOTH).muted)
        return web.json_response({"ok": True})

    async def rss(request: web.Request) -> web.Response:
        sockets = len(request.app[WS_HUB].connections)
        return web.json_response({"rss": rss_bytes(), "sockets": sockets})

    app.router.add_post("/bench/change", change)
    app.router.add_get("/bench/rss", rss)
    return app


# ---------------------------------------------------------------------- the baseline


def bare_state(muted: bool) -> str:
    """The same listen:state JSON the kiosk sends for the benchmark room."""
    channels: list[dict[str, Any]] = [
        {"booth_id": f"{EVENT}/{ROOM}/floor", "language_name": "Floor", "kind": "floor"}
    ]
    for code, name in (("en", "English"), ("fr", "Français"), ("de", "Deutsch")):
        channels.append(
            {
                "booth_id": f"{EVENT}/{ROOM}/{code}",
                "kind": "booth",
                "language_name": name,
                "language_code": code,
                "on_air": False,
                "muted": muted and code == "en",
                "switching": False,
                "listeners": 0,
                "transcription": False,
            }
        )
    message = {"type": "listen:state", "event": EVENT, "room": ROOM, "channels": channels}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def bare_app() -> web.Application:
    """A minimal aiohttp broadcast: a set of sockets and a loop of send_str."""
    app = web.Application()
    app[SOCKETS] = set()
    app[MUTED] = [False]

    async def listen(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        request.app[SOCKETS].add(ws)
        await ws.send_str(bare_state(request.app[MUTED][0]))
        try:
            async for _ in ws:
                pass
        finally:
            request.app[SOCKETS].discard(ws)
        return ws

    async def change(request: web.Request) -> web.Response:
        request.app[MUTED][0] = not request.app[MUTED][0]
        text = bare_state(request.app[MUTED][0])
        sockets = request.app[SOCKETS]
        for ws in list(sockets):
            await ws.send_str(text)
        return web.json_response({"ok": True})

    async def rss(request: web.Request) -> web.Response:
        return web.json_response({"rss": rss_bytes(), "sockets": len(request.app[SOCKETS])})

    app.router.add_get(f"/ws/listen/{EVENT}/{ROOM}", listen)
    app.router.add_post("/bench/change", change)
    app.router.add_get("/bench/rss", rss)
    return app


async def serve(kind: str) -> None:
    """Listen on a free loopback port until stdin closes."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = await ours_app(Path(data_dir)) if kind == "ours" else bare_app()
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port = runner.addresses[0][1]
        print(f"READY {port}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        await runner.cleanup()
        if kind == "ours":
            await db.close_db()


def main() -> None:
    """Entry point of the server process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=("ours", "bare"), required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    raise_file_limit()
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    asyncio.run(serve(args.kind))


if __name__ == "__main__":
    main()
