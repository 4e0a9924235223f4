"""Floor channels in the running kiosk, against the MediaMTX stand-in: the config file, a source
changed at run time (`apply_floor_source` → `config/paths/replace`), and the floors' health."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import db
from server.mediamtx.floor_service import apply_floor_source, floor_health
from tests.fakes import call_api, write_fake_binary
from tests.media_support import WAIT, MediaKiosk, media_kiosk, seed_rooms

# Slow: each test starts the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

MAIN, HALL = "ev/main/floor", "ev/hall/floor"


@pytest.fixture
async def kiosk(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """ev/main fed by an encoder from the start, ev/hall with no floor source; stand-in running."""
    await seed_rooms()
    await db.set_room_floor("ev", "main", "url", "rtsp://10.0.0.5:554/floor")
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as running:
        await running.until_health("running")
        yield running


async def path_conf(kiosk: MediaKiosk, name: str) -> dict[str, Any]:
    status, body = await call_api(
        f"http://127.0.0.1:{kiosk.api_port}", "GET", f"/v3/config/paths/get/{name}"
    )
    assert status == 200, body
    conf: dict[str, Any] = body
    return conf


async def floor_states(kiosk: MediaKiosk) -> dict[str, str]:
    return {floor["path"]: floor["state"] for floor in (await kiosk.healthz())["floors"]}


async def until_floor(kiosk: MediaKiosk, path: str, state: str) -> None:
    async with asyncio.timeout(WAIT):
        while True:
            if (await floor_states(kiosk)).get(path) == state:
                return
            await asyncio.sleep(0.05)


async def test_the_config_file_pulls_a_floor_from_its_encoder(
    kiosk: MediaKiosk, tmp_path: Path
) -> None:
    written = yaml.safe_load((tmp_path / "data" / "mediamtx.yml").read_text())
    assert written["paths"][MAIN] == {"source": "rtsp://10.0.0.5:554/floor"}
    assert written["paths"][HALL] == {"source": "publisher"}
    assert (await path_conf(kiosk, MAIN))["source"] == "rtsp://10.0.0.5:554/floor"


async def test_a_source_changed_at_run_time_replaces_the_floor_path(
    kiosk: MediaKiosk, tmp_path: Path
) -> None:
    wav = tmp_path / "rehearsal.wav"
    wav.write_bytes(b"RIFF")
    await db.set_room_floor("ev", "hall", "file", str(wav))
    source = await apply_floor_source(kiosk.app, "ev", "hall")
    assert source.kind == "file"
    conf = await path_conf(kiosk, HALL)
    assert conf["source"] == "publisher"
    assert conf["runOnInitRestart"] is True
    assert str(wav) in conf["runOnInit"]
    assert f"/{HALL}?token=" in conf["runOnInit"]


async def test_a_floor_set_back_to_none_stops_pulling(kiosk: MediaKiosk) -> None:
    await db.set_room_floor("ev", "main", "none", "")
    await apply_floor_source(kiosk.app, "ev", "main")
    conf = await path_conf(kiosk, MAIN)
    assert conf["source"] == "publisher"
    assert "runOnInit" not in conf
    await until_floor(kiosk, MAIN, "no source")


async def test_healthz_shows_each_floor_without_its_address(kiosk: MediaKiosk) -> None:
    assert await floor_states(kiosk) == {MAIN: "offline", HALL: "no source"}
    body = await kiosk.healthz()
    assert "10.0.0.5" not in str(body["floors"])
    assert {"path": MAIN, "source": "url", "state": "offline"} in body["floors"]


async def test_a_floor_with_a_publisher_reads_online(kiosk: MediaKiosk) -> None:
    assert (
        await kiosk.fake(f"/_fake/paths/online/{MAIN}", {"source": {"type": "rtspSource"}}) == 200
    )
    await until_floor(kiosk, MAIN, "online")
    assert await kiosk.fake(f"/_fake/paths/offline/{MAIN}") == 200
    await until_floor(kiosk, MAIN, "offline")


async def test_a_room_added_at_run_time_gets_its_floor_on_apply(kiosk: MediaKiosk) -> None:
    await db.create_room("ev", "annex", "Annex")
    await db.set_room_floor("ev", "annex", "page", "")
    await apply_floor_source(kiosk.app, "ev", "annex")
    assert "ev/annex/floor" in await kiosk.configured_paths()
    assert {f.path: f.kind for f in floor_health(kiosk.app, "ev")}["ev/annex/floor"] == "page"


async def test_floors_say_no_media_server_while_mediamtx_is_missing(
    memory_db: None, tmp_path: Path
) -> None:
    await seed_rooms()
    await db.set_room_floor("ev", "main", "page", "")
    async with media_kiosk(tmp_path, binary=tmp_path / "nowhere" / "mediamtx") as running:
        assert (await floor_states(running))[MAIN] == "no media server"


async def test_a_deleted_room_leaves_the_floor_list(kiosk: MediaKiosk) -> None:
    await db.delete_room("ev", "hall")
    await apply_floor_source(kiosk.app, "ev", "hall")
    assert HALL not in await floor_states(kiosk)
