"""The MediaMTX stand-in follows docs/mediamtx-reference.md, so tests on it say something real."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict

from tests.fakes import FakeMediaMTX, fake_with_paths, free_port, kiosk_config

# Slow: each test starts the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

BOOTHS = ["ev/main/de", "ev/main/en", "ev/main/floor"]
PATH_ITEM_FIELDS = {
    "name",
    "confName",
    "available",
    "availableTime",
    "online",
    "onlineTime",
    "source",
    "tracks2",
    "readers",
    "inboundBytes",
    "outboundBytes",
    "inboundFramesInError",
    "ready",
    "readyTime",
    "tracks",
    "bytesReceived",
    "bytesSent",
}


class Hook:
    """A stand-in for the kiosk's `/mediamtx/auth`: records calls, allows one token."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append({"secret": request.query.get("secret"), **await request.json()})
        return web.Response(status=200 if self.calls[-1]["token"] == "good" else 401)


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    recorder = Hook()
    app = web.Application()
    app.router.add_post("/mediamtx/auth", recorder.handle)
    recorder.server = TestServer(app, host="127.0.0.1")
    await recorder.server.start_server()
    yield recorder
    await recorder.server.close()


@pytest.fixture
async def fake(tmp_path: Path, hook: Hook) -> AsyncIterator[FakeMediaMTX]:
    assert hook.server is not None
    async with fake_with_paths(tmp_path, BOOTHS, hook_port=hook.server.port) as running:
        yield running


def webrtc_url(fake: FakeMediaMTX) -> str:
    """The stand-in's WebRTC listener, read back from its config."""
    for line in fake.config_path.read_text().splitlines():
        if line.startswith("webrtcAddress:"):
            return "http://" + line.split('"')[1]
    raise AssertionError("no webrtcAddress")


async def offer(
    fake: FakeMediaMTX, path: str, kind: str, token: str
) -> tuple[int, CIMultiDict[str]]:
    async with (
        ClientSession() as http,
        http.post(
            f"{webrtc_url(fake)}/{path}/{kind}",
            data="v=0\r\n",
            headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {token}"},
        ) as response,
    ):
        await response.read()
        return response.status, CIMultiDict(response.headers)


async def test_info_reports_version_and_start_time(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("GET", "/v3/info")
    assert status == 200
    assert body["version"].startswith("v1.")
    assert body["started"]


async def test_static_paths_are_listed_offline_before_any_publisher(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("GET", "/v3/paths/list")
    assert status == 200
    assert [item["name"] for item in body["items"]] == BOOTHS
    booth, floor = body["items"][0], body["items"][2]
    assert set(booth) == PATH_ITEM_FIELDS
    # As in the real binary: an always-available booth path has a stream (silence) but no
    # publisher; a plain path (the floor) has neither.
    assert (booth["available"], booth["online"], booth["ready"], booth["source"]) == (
        True,
        False,
        True,
        None,
    )
    assert (floor["available"], floor["online"], floor["ready"], floor["source"]) == (
        False,
        False,
        False,
        None,
    )


async def test_paths_list_is_paginated(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("GET", "/v3/paths/list?itemsPerPage=2&page=1")
    assert status == 200
    assert (body["itemCount"], body["pageCount"]) == (3, 2)
    assert [item["name"] for item in body["items"]] == ["ev/main/floor"]


async def test_adding_an_existing_path_is_a_400_path_already_exists(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("POST", "/v3/config/paths/add/ev/main/en", json={})
    assert (status, body) == (400, {"status": "error", "error": "path already exists"})


async def test_adding_a_path_answers_ok_and_makes_it_active(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("POST", "/v3/config/paths/add/ev/main/fr", json={})
    assert (status, body) == (200, {"status": "ok"})
    status, item = await fake.request("GET", "/v3/paths/get/ev/main/fr")
    assert (status, item["name"], item["online"]) == (200, "ev/main/fr", False)


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("PATCH", "/v3/config/paths/patch/ev/main/xx"),
        ("DELETE", "/v3/config/paths/delete/ev/main/xx"),
        ("GET", "/v3/config/paths/get/ev/main/xx"),
        ("GET", "/v3/paths/get/ev/main/xx"),
    ],
)
async def test_a_missing_path_is_a_404_path_not_found(
    fake: FakeMediaMTX, method: str, route: str
) -> None:
    status, body = await fake.request(method, route, json={} if method == "PATCH" else None)
    assert (status, body) == (404, {"status": "error", "error": "path not found"})


async def test_replace_creates_a_missing_path(fake: FakeMediaMTX) -> None:
    status, _ = await fake.request("POST", "/v3/config/paths/replace/ev/main/it", json={})
    assert status == 200
    status, conf = await fake.request("GET", "/v3/config/paths/get/ev/main/it")
    assert (status, conf["name"], conf["source"]) == (200, "ev/main/it", "publisher")


async def test_delete_removes_a_path_from_the_runtime_list(fake: FakeMediaMTX) -> None:
    status, _ = await fake.request("DELETE", "/v3/config/paths/delete/ev/main/de")
    assert status == 200
    _, body = await fake.request("GET", "/v3/paths/list")
    assert "ev/main/de" not in [item["name"] for item in body["items"]]


async def test_an_unknown_field_in_a_path_body_is_a_400(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("POST", "/v3/config/paths/add/ev/main/fr", json={"bogus": 1})
    assert status == 400
    assert body == {"status": "error", "error": 'json: unknown field "bogus"'}


async def test_an_invalid_path_name_is_a_400(fake: FakeMediaMTX) -> None:
    status, body = await fake.request("POST", "/v3/config/paths/add/ev/main/fr/", json={})
    assert (status, body["status"]) == (400, "error")


async def test_global_config_patch_applies_known_fields_only(fake: FakeMediaMTX) -> None:
    assert (await fake.request("PATCH", "/v3/config/global/patch", json={"logLevel": "debug"}))[
        0
    ] == 200
    assert (await fake.request("PATCH", "/v3/config/global/patch", json={"nope": True}))[0] == 400
    _, settings = await fake.request("GET", "/v3/config/global/get")
    assert settings["logLevel"] == "debug"
    assert "nope" not in settings


async def test_path_defaults_patch_applies_to_paths_added_later(fake: FakeMediaMTX) -> None:
    patch = {"overridePublisher": False}
    assert (await fake.request("PATCH", "/v3/config/pathdefaults/patch", json=patch))[0] == 200
    _, defaults = await fake.request("GET", "/v3/config/pathdefaults/get")
    await fake.request("POST", "/v3/config/paths/add/ev/main/fr", json={})
    _, conf = await fake.request("GET", "/v3/config/paths/get/ev/main/fr")
    assert defaults["overridePublisher"] is False
    assert conf["overridePublisher"] is False


async def test_an_unknown_config_key_exits_1_with_an_error_line(tmp_path: Path) -> None:
    api_port = free_port()
    config = tmp_path / "mediamtx.yml"
    config.write_text(kiosk_config(api_port=api_port) + "bogus: true\n")
    async with FakeMediaMTX(config, api_port, wait_ready=False) as process:
        assert await process.exit_code() == 1
    assert process.output[-1].endswith('ERR json: unknown field "bogus"')


async def test_an_api_port_in_use_exits_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        api_port = taken.getsockname()[1]
        config = tmp_path / "mediamtx.yml"
        config.write_text(kiosk_config(api_port=api_port))
        async with FakeMediaMTX(config, api_port, wait_ready=False) as process:
            assert await process.exit_code() == 1
    assert "address already in use" in process.output[-1]


async def test_sigterm_stops_gracefully_with_exit_0(fake: FakeMediaMTX) -> None:
    assert fake.process is not None
    fake.process.send_signal(signal.SIGTERM)
    assert await fake.exit_code() == 0


async def test_api_added_paths_are_forgotten_on_restart(fake: FakeMediaMTX) -> None:
    await fake.request("POST", "/v3/config/paths/add/ev/main/fr", json={})
    await fake.request("POST", "/_fake/crash")
    assert await fake.exit_code() == 1
    async with FakeMediaMTX(fake.config_path, fake.api_port) as again:
        status, _ = await again.request("GET", "/v3/config/paths/get/ev/main/fr")
        _, body = await again.request("GET", "/v3/paths/list")
    assert status == 404
    assert [item["name"] for item in body["items"]] == BOOTHS


async def test_a_file_change_reloads_and_forgets_api_paths(fake: FakeMediaMTX) -> None:
    await fake.request("POST", "/v3/config/paths/add/ev/main/fr", json={})
    text = fake.config_path.read_text().replace('"ev/main/de":', '"ev/main/es":')
    fake.config_path.write_text(text)
    names: list[str] = []
    for _ in range(60):
        await asyncio.sleep(0.1)
        _, body = await fake.request("GET", "/v3/paths/list")
        names = [item["name"] for item in body["items"]]
        if "ev/main/es" in names:
            break
    assert names == ["ev/main/en", "ev/main/es", "ev/main/floor"]


async def test_a_failed_reload_stops_with_exit_0(fake: FakeMediaMTX) -> None:
    fake.config_path.write_text(fake.config_path.read_text() + "bogus: 1\n")
    assert await fake.exit_code() == 0
    assert fake.output[-1].endswith('ERR json: unknown field "bogus"')


async def test_control_puts_a_path_online_with_its_publisher(fake: FakeMediaMTX) -> None:
    source = {"type": "webRTCSession", "id": "abc"}
    await fake.request("POST", "/_fake/paths/online/ev/main/en", json={"source": source})
    await fake.request(
        "POST", "/_fake/paths/readers/ev/main/en", json={"readers": [source, source]}
    )
    _, item = await fake.request("GET", "/v3/paths/get/ev/main/en")
    assert (item["online"], item["source"], len(item["readers"])) == (True, source, 2)


async def test_whip_on_an_unconfigured_path_is_a_400_without_asking_the_hook(
    fake: FakeMediaMTX, hook: Hook
) -> None:
    status, _ = await offer(fake, "ev/main/zz", "whip", "good")
    assert status == 400
    assert hook.calls == []


async def test_whip_asks_the_hook_with_the_bearer_token_and_answers_201(
    fake: FakeMediaMTX, hook: Hook
) -> None:
    status, headers = await offer(fake, "ev/main/en", "whip", "good")
    assert status == 201
    assert headers["Location"].startswith("/ev/main/en/whip/")
    assert headers["ID"] and headers["ETag"]
    call = hook.calls[0]
    assert set(call) - {"secret"} == {
        "ip", "user", "password", "token", "action", "path", "protocol", "id", "query", "userAgent",
    }  # fmt: skip
    assert (call["secret"], call["token"], call["action"], call["path"], call["protocol"]) == (
        "hook-secret", "good", "publish", "ev/main/en", "webrtc",
    )  # fmt: skip
    _, item = await fake.request("GET", "/v3/paths/get/ev/main/en")
    assert item["source"] == {"type": "webRTCSession", "id": headers["ID"]}


async def test_a_hook_refusal_is_a_401(fake: FakeMediaMTX) -> None:
    status, _ = await offer(fake, "ev/main/en", "whip", "bad")
    assert status == 401


async def test_whep_without_a_publisher_is_a_404_unless_the_path_is_always_available(
    fake: FakeMediaMTX,
) -> None:
    status, _ = await offer(fake, "ev/main/floor", "whep", "good")
    assert status == 404
    status, _ = await offer(fake, "ev/main/en", "whep", "good")
    assert status == 201


async def test_deleting_the_session_url_takes_the_publisher_offline(fake: FakeMediaMTX) -> None:
    _, headers = await offer(fake, "ev/main/en", "whip", "good")
    async with (
        ClientSession() as http,
        http.delete(webrtc_url(fake) + headers["Location"]) as response,
    ):
        assert response.status == 200
    _, item = await fake.request("GET", "/v3/paths/get/ev/main/en")
    assert item["online"] is False


async def test_kicking_a_reader_session_removes_the_reader(fake: FakeMediaMTX) -> None:
    await offer(fake, "ev/main/en", "whip", "good")
    _, reader = await offer(fake, "ev/main/en", "whep", "good")
    _, sessions = await fake.request("GET", "/v3/webrtcsessions/list")
    assert sorted(item["state"] for item in sessions["items"]) == ["publish", "read"]
    status, _ = await fake.request("POST", f"/v3/webrtcsessions/kick/{reader['ID']}")
    _, item = await fake.request("GET", "/v3/paths/get/ev/main/en")
    assert (status, item["online"], item["readers"]) == (200, True, [])


async def test_kicking_an_unknown_session_is_a_404(fake: FakeMediaMTX) -> None:
    status, _ = await fake.request("POST", "/v3/webrtcsessions/kick/nope")
    assert status == 404
