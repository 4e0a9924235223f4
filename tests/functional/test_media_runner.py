"""`run_server` with MediaMTX: the hook URL follows the port really bound, and the hook stays quiet.

With `[server] port = 0` the port is only known once the socket is bound; MediaMTX must still
call the hook on it. The access log must not repeat the hook's secret.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import pytest

from server.auth.credentials import create_booth_token
from tests.fakes import free_port, write_fake_binary
from tests.functional.test_https_and_media_proxy import running_kiosk
from tests.harness.app import make_config, make_services
from tests.media_support import MEDIA_SECRET, WAIT, seed_rooms

pytestmark = pytest.mark.anyio

EN = "ev/main/en"


async def until_running(client: aiohttp.ClientSession, base: str) -> None:
    """Poll /healthz until MediaMTX runs."""
    async with asyncio.timeout(WAIT):
        while True:
            async with client.get(f"{base}/healthz") as response:
                if (await response.json())["mediamtx"] == "running":
                    return
            await asyncio.sleep(0.05)


async def test_port_zero_still_gives_mediamtx_the_right_hook_and_the_log_no_secret(
    memory_db: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_rooms()
    config = make_config(
        tmp_path,
        server={"host": "127.0.0.1", "port": 0, "tls": "off"},
        mediamtx={
            "enabled": True,
            "binary": str(write_fake_binary(tmp_path / "bin")),
            "api_port": free_port(),
            "metrics_port": free_port(),
            "webrtc_port": free_port(),
            "webrtc_udp_port": free_port(),
            "rtsp_port": free_port(),
        },
    )
    services = make_services(media_secret=MEDIA_SECRET)
    token = create_booth_token("p-1", EN, "interpreter", "Ana", key=services.secrets.jwt_key)
    headers = {"Content-Type": "application/sdp", "Authorization": f"Bearer {token}"}
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    async with running_kiosk(config, services) as kiosk, aiohttp.ClientSession() as client:
        base = f"http://127.0.0.1:{kiosk.http_port}"
        await until_running(client, base)
        async with client.post(f"{base}/media/{EN}/whip", data="v=0\r\n", headers=headers) as r:
            status = r.status
    assert status == 201
    # However MediaMTX encodes the URL, no part of the secret may reach the log.
    assert MEDIA_SECRET.split("/")[0] not in caplog.text
    assert f"/media/{EN}/whip" in caplog.text
