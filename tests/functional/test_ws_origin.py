"""Booth sockets open only from the kiosk's own pages (cross-site websocket hijacking).

A browser attaches the interpreter's cookies to a websocket whatever page opens it; only the
`Origin` header tells the kiosk's own console from a page on another site. Every test uses a
valid booth session, so the Origin alone decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

import db
from server.auth.credentials import create_booth_token
from server.services import Services
from tests.harness.app import make_config, make_services
from tests.server_support import seed_booth, serve
from tests.ws_support import WAIT, close_code

pytestmark = pytest.mark.anyio

SECURE_URL = "https://kiosk.test:8443"
PUBLIC_URL = "http://listen.kiosk.test"


@dataclass
class Site:
    """A running kiosk and an interpreter's booth session token."""

    server: TestServer
    token: str
    booth_id: str


@pytest.fixture
async def site(memory_db: None, tmp_path: Path) -> AsyncIterator[Site]:
    """The whole app with public_url and secure_url set, and one interpreter invite."""
    booth_id = await seed_booth()
    services: Services = make_services()
    invite = await db.create_invite_token(booth_id, "interpreter")
    token = create_booth_token(
        f"invite:{invite.id}", booth_id, "interpreter", "Ana", key=services.secrets.jwt_key
    )
    config = make_config(tmp_path, kiosk={"secure_url": SECURE_URL, "public_url": PUBLIC_URL})
    async with serve(config, services) as server:
        yield Site(server, token, booth_id)


async def joined(site: Site, origin: str | None) -> bool:
    """True when the socket opened with `origin` gets `booth:joined`; False on a 4003 close."""
    async with aiohttp.ClientSession() as session:
        url = str(site.server.make_url(f"/ws/booth/{site.booth_id}")).replace("http", "ws", 1)
        headers = {"Origin": origin} if origin is not None else {}
        ws = await session.ws_connect(url, params={"token": site.token}, headers=headers)
        try:
            await ws.send_json({"type": "booth:join"})
            async with asyncio.timeout(WAIT):
                while True:
                    message = await ws.receive()
                    if message.type is not aiohttp.WSMsgType.TEXT:
                        assert message.type is aiohttp.WSMsgType.CLOSE and message.data == 4003
                        return False
                    if message.json()["type"] == "booth:joined":
                        return True
        finally:
            await ws.close()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://evil.example:{port}",
        "http://127.0.0.1.evil.example:{port}",
        "null",
        "https://kiosk.test",  # the right host on the wrong port
        "file://",
    ],
)
async def test_a_foreign_page_cannot_open_a_booth_socket(site: Site, origin: str) -> None:
    assert not await joined(site, origin.format(port=site.server.port))


@pytest.mark.parametrize(
    "origin",
    [
        "http://{host}:{port}",  # the page the socket is on
        "http://localhost:{port}",
        SECURE_URL,
        PUBLIC_URL,
    ],
)
async def test_the_kiosks_own_pages_open_a_booth_socket(site: Site, origin: str) -> None:
    own = origin.format(host=site.server.host, port=site.server.port)
    assert await joined(site, own)


async def test_a_program_without_an_origin_is_judged_by_its_token(site: Site) -> None:
    assert await joined(site, None)


async def test_a_refused_origin_is_closed_with_4003_before_any_booth_state(site: Site) -> None:
    async with aiohttp.ClientSession() as session:
        url = str(site.server.make_url(f"/ws/booth/{site.booth_id}")).replace("http", "ws", 1)
        ws = await session.ws_connect(
            url, params={"token": site.token}, headers={"Origin": "https://evil.example"}
        )
        assert await close_code(ws) == 4003
