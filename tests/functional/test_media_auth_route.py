"""`POST /mediamtx/auth` over HTTP with real tokens, and the whole WHIP chain through the kiosk.

The matrix runs against the kiosk app with MediaMTX disabled (the hook never needs MediaMTX);
the chain runs the stand-in as the kiosk's MediaMTX, which calls the hook itself.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from server.app import make_app
from server.auth.credentials import create_booth_token, create_listener_token
from tests.fakes import write_fake_binary
from tests.harness.app import make_config, make_services, running_kiosk
from tests.media_support import MEDIA_SECRET, MediaKiosk, media_kiosk, seed_rooms
from tests.media_support import hook_request as mediamtx_body

pytestmark = pytest.mark.anyio

A, B, OTHER_ROOM = "ev/main/en", "ev/main/de", "ev/hall/en"


class Hook:
    """Posts MediaMTX-shaped bodies to the kiosk's auth hook."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession, key: str) -> None:
        self.server, self.session, self.key = server, session, key

    async def ask(
        self,
        action: str,
        path: str,
        token: str = "",
        *,
        secret: str | None = MEDIA_SECRET,
        body: Any = None,
        raw: bytes | None = None,
    ) -> int:
        """The hook's status for one question (default body: a WebRTC request with `token`)."""
        url = "/mediamtx/auth" + ("" if secret is None else f"?secret={quote(secret, safe='')}")
        if raw is None:
            raw = json.dumps(
                body if body is not None else mediamtx_body(action, path, token)
            ).encode()
        async with self.session.post(
            self.server.make_url(url), data=raw, headers={"Content-Type": "application/json"}
        ) as response:
            return response.status

    def booth(self, booth_id: str, role: str = "interpreter", **extra: Any) -> str:
        """A booth session token."""
        return create_booth_token("p-1", booth_id, role, "Ana", key=self.key, **extra)

    def listener(self, event: str, room: str, **extra: Any) -> str:
        """A listener token."""
        return create_listener_token(event, room, key=self.key, **extra)


@pytest.fixture
async def hook(memory_db: None, tmp_path: Path) -> AsyncIterator[Hook]:
    """The kiosk app (MediaMTX disabled) on loopback, and a hook client."""
    services = make_services(media_secret=MEDIA_SECRET)
    async with running_kiosk(make_config(tmp_path), services) as kiosk:
        yield Hook(kiosk.server, kiosk.session, kiosk.key)


async def test_an_interpreter_may_publish_on_their_booth(hook: Hook) -> None:
    assert await hook.ask("publish", A, hook.booth(A)) == 200


async def test_an_interpreter_may_not_publish_on_another_booth(hook: Hook) -> None:
    assert await hook.ask("publish", B, hook.booth(A)) == 401


async def test_a_technician_token_of_the_booth_may_publish(hook: Hook) -> None:
    assert await hook.ask("publish", A, hook.booth(A, "technician")) == 200


async def test_nobody_may_publish_on_a_floor_channel(hook: Hook) -> None:
    assert await hook.ask("publish", "ev/main/floor", hook.booth(A)) == 401


async def test_a_listener_may_read_a_booth_of_their_room(hook: Hook) -> None:
    assert await hook.ask("read", A, hook.listener("ev", "main")) == 200


async def test_a_listener_may_not_read_another_room(hook: Hook) -> None:
    assert await hook.ask("read", OTHER_ROOM, hook.listener("ev", "main")) == 401


async def test_a_listener_may_not_publish(hook: Hook) -> None:
    assert await hook.ask("publish", A, hook.listener("ev", "main")) == 401


async def test_a_booth_token_may_read_another_booth_of_the_same_room(hook: Hook) -> None:
    assert await hook.ask("read", B, hook.booth(A)) == 200


async def test_a_booth_token_may_read_the_floor_of_its_room(hook: Hook) -> None:
    assert await hook.ask("read", "ev/main/floor", hook.booth(A)) == 200


async def test_a_booth_token_may_not_read_another_room(hook: Hook) -> None:
    assert await hook.ask("read", OTHER_ROOM, hook.booth(A)) == 401


async def test_an_expired_token_is_refused(hook: Hook) -> None:
    expired = hook.booth(A, now=datetime.now(UTC) - timedelta(hours=2), hours=1)
    assert await hook.ask("publish", A, expired) == 401


async def test_a_token_signed_with_another_key_is_refused(hook: Hook) -> None:
    forged = create_booth_token("p-1", A, "interpreter", "Eve", key="x" * 48)
    assert await hook.ask("publish", A, forged) == 401


async def test_a_request_without_a_token_is_refused(hook: Hook) -> None:
    assert await hook.ask("read", A, "") == 401


async def test_other_actions_are_refused_even_with_a_good_token(hook: Hook) -> None:
    assert await hook.ask("playback", A, hook.booth(A)) == 401


async def test_a_wrong_secret_is_refused(hook: Hook) -> None:
    assert await hook.ask("publish", A, hook.booth(A), secret="guess") == 401


async def test_a_missing_secret_is_refused(hook: Hook) -> None:
    assert await hook.ask("publish", A, hook.booth(A), secret=None) == 401


async def test_a_body_that_is_not_json_is_refused(hook: Hook) -> None:
    assert await hook.ask("publish", A, raw=b"{not json") == 401


async def test_a_body_of_the_wrong_shape_is_refused(hook: Hook) -> None:
    body = {**mediamtx_body("publish", A, hook.booth(A)), "path": ["ev/main/en"]}
    assert await hook.ask("publish", A, body=body) == 401


async def test_the_hook_needs_no_csrf_token_nor_origin(hook: Hook) -> None:
    # A machine hook: a foreign Origin and no CSRF cookie change nothing.
    url = hook.server.make_url(f"/mediamtx/auth?secret={quote(MEDIA_SECRET, safe='')}")
    body = mediamtx_body("publish", A, hook.booth(A))
    headers = {"Origin": "http://evil.example"}
    async with hook.session.post(url, json=body, headers=headers) as response:
        assert response.status == 200


async def test_a_peer_that_is_not_on_this_machine_is_refused(
    memory_db: None, tmp_path: Path
) -> None:
    # A Unix socket peer has no loopback IP address: the nearest real "not from loopback" case
    # on a single test machine.
    services = make_services(media_secret=MEDIA_SECRET)
    runner = web.AppRunner(make_app(make_config(tmp_path), services))
    await runner.setup()
    socket_path = str(tmp_path / "kiosk.sock")
    await web.UnixSite(runner, socket_path).start()
    hook_body = mediamtx_body(
        "publish", A, create_booth_token("p", A, "interpreter", "A", key=services.secrets.jwt_key)
    )
    try:
        async with (
            aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=socket_path)) as session,
            session.post(
                f"http://kiosk/mediamtx/auth?secret={quote(MEDIA_SECRET, safe='')}", json=hook_body
            ) as response,
        ):
            assert response.status == 403
    finally:
        await runner.cleanup()


@pytest.fixture
async def kiosk(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk with the stand-in as its MediaMTX, running."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as running:
        await running.until_health("running")
        yield running


async def test_whip_through_the_kiosk_publishes_with_an_interpreter_token(
    kiosk: MediaKiosk,
) -> None:
    assert await kiosk.whip(A, await kiosk.invite_token(A)) == 201


async def test_whip_through_the_kiosk_is_refused_without_a_token(kiosk: MediaKiosk) -> None:
    assert await kiosk.whip(A, None) == 401


async def test_whip_through_the_kiosk_is_refused_on_another_booth(kiosk: MediaKiosk) -> None:
    assert await kiosk.whip(B, await kiosk.invite_token(A)) == 401


async def test_whip_through_the_kiosk_is_refused_with_a_listener_token(kiosk: MediaKiosk) -> None:
    assert await kiosk.whip(A, kiosk.listener_token("ev", "main")) == 401
