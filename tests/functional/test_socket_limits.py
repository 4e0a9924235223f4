"""Websocket floods: per-address caps, a descriptor reserve, and a log that stays small.

The flood test runs a real `serve` process whose open-file limit is lowered to 256 (so a few
hundred sockets reach it, as a thousand did at the default 1,024), and floods it from one
address with listener websockets and then with bare TCP connections.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from kiosk.cli import main
from tests.cli_support import ROOT
from tests.fakes import free_port
from tests.harness.app import make_config, make_services
from tests.server_support import seed_booth, serve

# Slow: each test fills sockets up to the server's limits.
pytestmark = pytest.mark.slow

WAIT = 30.0  # a safety net against hangs, never a measured duration
LOWERED_LIMIT = 256
LOG_BOUND = 256 * 1024  # bytes: the access lines of the flood, and no tracebacks


def ws_url(base: str, path: str) -> str:
    return base.replace("http", "ws", 1) + path


async def open_listeners(base: str, count: int, batch: int = 25) -> tuple[list[object], Counter]:
    """Open `count` listener sockets in batches; the open ones and the outcome counts."""
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    opened: list[object] = [session]
    outcomes: Counter[str] = Counter()

    async def one() -> None:
        try:
            ws = await session.ws_connect(ws_url(base, "/ws/listen/demo/main"))
        except aiohttp.WSServerHandshakeError as refused:
            outcomes[str(refused.status)] += 1
        except aiohttp.ClientError:
            outcomes["no connection"] += 1
        else:
            opened.append(ws)
            outcomes["open"] += 1

    for start in range(0, count, batch):
        await asyncio.gather(*(one() for _ in range(min(batch, count - start))))
    return opened, outcomes


async def close_all(opened: list[object]) -> None:
    session, *sockets = opened
    for ws in sockets:
        await ws.close()  # type: ignore[attr-defined]
    await session.close()  # type: ignore[attr-defined]


def healthz(base: str) -> int:
    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as reply:
        return int(reply.status)


def lowered_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (LOWERED_LIMIT, LOWERED_LIMIT))


# A real asyncio server in its own process, with the kiosk's loop handler and 32 descriptors:
# clients use them up, accept() fails, asyncio schedules a retry a second later, and the server
# closes before it comes (as at a shutdown right after a flood).
RETRY_AFTER_CLOSE = """
import asyncio, logging, resource, socket
from server.http.socket_limits import AcceptErrorThrottle

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))

async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(AcceptErrorThrottle(loop.get_exception_handler()))
    server = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    clients = []
    try:
        while True:
            clients.append(socket.create_connection(("127.0.0.1", port)))
    except OSError:
        pass
    await asyncio.sleep(0.2)
    server.close()
    for client in clients:
        client.close()
    await asyncio.sleep(1.5)

asyncio.run(main())
"""


def test_a_retry_to_accept_after_the_server_closed_is_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    script = tmp_path / "retry_after_close.py"
    script.write_text(RETRY_AFTER_CLOSE)
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr
    assert "cannot accept connections: Too many open files" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.count("stopped retrying to accept connections") == 1, done.stderr


def test_a_flood_from_one_address_leaves_healthz_up_and_the_log_small(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the flood's own sockets
    port = free_port()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[server]\nhost = "127.0.0.1"\nport = {port}\ntls = "off"\n'
        "[mediamtx]\nenabled = false\n"
    )
    for argv in (
        ("init",),
        ("event", "add", "demo", "Demo"),
        ("booth", "add", "demo/main", "en", "English"),
    ):
        assert main([*argv, "--config", str(config)]) == 0
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve", "--config", str(config)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=lowered_limit,
        )
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                assert healthz(base) == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the kiosk never answered /healthz"
                time.sleep(0.2)

        async def websocket_flood() -> Counter[str]:
            opened, outcomes = await open_listeners(base, 300)
            try:
                # While every allowed socket is held, the kiosk still answers.
                assert await asyncio.to_thread(healthz, base) == 200
            finally:
                await close_all(opened)
            return outcomes

        outcomes = asyncio.run(websocket_flood())
        assert outcomes["503"] > 0, outcomes
        assert 0 < outcomes["open"] < LOWERED_LIMIT, outcomes

        # Bare connections that never speak use up every descriptor for a moment.
        raw = [socket.create_connection(("127.0.0.1", port)) for _ in range(LOWERED_LIMIT + 50)]
        time.sleep(2.0)
        for conn in raw:
            conn.close()
        deadline = time.monotonic() + WAIT
        while True:
            try:
                assert healthz(base) == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the kiosk did not recover"
                time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=WAIT)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    text = log.read_text(errors="replace")
    assert "Traceback" not in text
    assert log.stat().st_size < LOG_BOUND, f"the log grew to {log.stat().st_size} bytes"


@pytest.fixture
async def capped(memory_db: None, tmp_path: Path) -> AsyncIterator[TestServer]:
    """The whole app with room for 5 listener sockets per client address."""
    await seed_booth("demo")
    config = make_config(tmp_path, server={"listener_sockets_per_address": 5})
    async with serve(config, make_services()) as server:
        yield server


@pytest.mark.anyio
async def test_listener_sockets_per_address_are_capped_and_others_still_get_in(
    capped: TestServer,
) -> None:
    base = str(capped.make_url("")).rstrip("/")
    opened, outcomes = await open_listeners(base, 8, batch=1)
    try:
        assert outcomes == {"open": 5, "503": 3}
        # Another address is not affected by this one's share.
        connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
        async with aiohttp.ClientSession(connector=connector) as other:
            ws = await other.ws_connect(ws_url(base, "/ws/listen/demo/main"))
            await ws.close()
        # A closed socket gives its place back.
        await opened.pop().close()  # type: ignore[attr-defined]
        await asyncio.sleep(0.2)
        again, outcome = await open_listeners(base, 1)
        assert outcome == {"open": 1}
        await close_all(again)
    finally:
        await close_all(opened)


@pytest.mark.anyio
async def test_a_refused_socket_gets_a_plain_503_with_retry_after(capped: TestServer) -> None:
    base = str(capped.make_url("")).rstrip("/")
    opened, _ = await open_listeners(base, 5, batch=1)
    try:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(ws_url(base, "/ws/listen/demo/main"))
        assert refused.value.status == 503
        assert refused.value.headers is not None
        assert refused.value.headers["Retry-After"] == "30"
    finally:
        await close_all(opened)
