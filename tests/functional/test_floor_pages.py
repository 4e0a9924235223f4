"""The floor page, its token, the console's floor list and the admin floor form: who may, who
may not, and what bad input does (nothing saved)."""

from __future__ import annotations

from pathlib import Path

import pytest

import db
from server.auth.credentials import create_floor_token, decode_token
from server.mediamtx.floor_service import apply_floor_source
from tests.admin_support import (
    ADMIN,
    INTERPRETER,
    OUTSIDER,
    TECH,
    AdminKiosk,
    running_admin_kiosk,
    signed_in,
    submit,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

PAGE = "/floor/pycon/main"
FORM = "/admin/events/pycon/rooms/main/floor"


async def floor_of(event: str = "pycon", room: str = "main") -> tuple[str, str]:
    record = await db.get_room(event, room)
    return record.floor_kind, record.floor_value


async def get(kiosk: AdminKiosk, email: str | None, path: str) -> tuple[int, str, str]:
    async with (
        signed_in(kiosk, email) as session,
        session.get(path, allow_redirects=False) as response,
    ):
        return response.status, await response.text(), response.headers.get("Location", "")


async def test_a_technician_of_the_event_gets_a_floor_token_for_a_page_floor(
    tmp_path: Path,
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        await db.set_room_floor("pycon", "main", "page")
        status, html, _ = await get(kiosk, TECH, PAGE)
        assert status == 200
        assert 'data-floor-path="pycon/main/floor"' in html
        async with (
            signed_in(kiosk, TECH) as session,
            session.get(f"{PAGE}/media-token") as response,
        ):
            assert response.status == 200
            token = (await response.json())["token"]
        claims = decode_token(token, key=kiosk.services.secrets.jwt_key, expected_type="floor")
        assert claims["scope"] == "pycon/main/floor"


async def test_an_admin_may_open_any_floor_page(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        await db.set_room_floor("other", "main", "page")
        status, html, _ = await get(kiosk, ADMIN, "/floor/other/main")
    assert status == 200
    assert 'data-media-token="ey' in html


@pytest.mark.parametrize("who", [OUTSIDER, INTERPRETER])
async def test_others_are_refused_the_floor_page_and_its_token(tmp_path: Path, who: str) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        await db.set_room_floor("pycon", "main", "page")
        status, html, _ = await get(kiosk, who, PAGE)
        assert status == 403
        assert "data-media-token" not in html
        token_status, _, _ = await get(kiosk, who, f"{PAGE}/media-token")
        assert token_status == 403


async def test_anonymous_visitors_are_sent_to_log_in(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        status, _, location = await get(kiosk, None, PAGE)
    assert status == 303
    assert location.startswith("/login?next=")


async def test_a_floor_fed_elsewhere_says_so_and_mints_no_token(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        await db.set_room_floor("pycon", "main", "url", "rtsp://user:pw@10.0.0.9/floor")
        status, html, _ = await get(kiosk, TECH, PAGE)
        assert status == 200
        assert "fed elsewhere" in html
        assert "rtsp://user:***@10.0.0.9/floor" in html
        assert "pw@" not in html
        assert 'data-media-token=""' in html
        token_status, body, _ = await get(kiosk, TECH, f"{PAGE}/media-token")
    assert token_status == 409
    assert "no longer fed by the floor page" in body


async def test_a_floor_token_opens_no_page(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        token = create_floor_token(
            "user:1", "pycon/main/floor", "Root", key=kiosk.services.secrets.jwt_key
        )
        async with signed_in(kiosk, None) as session:
            headers = {"Authorization": f"Bearer {token}"}
            async with session.get(PAGE, headers=headers, allow_redirects=False) as response:
                assert response.status == 303
            async with session.get("/console/pycon/floors", headers=headers) as response:
                assert response.status == 403


async def test_the_console_lists_floors_to_technicians_of_the_event_only(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        await db.set_room_floor("pycon", "main", "page")
        await apply_floor_source(kiosk.server.app, "pycon", "main")
        async with signed_in(kiosk, TECH) as session:
            async with session.get("/console/pycon/floors") as response:
                assert response.status == 200
                floors = (await response.json())["floors"]
            async with session.get("/console/pycon") as response:
                html = await response.text()
        assert 'href="/floor/pycon/main"' in html
        for who in (OUTSIDER, INTERPRETER, None):
            status, _, _ = await get(kiosk, who, "/console/pycon/floors")
            assert status == 403
    # MediaMTX is off in this kiosk, so the floor is known but not served.
    assert floors == [
        {
            "path": "pycon/main/floor",
            "kind": "page",
            "source": "floor page",
            "state": "no media server",
        }
    ]


async def test_a_technician_sets_a_capture_device_in_the_admin_panel(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as session:
        status, _, location = await submit(
            kiosk, session, FORM, {"kind": "device", "device": "alsa:hw:1,0", "url": "x"}
        )
        assert (status, location) == (303, "/admin/events/pycon")
        assert await floor_of() == ("device", "alsa:hw:1,0")
        async with session.get("/admin/events/pycon") as response:
            assert "capture device alsa:hw:1,0" in await response.text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "device", "device": "alsa:hw;reboot"}, "capture device name"),
        ({"kind": "url", "url": "http://encoder/floor"}, "must start with rtsp://"),
        ({"kind": "file", "file": "/no/such/file.wav"}, "does not exist"),
        ({"kind": "microphone"}, "choose one of"),
    ],
)
async def test_a_bad_floor_source_is_shown_in_place_and_nothing_is_saved(
    tmp_path: Path, data: dict[str, str], message: str
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as session:
        status, html, _ = await submit(kiosk, session, FORM, data)
    assert status == 400
    assert message in html
    assert await floor_of() == ("none", "")


async def test_a_technician_of_another_event_cannot_change_this_floor(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        status, _, _ = await get(kiosk, OUTSIDER, FORM)
        assert status == 403
        async with (
            signed_in(kiosk, OUTSIDER) as session,
            session.post(FORM, data={"kind": "page"}) as response,
        ):
            assert response.status == 403
    assert await floor_of() == ("none", "")
