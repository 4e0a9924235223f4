"""The HTTPS listener with the self-signed certificate, and the same-origin WHIP/WHEP proxy."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from server.hosting.runner import RunningServer, run_server
from server.hosting.tls import tls_paths
from tests.harness.app import make_config, make_services
from tests.server_support import browser, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

SESSION_ID = "4f6c2a1e-9b7d-4e2a-8c3f-0d1e2f3a4b5c"


@asynccontextmanager
async def running_kiosk(config: Any, services: Any = None) -> AsyncIterator[RunningServer]:
    """`run_server` in this loop until the block ends, then a graceful stop."""
    started: asyncio.Future[RunningServer] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_server(
            config,
            services or make_services(),
            ready=started.set_result,
            stop=stop,
            handle_signals=False,
        )
    )
    try:
        yield await asyncio.wait_for(asyncio.shield(started), 30)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_the_https_port_serves_the_app_with_the_generated_certificate(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "https_port": 0})
    async with running_kiosk(config) as kiosk, aiohttp.ClientSession() as client:
        cert, _ = tls_paths(config)
        trust_only_the_kiosk = ssl.create_default_context(cafile=str(cert))
        assert kiosk.https_port is not None
        url = f"https://127.0.0.1:{kiosk.https_port}/healthz"
        async with client.get(url, ssl=trust_only_the_kiosk) as response:
            body = await response.json()
            secure_headers = response.headers
        async with client.get(f"http://127.0.0.1:{kiosk.http_port}/healthz") as plain:
            plain_status = plain.status
    assert body["ok"] is True
    assert "Content-Security-Policy" in secure_headers
    assert plain_status == 200


async def test_the_https_port_refuses_clients_that_do_not_trust_the_certificate(
    tmp_path: Path,
) -> None:
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "https_port": 0})
    async with running_kiosk(config) as kiosk, aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await client.get(f"https://127.0.0.1:{kiosk.https_port}/healthz")


async def test_with_tls_off_only_plain_http_listens(tmp_path: Path) -> None:
    config = make_config(tmp_path, server={"host": "127.0.0.1", "port": 0, "tls": "off"})
    async with running_kiosk(config) as kiosk:
        assert kiosk.https_port is None
    assert not tls_paths(config)[0].exists()


# -- /media proxy -------------------------------------------------------------------------------


class FakeWebRTCListener:
    """Stands in for MediaMTX's WebRTC HTTP listener: answers offers, records every request."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/{path:.+}/{kind:whip|whep}", self.offer)
        self.app.router.add_route("DELETE", "/{path:.+}/{kind:whip|whep}/{id}", self.end)

    async def _record(self, request: web.Request) -> None:
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "authorization": request.headers.get("Authorization"),
                "content_type": request.headers.get("Content-Type"),
                "cookie": request.headers.get("Cookie"),
                "body": await request.text(),
            }
        )

    async def offer(self, request: web.Request) -> web.Response:
        """201 with an SDP answer and the WHIP/WHEP headers."""
        await self._record(request)
        path, kind = request.match_info["path"], request.match_info["kind"]
        return web.Response(
            status=201,
            text="v=0\r\nanswer\r\n",
            content_type="application/sdp",
            headers={
                "Location": f"/{path}/{kind}/{SESSION_ID}",
                "ETag": '"a1b2"',
                "ID": SESSION_ID,
                "Link": '<stun:stun.example:3478>; rel="ice-server"',
                "Set-Cookie": "upstream=1",
            },
        )

    async def end(self, request: web.Request) -> web.Response:
        """The session ends."""
        await self._record(request)
        return web.Response(status=200)


@asynccontextmanager
async def fake_mediamtx() -> AsyncIterator[tuple[FakeWebRTCListener, int]]:
    """The stand-in on a loopback port."""
    listener = FakeWebRTCListener()
    server = TestServer(listener.app, host="127.0.0.1")
    await server.start_server()
    try:
        yield listener, server.port or 0
    finally:
        await server.close()


def unused_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_whip_offer_reaches_mediamtx_with_its_authorization_and_body(
    tmp_path: Path,
) -> None:
    async with fake_mediamtx() as (upstream, port):
        config = make_config(tmp_path, mediamtx={"webrtc_port": port})
        async with serve(config, make_services()) as server, browser(server) as client:
            client.cookie_jar.update_cookies({"user_token": "secret-cookie"})
            response = await client.post(
                "/media/pycon/main/en/whip",
                data="v=0\r\noffer\r\n",
                headers={"Authorization": "Bearer booth-token", "Content-Type": "application/sdp"},
            )
            answer = await response.text()
    assert response.status == 201
    assert answer == "v=0\r\nanswer\r\n"
    assert response.content_type == "application/sdp"
    assert response.headers["ETag"] == '"a1b2"'
    assert response.headers["ID"] == SESSION_ID
    assert "ice-server" in response.headers["Link"]
    assert "upstream" not in response.cookies
    [offer] = upstream.seen
    assert offer["path"] == "/pycon/main/en/whip"
    assert offer["authorization"] == "Bearer booth-token"
    assert offer["content_type"] == "application/sdp"
    assert offer["body"] == "v=0\r\noffer\r\n"
    assert offer["cookie"] is None


async def test_the_session_location_is_rewritten_under_media(tmp_path: Path) -> None:
    async with fake_mediamtx() as (_, port):
        config = make_config(tmp_path, mediamtx={"webrtc_port": port})
        async with serve(config, make_services()) as server, browser(server) as client:
            response = await client.post(
                "/media/pycon/main/floor/whep",
                data="offer",
                headers={"Content-Type": "application/sdp"},
            )
    assert response.headers["Location"] == f"/media/pycon/main/floor/whep/{SESSION_ID}"


async def test_deleting_the_session_url_passes_through_to_mediamtx(tmp_path: Path) -> None:
    async with fake_mediamtx() as (upstream, port):
        config = make_config(tmp_path, mediamtx={"webrtc_port": port})
        async with serve(config, make_services()) as server, browser(server) as client:
            offer = await client.post(
                "/media/pycon/main/en/whip",
                data="offer",
                headers={"Authorization": "Bearer booth-token", "Content-Type": "application/sdp"},
            )
            ended = await client.delete(
                offer.headers["Location"], headers={"Authorization": "Bearer booth-token"}
            )
    assert ended.status == 200
    delete = upstream.seen[-1]
    assert delete["method"] == "DELETE"
    assert delete["path"] == f"/pycon/main/en/whip/{SESSION_ID}"
    assert delete["authorization"] == "Bearer booth-token"


async def test_a_query_string_is_passed_along(tmp_path: Path) -> None:
    async with fake_mediamtx() as (upstream, port):
        config = make_config(tmp_path, mediamtx={"webrtc_port": port})
        async with serve(config, make_services()) as server, browser(server) as client:
            await client.post("/media/pycon/main/en/whep?token=abc", data="offer")
    assert upstream.seen[0]["query"] == "token=abc"


async def test_without_mediamtx_the_proxy_answers_503_in_json(tmp_path: Path) -> None:
    config = make_config(tmp_path, mediamtx={"webrtc_port": unused_port()})
    async with serve(config, make_services()) as server, browser(server) as client:
        response = await client.post("/media/pycon/main/en/whip", data="offer")
        body = await response.json()
    assert response.status == 503
    assert body["error"] == "media_unavailable"
    assert "MediaMTX" in body["message"]


async def test_a_path_that_is_not_a_media_channel_is_404(tmp_path: Path) -> None:
    async with fake_mediamtx() as (upstream, port):
        config = make_config(tmp_path, mediamtx={"webrtc_port": port})
        async with serve(config, make_services()) as server, browser(server) as client:
            response = await client.post("/media/PyCon/main/en/whip", data="offer")
    assert response.status == 404
    assert upstream.seen == []
