"""The captions' RTSP source: MediaMTX's auth hook lets it read its booth's stream, nothing more.

MediaMTX asks the kiosk's `POST /mediamtx/auth` before an RTSP reader gets a stream, passing
the URL's user and password. These tests send the hook exactly what MediaMTX would send for
the URL `rtsp_source` builds, over HTTP to the real route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from server.config import Config
from server.services import Services
from server.transcription.audio import AudioSourceError, AudioStream
from server.transcription.context import rtsp_source
from tests.fakes import free_port
from tests.harness.app import make_config, make_services, running_kiosk
from tests.server_support import browser, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

BOOTH = "conf/main/en"


def rtsp_read(url: str, action: str = "read", path: str | None = None) -> dict[str, Any]:
    """The body MediaMTX posts for an RTSP client opening `url` (user and password from it)."""
    parts = urlsplit(url)
    # The real MediaMTX (v1.20.1) copies `?token=` of an RTSP URL into `token`, and the
    # password too when there is one (tests/functional/real_media records it).
    token = parse_qs(parts.query).get("token", [parts.password or ""])[0]
    return {
        "ip": "127.0.0.1",
        "user": parts.username or "",
        "password": parts.password or "",
        "token": token,
        "action": action,
        "path": path if path is not None else parts.path.lstrip("/"),
        "protocol": "rtsp",
        "id": None,
        "query": parts.query,
        "userAgent": "Lavf",
    }


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """MediaMTX off (the hook does not need it), RTSP on a port of our choosing."""
    return make_config(tmp_path, mediamtx={"rtsp_port": 18554})


@pytest.fixture
def services() -> Services:
    """Fresh kiosk secrets."""
    return make_services()


@pytest.fixture
async def ask_hook(config: Config, services: Services) -> AsyncIterator[Any]:
    """POST a body to the running kiosk's auth hook; returns the status."""
    secret = quote(services.secrets.media_secret, safe="")
    async with running_kiosk(config, services) as kiosk:

        async def ask(body: dict[str, Any]) -> int:
            url = kiosk.url(f"/mediamtx/auth?secret={secret}")
            async with kiosk.session.post(url, json=body) as response:
                return response.status

        yield ask


async def test_the_source_is_the_booths_path_on_mediamtxs_loopback_rtsp_port(
    config: Config, services: Services
) -> None:
    parts = urlsplit(rtsp_source(config, services.secrets)(BOOTH))
    assert (parts.scheme, parts.hostname, parts.port, parts.path) == (
        "rtsp",
        "127.0.0.1",
        18554,
        f"/{BOOTH}",
    )


async def test_the_hook_lets_the_captions_source_read_its_booth(
    config: Config, services: Services, ask_hook: Any
) -> None:
    url = rtsp_source(config, services.secrets)(BOOTH)
    assert await ask_hook(rtsp_read(url)) == 200


async def test_the_captions_credential_cannot_publish(
    config: Config, services: Services, ask_hook: Any
) -> None:
    url = rtsp_source(config, services.secrets)(BOOTH)
    assert await ask_hook(rtsp_read(url, action="publish")) == 401


async def test_the_captions_credential_cannot_read_another_room(
    config: Config, services: Services, ask_hook: Any
) -> None:
    url = rtsp_source(config, services.secrets)(BOOTH)
    assert await ask_hook(rtsp_read(url, path="conf/hall/en")) == 401


async def test_the_token_travels_in_the_query_not_as_a_password_ffmpeg_would_cut(
    config: Config, services: Services
) -> None:
    parts = urlsplit(rtsp_source(config, services.secrets)(BOOTH))
    assert (parts.username, parts.password) == ("captions", None)
    assert len(parse_qs(parts.query)["token"][0]) > 127


async def test_an_rtsp_source_is_named_without_its_token() -> None:
    stream = AudioStream(
        f"rtsp://captions@127.0.0.1:{free_port()}/{BOOTH}?token=secret-token",
        open_timeout_seconds=1.0,
    )
    with pytest.raises(AudioSourceError) as raised:
        await stream.open()
    assert f"/{BOOTH}?token=***" in str(raised.value)
    assert "secret-token" not in str(raised.value)


async def test_an_rtsp_source_that_cannot_be_opened_is_named_without_its_password() -> None:
    stream = AudioStream(
        f"rtsp://captions:secret-token@127.0.0.1:{free_port()}/{BOOTH}", open_timeout_seconds=1.0
    )
    with pytest.raises(AudioSourceError) as raised:
        await stream.open()
    assert "rtsp://captions:***@127.0.0.1:" in str(raised.value)
    assert "secret-token" not in str(raised.value)


async def test_without_mediamtx_captions_say_they_have_nothing_to_read(tmp_path: Path) -> None:
    config = make_config(tmp_path, transcription={"enabled": True})
    async with serve(config, make_services()) as server, browser(server) as client:
        body = await (await client.get("/healthz")).json()
    assert body["ok"] is True
    assert body["captions"] == {
        "enabled": True,
        "booths": [],
        "state": "error: captions read the booths from MediaMTX, and [mediamtx] enabled = false",
    }
