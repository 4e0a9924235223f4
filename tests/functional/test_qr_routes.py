"""QR code routes: the listener poster for anyone, invite codes for the event's staff only."""

from __future__ import annotations

from pathlib import Path

import pytest

import db
from server.http.routes.qr import qr_svg
from tests.harness.app import make_config, make_services
from tests.server_support import PASSWORD, browser, create_account, post_login, seed_booth, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

KIOSK = {"public_url": "http://10.0.0.5:8080", "secure_url": "https://10.0.0.5:8443"}


async def test_listener_poster_encodes_the_rooms_public_listen_url(tmp_path: Path) -> None:
    await seed_booth()
    config = make_config(tmp_path, kiosk=KIOSK)
    async with serve(config, make_services()) as server, browser(server) as client:
        response = await client.get("/qr/listen/pycon/main.svg")
        svg = await response.text()
    assert response.status == 200
    assert response.content_type == "image/svg+xml"
    assert svg == qr_svg("http://10.0.0.5:8080/listen/pycon/main")


async def test_listener_poster_of_an_unknown_room_is_404(tmp_path: Path) -> None:
    await seed_booth()
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/qr/listen/pycon/nowhere.svg")
    assert response.status == 404


async def test_invite_qr_is_refused_to_anonymous_visitors(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get(f"/qr/invite/{invite.token}.svg")
    assert response.status == 403


async def test_invite_qr_is_shown_to_a_technician_of_the_event(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    user_id = await create_account("tech@example.org")
    await db.add_membership(user_id, "pycon", "technician")
    config = make_config(tmp_path, kiosk=KIOSK)
    async with serve(config, make_services()) as server, browser(server) as client:
        await post_login(client, server, "tech@example.org", PASSWORD)
        response = await client.get(f"/qr/invite/{invite.token}.svg")
        svg = await response.text()
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert svg == qr_svg(f"https://10.0.0.5:8443/join/{invite.token}")


async def test_invite_qr_is_refused_to_a_technician_of_another_event(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    await seed_booth(event="other")
    user_id = await create_account("tech@example.org")
    await db.add_membership(user_id, "other", "technician")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        await post_login(client, server, "tech@example.org", PASSWORD)
        response = await client.get(f"/qr/invite/{invite.token}.svg")
    assert response.status == 403


async def test_invite_qr_is_refused_to_the_interpreter_it_invited(tmp_path: Path) -> None:
    booth_id = await seed_booth()
    invite = await db.create_invite_token(booth_id, "interpreter", max_uses=2)
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        await client.get(f"/join/{invite.token}", allow_redirects=False)
        response = await client.get(f"/qr/invite/{invite.token}.svg")
    assert response.status == 403
