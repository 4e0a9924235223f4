"""The listener join path: listen backlog, the in-memory room directory and the first frame.

A room of phones arrives at once when a talk starts; these tests check the behaviour that makes
that cheap (the speed itself is measured by bench/join_storm.py): the backlog really reaches
the kernel, a phone's join reads no database, and the first `listen:state` is the room's
current one, also after a change.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

import db
from server.app import open_database
from server.config import ConfigError, parse_config
from server.hosting.collector import YOUNG_THRESHOLD, pace_collector
from server.hosting.runner import KioskRunner, RunningServer, run_server
from server.hosting.startup import bind_port, kernel_backlog_cap
from server.http.middleware import SECURITY_HEADERS
from server.keys import BOOTH_RUNTIME, WS_HUB
from server.ws.keepalive import KERNEL_WATCH
from server.ws.room_directory import ROOM_DIRECTORY, rooms_changed
from tests.admin_support import ADMIN, running_admin_kiosk, signed_in, submit
from tests.harness.app import make_config, make_services, running_kiosk
from tests.harness.clock import FakeClock
from tests.server_support import browser
from tests.ws_support import EN, close_code, next_message, seed_venue

pytestmark = pytest.mark.anyio


def kernel_backlog(port: int) -> int:
    """The backlog of the listening socket on `port`, as `ss -ltn` shows it (Send-Q)."""
    out = subprocess.run(
        ["ss", "-Hltn", f"( sport = :{port} )"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out, f"nothing listens on {port}"
    return int(out[2])


def expected_backlog(asked: int) -> int:
    cap = kernel_backlog_cap()
    return min(asked, cap) if cap is not None else asked


# ---------------------------------------------------------------------- the listen backlog


def test_the_listen_backlog_defaults_to_2048_and_is_validated(tmp_path: Path) -> None:
    assert parse_config({}).server.listen_backlog == 2048
    assert parse_config({"server": {"listen_backlog": 300}}).server.listen_backlog == 300
    for bad in (0, 15, 70000, "many", 2048.0):
        with pytest.raises(ConfigError, match=r"\[server\] listen_backlog must be"):
            parse_config({"server": {"listen_backlog": bad}}, source=tmp_path / "kiosk.toml")


async def test_serve_listens_with_the_configured_backlog(tmp_path: Path) -> None:
    config = make_config(
        tmp_path, server={"host": "127.0.0.1", "port": 0, "tls": "off", "listen_backlog": 1000}
    )
    started: asyncio.Future[RunningServer] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_server(config, ready=started.set_result, stop=stop, handle_signals=False)
    )
    try:
        running = await asyncio.wait_for(started, 30)
        assert kernel_backlog(running.http_port) == expected_backlog(1000)
    finally:
        stop.set()
        await task


async def test_the_console_server_listens_with_the_configured_backlog(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        server={"host": "127.0.0.1", "port": 0, "https_port": 0, "listen_backlog": 700},
    )
    host = KioskRunner(config, make_services())
    try:
        running = await host.start()
        assert running.https_port is not None
        assert kernel_backlog(running.http_port) == expected_backlog(700)
        assert kernel_backlog(running.https_port) == expected_backlog(700)
    finally:
        await host.stop()


# ---------------------------------------------------------------------- the collector's pace


@pytest.fixture
def default_collector() -> Iterator[None]:
    """CPython's default thresholds for the test, and whatever was set before put back after."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def test_serve_and_the_console_pace_the_collector(
    tmp_path: Path, default_collector: None
) -> None:
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "tls": "off"})
    started: asyncio.Future[RunningServer] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_server(config, ready=started.set_result, stop=stop, handle_signals=False)
    )
    try:
        await asyncio.wait_for(started, 30)
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    finally:
        stop.set()
        await task

    gc.set_threshold(700, 10, 10)
    host = KioskRunner(make_config(tmp_path / "console", server={"port": 0}), make_services())
    try:
        await host.start()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    finally:
        await host.stop()


def test_pacing_never_lowers_a_threshold_nor_enables_a_disabled_collector(
    default_collector: None,
) -> None:
    gc.set_threshold(50_000, 20, 5)
    pace_collector()
    assert gc.get_threshold() == (50_000, 20, 5)
    gc.set_threshold(0, 10, 10)  # 0: automatic collection is off
    pace_collector()
    assert gc.get_threshold() == (0, 10, 10)


# ---------------------------------------------------------------------- no database per phone


async def test_phones_join_with_the_database_closed(file_db: Path) -> None:
    """Once the kiosk runs, a join reads only memory: with every database connection closed,
    phones still get their room (with and without a listener code) and refusals stay right."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        directory = kiosk.app[ROOM_DIRECTORY]
        reloads = directory.reloads
        await db.close_db()
        try:
            state = await next_message(await kiosk.connect("/ws/listen/conf/main"))
            coded = await next_message(
                await kiosk.connect("/ws/listen/pin/main", kiosk.listener_token("pin", "main"))
            )
            no_token = await close_code(await kiosk.connect("/ws/listen/pin/main"))
            wrong_room = await close_code(
                await kiosk.connect("/ws/listen/pin/main", kiosk.listener_token("conf", "main"))
            )
            # An unknown room asks the database once (and fails quietly: still "no such room");
            # the next unknown room within the second does not ask again.
            unknown = [
                await close_code(await kiosk.connect(f"/ws/listen/conf/{room}"))
                for room in ("nope", "gone")
            ]
        finally:
            await db.init_db(db.sqlite_url(file_db))
    assert state["type"] == "listen:state" and state["room"] == "main"
    assert [c["booth_id"] for c in state["channels"]] == ["conf/main/floor", EN, "conf/main/fr"]
    assert coded["type"] == "listen:state" and coded["event"] == "pin"
    assert (no_token, wrong_room, unknown) == (4001, 4003, [4004, 4004])
    assert directory.reloads == reloads  # the failed read did not count as one


async def test_a_room_made_elsewhere_is_found_by_one_shared_reload(memory_db: None) -> None:
    """A room created behind the running kiosk's back (the CLI, another process) is found on
    its first phone; a crowd asking at once shares that one database read."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        directory = kiosk.app[ROOM_DIRECTORY]
        await db.create_room("conf", "annex", "Annex")
        reloads = directory.reloads
        sockets = await asyncio.gather(*(kiosk.connect("/ws/listen/conf/annex") for _ in range(20)))
        states = [await next_message(ws) for ws in sockets]
    assert {s["room"] for s in states} == {"annex"}
    assert directory.reloads == reloads + 1


# ---------------------------------------------------------------------- the first frame


async def test_the_first_frame_follows_changes_of_the_room(memory_db: None) -> None:
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        first = await next_message(await kiosk.connect("/ws/listen/conf/main"))
        booth = await db.create_booth("conf", "main", "de", "Deutsch")
        kiosk.app[BOOTH_RUNTIME].register(booth)
        later = await next_message(await kiosk.connect("/ws/listen/conf/main"))
        kiosk.services.registry.update_booth(EN, language_name="English (UK)")
        last = await next_message(await kiosk.connect("/ws/listen/conf/main"))
    assert [c["booth_id"] for c in first["channels"]][1:] == [EN, "conf/main/fr"]
    assert [c["booth_id"] for c in later["channels"]][1:] == [EN, "conf/main/fr", "conf/main/de"]
    assert [c["language_name"] for c in last["channels"]][1] == "English (UK)"


async def test_deleted_rooms_and_new_codes_reach_the_directory(memory_db: None) -> None:
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        await db.update_event("conf", display_name="Conference", listener_code="4321")
        await db.delete_room("conf", "hall")
        await rooms_changed(kiosk.app)
        needs_token = await close_code(await kiosk.connect("/ws/listen/conf/main"))
        hall = await close_code(await kiosk.connect("/ws/listen/conf/hall"))
    assert (needs_token, hall) == (4001, 4004)


async def test_admin_edits_reach_listener_sockets_at_once(tmp_path: Path, memory_db: None) -> None:
    """Through the real forms: a new room is open to phones at once, a listener code set on
    the event keeps tokenless phones out, and a deleted room is gone."""
    async with (
        running_admin_kiosk(tmp_path) as kiosk,
        signed_in(kiosk, ADMIN) as admin,
        browser(kiosk.server) as phone,
    ):
        made = await submit(
            kiosk, admin, "/admin/events/pycon/new-room", {"slug": "annex", "name": "Annex"}
        )
        directory = kiosk.server.app[ROOM_DIRECTORY]
        annex_known = directory.lookup("pycon", "annex") is not None
        annex = await next_message(await phone.ws_connect("/ws/listen/pycon/annex"))
        coded = await submit(
            kiosk,
            admin,
            "/admin/events/pycon/edit",
            {"name": "PyCon 2026", "listener_code": "2468"},
        )
        refused = await close_code(await phone.ws_connect("/ws/listen/pycon/main"))
        page = "/admin/events/pycon/rooms/annex/delete"
        deleted = await submit(kiosk, admin, page, {}, action=page)
        gone = directory.lookup("pycon", "annex")
    assert (made[0], coded[0], deleted[0]) == (303, 303, 303)
    assert annex_known and annex["room"] == "annex"
    assert refused == 4001
    assert gone is None


async def test_the_kernel_watches_listener_sockets_for_phones_gone_silent(
    memory_db: None,
) -> None:
    """Listener sockets carry TCP keepalive (idle 20 s, then probes) instead of a ping timer
    per phone."""
    await seed_venue()
    async with running_kiosk(clock=FakeClock()) as kiosk:
        await kiosk.listener("conf", "main")
        (conn,) = list(kiosk.app[WS_HUB].connections)
        sock = conn.request.transport.get_extra_info("socket")
        options = (
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
        )
    assert options == (1, 20, 4, 60_000)


def keepalive_options(sock: socket.socket) -> tuple[int, ...]:
    return tuple(sock.getsockopt(level, option) for level, option, _ in KERNEL_WATCH)


WANTED_KEEPALIVE = tuple(value for _, _, value in KERNEL_WATCH)


def test_the_listening_socket_hands_keepalive_to_every_connection(tmp_path: Path) -> None:
    """bind_port sets the options once; each accepted connection has them without a call."""
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0})
    listening = bind_port(config, "port")
    try:
        assert keepalive_options(listening) == WANTED_KEEPALIVE
        with socket.create_connection(listening.getsockname()[:2]):
            accepted, _ = listening.accept()
            with accepted:
                assert keepalive_options(accepted) == WANTED_KEEPALIVE
    finally:
        listening.close()


async def upgrade(port: int, path: str) -> tuple[str, dict[str, str]]:
    """Send a websocket upgrade by hand; the status line and headers of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nAccept: application/json\r\n\r\n".encode()
    )
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode()
    writer.close()
    status, *lines = head.strip().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return status, {k.lower(): v for k, v in headers.items()}


async def test_the_listener_socket_keeps_its_checks_on_the_short_middleware_chain(
    tmp_path: Path,
) -> None:
    """`serve`'s listener socket: the 101 carries the security headers, an over-long room is
    the kiosk's own JSON 404 before any upgrade, and the connection has the kernel's
    keepalive from the listening socket."""
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "tls": "off"})
    config.data_dir.mkdir(parents=True, exist_ok=True)
    await open_database(config.database_url)
    try:
        await db.create_event("conf", "Conference")
        await db.create_booth("conf", "main", "en", "English")
    finally:
        await db.close_db()
    started: asyncio.Future[RunningServer] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_server(config, ready=started.set_result, stop=stop, handle_signals=False)
    )
    try:
        running = await asyncio.wait_for(started, 30)
        status, headers = await upgrade(running.http_port, "/ws/listen/none/main")
        assert status.startswith("HTTP/1.1 101")
        for name, value in SECURITY_HEADERS.items():
            assert headers[name.lower()] == value

        status, headers = await upgrade(running.http_port, "/ws/listen/none/" + "r" * 300)
        assert status.startswith("HTTP/1.1 404")
        assert headers["content-type"].startswith("application/json")
        assert headers["x-frame-options"] == "DENY"

        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{running.http_port}/ws/listen/conf/main") as ws,
        ):
            assert (await ws.receive_json())["type"] == "listen:state"
            (conn,) = list(running.app[WS_HUB].connections)
            sock = conn.request.transport.get_extra_info("socket")
            assert keepalive_options(sock) == WANTED_KEEPALIVE
    finally:
        stop.set()
        await task
