"""MediaMTX follows booths, rooms and revocations changed elsewhere while the kiosk runs.

The kiosk supervises MediaMTX (the stand-in in `tests/fakes/`); a booth
and a room added with the CLI get their paths, and a booth deleted by a second process loses its
path, within 2 s, as MediaMTX's own API reports; a revoked interpreter's stream is cut.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import db
from server.auth.credentials import create_booth_token
from tests.changes_support import FOLLOW_SECONDS, Outside
from tests.fakes import call_api, write_fake_binary
from tests.media_support import MediaKiosk, media_kiosk, seed_rooms
from tests.ws_support import close_code, next_of_type

# Slow: changes come from CLI subprocesses; the stand-in MediaMTX runs too.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def paths_within(
    kiosk: MediaKiosk, seconds: float, present: set[str], absent: set[str]
) -> None:
    """Wait until MediaMTX has every name of `present` and none of `absent`."""
    names: set[str] = set()
    try:
        async with asyncio.timeout(seconds):
            while True:
                names = await kiosk.configured_paths()
                if present <= names and not absent & names:
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"MediaMTX paths after {seconds} s: {sorted(names)}") from None


async def test_mediamtx_paths_follow_booths_and_rooms_changed_elsewhere(
    tmp_path: Path, file_db: Path
) -> None:
    await seed_rooms()
    outside = Outside(tmp_path, file_db)
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as kiosk:
        await kiosk.until_health("running")
        await paths_within(kiosk, 10.0, {"ev/main/en", "ev/main/de", "ev/hall/floor"}, set())

        await outside.cli("booth", "add", "ev/main", "fr", "Français")
        await paths_within(kiosk, FOLLOW_SECONDS, {"ev/main/fr"}, set())
        await outside.cli("room", "add", "ev", "side", "Side room")
        await paths_within(kiosk, FOLLOW_SECONDS, {"ev/side/floor"}, set())
        await outside.python("await db.delete_booth('ev/main/de')")
        await paths_within(kiosk, FOLLOW_SECONDS, set(), {"ev/main/de"})
        kept = await kiosk.configured_paths()
    assert {"ev/main/en", "ev/main/fr", "ev/main/floor", "ev/side/floor"} <= kept


async def publishers(kiosk: MediaKiosk, path: str) -> list[str]:
    """Ids of the WebRTC sessions publishing on `path`, from MediaMTX's API."""
    status, body = await call_api(
        f"http://127.0.0.1:{kiosk.api_port}", "GET", "/v3/webrtcsessions/list"
    )
    assert status == 200, body
    return [s["id"] for s in body["items"] if s["path"] == path and s["state"] == "publish"]


async def no_publisher_within(kiosk: MediaKiosk, seconds: float, path: str) -> None:
    """Wait until nobody publishes on `path`, failing after `seconds`."""
    left: list[str] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                left = await publishers(kiosk, path)
                if not left:
                    return
                await asyncio.sleep(0.05)  # polling MediaMTX's API: there is no event to await
    except TimeoutError:
        raise AssertionError(f"still publishing on {path} after {seconds} s: {left}") from None


async def test_revoking_an_invite_cuts_the_stream_it_is_publishing(
    tmp_path: Path, file_db: Path
) -> None:
    """The auth hook judged the stream when it started; a page that keeps publishing after its
    socket closed must be cut all the same."""
    await seed_rooms()
    invite = await db.create_invite_token("ev/main/en", "interpreter", label="Ana")
    outside = Outside(tmp_path, file_db)
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as kiosk:
        await kiosk.until_health("running")
        token = create_booth_token(
            f"invite:{invite.id}", "ev/main/en", "interpreter", "Ana", key=kiosk.key
        )
        ws = await kiosk.session.ws_connect(
            kiosk.ws_url("/ws/booth/ev/main/en"), params={"token": token}
        )
        await ws.send_json({"type": "booth:join"})
        await next_of_type(ws, "booth:joined")
        published = await kiosk.whip("ev/main/en", token)
        before = await publishers(kiosk, "ev/main/en")

        await outside.cli("invite", "revoke", invite.token)
        await no_publisher_within(kiosk, FOLLOW_SECONDS, "ev/main/en")
        code = await close_code(ws)
    assert published == 201
    assert len(before) == 1
    assert code == 4001


async def test_a_floor_source_set_with_the_cli_reaches_mediamtx(
    tmp_path: Path, file_db: Path
) -> None:
    await seed_rooms()
    outside = Outside(tmp_path, file_db)
    encoder = "rtsp://10.0.0.5:554/floor"
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as kiosk:
        await kiosk.until_health("running")
        await paths_within(kiosk, 10.0, {"ev/main/floor"}, set())
        await outside.cli("room", "floor", "ev/main", "--url", encoder)
        source = None
        try:
            async with asyncio.timeout(FOLLOW_SECONDS):
                while source != encoder:
                    status, body = await call_api(
                        f"http://127.0.0.1:{kiosk.api_port}",
                        "GET",
                        "/v3/config/paths/get/ev/main/floor",
                    )
                    assert status == 200, body
                    source = body.get("source")
                    await asyncio.sleep(0.05)  # MediaMTX's API has no change event to await
        except TimeoutError:
            raise AssertionError(f"floor source after {FOLLOW_SECONDS} s: {source}") from None
