"""MediaMTX inside the running kiosk: the real app, the stand-in as `[mediamtx] binary`, SQLite.

Covers /healthz, the paths MediaMTX gets (booths and floor channels, at start, at run time and
after a crash), live status reaching the listener socket, and a kiosk with no binary at all.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import db
from server.keys import BOOTH_RUNTIME
from tests.fakes import write_fake_binary
from tests.media_support import (
    ClientSocket,
    MediaKiosk,
    media_kiosk,
    next_where,
    off_air,
    on_air,
    seed_rooms,
)
from tests.ws_support import channel

# Slow: each test starts the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EN, DE = "ev/main/en", "ev/main/de"
SEEDED_PATHS = {EN, DE, "ev/main/floor", "ev/hall/floor"}


@pytest.fixture
async def kiosk(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk over a seeded database, with the stand-in as its MediaMTX, running."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as running:
        await running.until_health("running")
        yield running


async def joined_interpreter(kiosk: MediaKiosk, booth_id: str) -> ClientSocket:
    """An interpreter's booth socket, joined (the first interpreter takes the mic)."""
    token = await kiosk.invite_token(booth_id)
    ws = await kiosk.session.ws_connect(
        kiosk.ws_url(f"/ws/booth/{booth_id}"), params={"token": token}
    )
    await ws.send_json({"type": "booth:join"})
    await next_where(ws, lambda m: m["type"] == "booth:joined")
    return ws


async def test_healthz_says_running_once_mediamtx_answers(kiosk: MediaKiosk) -> None:
    body = await kiosk.healthz()
    assert (body["ok"], body["mediamtx"], "mediamtx_reason" in body) == (True, "running", False)


async def test_mediamtx_serves_every_booth_and_every_floor_channel(kiosk: MediaKiosk) -> None:
    assert await kiosk.configured_paths() == SEEDED_PATHS


async def test_a_booth_created_at_run_time_gets_its_path_at_once(kiosk: MediaKiosk) -> None:
    booth = await db.create_booth("ev", "hall", "fr", "Français")
    kiosk.app[BOOTH_RUNTIME].register(booth)
    names = await kiosk.until_paths({"ev/hall/fr"})
    assert names == SEEDED_PATHS | {"ev/hall/fr"}


async def test_a_killed_mediamtx_is_restarted_with_every_path(kiosk: MediaKiosk) -> None:
    booth = await db.create_booth("ev", "hall", "fr", "Français")
    kiosk.app[BOOTH_RUNTIME].register(booth)
    await kiosk.until_paths({"ev/hall/fr"})
    first_pid = kiosk.supervisor.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    await kiosk.until_restarted()
    body = await kiosk.until_health("running")
    names = await kiosk.configured_paths()
    assert (kiosk.supervisor.restarts, kiosk.supervisor.pid != first_pid, body["ok"]) == (
        1,
        True,
        True,
    )
    assert names == SEEDED_PATHS | {"ev/hall/fr"}


async def test_healthz_gives_the_reason_while_mediamtx_is_down(kiosk: MediaKiosk) -> None:
    assert kiosk.supervisor.pid is not None
    os.kill(kiosk.supervisor.pid, signal.SIGKILL)
    body = await kiosk.until_health("failed")
    assert "killed by SIGKILL" in body["mediamtx_reason"]


async def test_a_publisher_going_online_puts_the_booth_on_air_for_listeners(
    kiosk: MediaKiosk,
) -> None:
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    interpreter = await joined_interpreter(kiosk, EN)
    # MediaMTX runs, so an active interpreter alone is not on air: the stream must be online.
    await next_where(listener, off_air(EN))
    assert await kiosk.fake(f"/_fake/paths/online/{EN}") == 200
    state = await next_where(listener, on_air(EN))
    assert [c["on_air"] for c in state["channels"] if c["kind"] == "booth"] == [True, False]
    await interpreter.close()


async def test_a_publisher_going_offline_takes_the_booth_off_air(kiosk: MediaKiosk) -> None:
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    interpreter = await joined_interpreter(kiosk, EN)
    await kiosk.fake(f"/_fake/paths/online/{EN}")
    await next_where(listener, on_air(EN))
    await kiosk.fake(f"/_fake/paths/offline/{EN}")
    assert (await next_where(listener, off_air(EN)))["type"] == "listen:state"
    await interpreter.close()


async def test_a_whip_publish_through_the_kiosk_puts_the_booth_on_air(kiosk: MediaKiosk) -> None:
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    interpreter = await joined_interpreter(kiosk, EN)
    assert await kiosk.whip(EN, await kiosk.invite_token(EN, name="Ana")) == 201
    assert (await next_where(listener, on_air(EN)))["type"] == "listen:state"
    await interpreter.close()


@pytest.fixture
async def kiosk_without_mediamtx(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk with `binary` pointing at nothing."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=tmp_path / "nowhere" / "mediamtx") as running:
        yield running


async def test_without_a_binary_healthz_says_missing_and_how_to_fix_it(
    kiosk_without_mediamtx: MediaKiosk,
) -> None:
    body = await kiosk_without_mediamtx.healthz()
    assert (body["ok"], body["mediamtx"]) == (True, "missing")
    assert "voxbento-kiosk mediamtx install" in body["mediamtx_reason"]


async def test_without_a_binary_the_pages_and_sockets_still_work(
    kiosk_without_mediamtx: MediaKiosk,
) -> None:
    kiosk = kiosk_without_mediamtx
    async with kiosk.session.get(kiosk.url("/")) as home:
        assert home.status == 200
    listener = await kiosk.session.ws_connect(kiosk.ws_url("/ws/listen/ev/main"))
    interpreter = await joined_interpreter(kiosk, EN)
    # No media server: the interpreter has the mic, but nobody can hear them, and says why.
    state = await next_where(
        listener, lambda m: m["type"] == "listen:state" and channel(m, EN)["active"]
    )
    assert {k: channel(state, EN)[k] for k in ("on_air", "media")} == {
        "on_air": False,
        "media": "no-server",
    }
    await interpreter.close()


async def test_without_a_binary_a_booth_created_at_run_time_is_registered(
    kiosk_without_mediamtx: MediaKiosk,
) -> None:
    booth = await db.create_booth("ev", "hall", "fr", "Français")
    kiosk_without_mediamtx.app[BOOTH_RUNTIME].register(booth)
    assert kiosk_without_mediamtx.services.registry.has_booth("ev/hall/fr")


async def test_without_a_binary_publishing_answers_that_media_is_unavailable(
    kiosk_without_mediamtx: MediaKiosk,
) -> None:
    kiosk = kiosk_without_mediamtx
    assert await kiosk.whip(EN, await kiosk.invite_token(EN)) == 503


async def test_a_booth_another_process_created_gets_its_path_on_the_first_offer(
    kiosk: MediaKiosk,
) -> None:
    # As `voxbento-kiosk booth add` does while the kiosk runs: the database only, no call.
    await db.create_booth("ev", "hall", "it", "Italiano")
    assert await kiosk.whip("ev/hall/it", await kiosk.invite_token("ev/hall/it")) == 201


async def test_an_offer_for_a_booth_nobody_created_adds_no_path(kiosk: MediaKiosk) -> None:
    status = await kiosk.whip("ev/hall/xx", await kiosk.invite_token(EN))
    assert (status, "ev/hall/xx" in await kiosk.configured_paths()) == (400, False)
