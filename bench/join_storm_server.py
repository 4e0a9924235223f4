"""The server side of the join-storm benchmark, run as its own process by `bench/join_storm.py`.

`--kind ours` is the kiosk as `voxbento-kiosk serve` runs it: `server.hosting.runner.run_server` over a
fresh SQLite data folder holding one event with one room of three booths, MediaMTX and TLS off,
listening on 127.0.0.1 with the configured listen backlog (`--backlog`, or the kiosk's default).
`--kind bare` is the floor: a minimal aiohttp app whose socket route accepts and sends one
pre-built `listen:state` frame, on a `SockSite` with the same backlog.

Prints "READY <port>" once it listens. Reads commands on stdin, one a line:

    profile-start        start pyinstrument (ours only needs it, but both accept it)
    profile-stop FILE    stop it, write its text report to FILE and its session to
                         FILE.pyisession (for `pyinstrument --load FILE.pyisession --show-all`)
    (end of input)       shut down

The kiosk's modules are imported only by `--kind ours`: the bare server's process holds aiohttp
and nothing else, so its collector walks a heap the size of a bare server's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from server.config import Config
    from server.hosting.runner import RunningServer

EVENT, ROOM = "storm", "main"
LANGUAGES = (("en", "English"), ("fr", "Français"), ("de", "Deutsch"))


def raise_file_limit() -> None:
    """Thousands of sockets need thousands of descriptors: raise the soft limit to the hard one."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Commands:
    """The stdin command loop shared by both kinds: profiling on demand, stop on end of input."""

    def __init__(self) -> None:
        self.profiler: Any = None

    async def run(self) -> None:
        """Obey stdin until it closes."""
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command, _, argument = line.strip().partition(" ")
            if command == "profile-start":
                from pyinstrument import Profiler

                self.profiler = Profiler(interval=0.0005, async_mode="disabled")
                self.profiler.start()
            elif command == "profile-stop" and self.profiler is not None:
                self.profiler.stop()
                text = self.profiler.output_text(unicode=False, color=False, show_all=False)
                await loop.run_in_executor(None, Path(argument).write_text, text)
                session = self.profiler.last_session
                await loop.run_in_executor(None, session.save, argument + ".pyisession")
                self.profiler = None
            print("OK", flush=True)


# ---------------------------------------------------------------------- the kiosk


async def seed(data_dir: Path) -> None:
    """One event whose main room has three booths, written with the kiosk's own migrations."""
    import db
    from server.app import open_database

    await open_database(db.sqlite_url(data_dir / "kiosk.sqlite3"))
    try:
        await db.create_event(EVENT, "Join storm")
        for code, name in LANGUAGES:
            await db.create_booth(EVENT, ROOM, code, name)
    finally:
        await db.close_db()


def ours_config(data_dir: Path, backlog: int | None) -> Config:
    """The config of a plain `serve` on loopback, port chosen by the system."""
    from server.config import parse_config

    server: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "tls": "off"}
    if backlog is not None:
        server["listen_backlog"] = backlog
    return parse_config(
        {
            "kiosk": {"data_dir": str(data_dir)},
            "server": server,
            "mediamtx": {"enabled": False},
        },
        source=data_dir.parent / "kiosk.toml",
    )


async def serve_ours(backlog: int | None) -> None:
    """Run the kiosk until stdin closes."""
    from server.hosting.runner import run_server

    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        await seed(data_dir)
        try:
            config = ours_config(data_dir, backlog)
        except Exception as exc:  # a kiosk without the listen_backlog key (before issue 13)
            print(f"note: {exc}; running with the kiosk's own backlog", file=sys.stderr)
            config = ours_config(data_dir, None)
        stop = asyncio.Event()

        def ready(server: RunningServer) -> None:
            print(f"READY {server.http_port}", flush=True)

        runner = asyncio.create_task(
            run_server(config, ready=ready, stop=stop, handle_signals=False)
        )
        commands = asyncio.create_task(Commands().run())
        done, _ = await asyncio.wait({runner, commands}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await runner
        commands.cancel()


# ---------------------------------------------------------------------- the floor


def bare_frame() -> str:
    """The same listen:state JSON the kiosk sends for the storm room."""
    channels: list[dict[str, Any]] = [
        {"booth_id": f"{EVENT}/{ROOM}/floor", "language_name": "Floor", "kind": "floor"}
    ]
    for code, name in LANGUAGES:
        channels.append(
            {
                "booth_id": f"{EVENT}/{ROOM}/{code}",
                "kind": "booth",
                "language_name": name,
                "language_code": code,
                "on_air": False,
                "muted": False,
                "switching": False,
                "listeners": 0,
                "transcription": False,
            }
        )
    message = {"type": "listen:state", "event": EVENT, "room": ROOM, "channels": channels}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


async def serve_bare(backlog: int) -> None:
    """Accept sockets and send each the pre-built frame until stdin closes."""
    frame = bare_frame()

    async def listen(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        await ws.send_str(frame)
        async for _ in ws:
            pass
        return ws

    app = web.Application()
    app.router.add_get(f"/ws/listen/{EVENT}/{ROOM}", listen)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.create_server(("127.0.0.1", 0), backlog=backlog)
    await web.SockSite(runner, sock, backlog=backlog).start()
    print(f"READY {sock.getsockname()[1]}", flush=True)
    await Commands().run()
    await runner.cleanup()


def main() -> None:
    """Entry point of the server process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=("ours", "bare"), required=True)
    parser.add_argument("--backlog", type=int, help="listen backlog (bare: default 2048)")
    parser.add_argument("--loop", choices=("asyncio", "uvloop", "default"), default="default")
    args = parser.parse_args()
    raise_file_limit()
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    elif args.loop == "asyncio":
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    if args.kind == "ours":
        asyncio.run(serve_ours(args.backlog))
    else:
        asyncio.run(serve_bare(args.backlog or 2048))


if __name__ == "__main__":
    main()
