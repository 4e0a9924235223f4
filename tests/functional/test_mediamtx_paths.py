"""`ensure_path` and its cache of known paths, against a real stand-in process.

Cache rules: a known name costs no request; MediaMTX restarts clear the cache; a 404 drops
the name (the seed's coverage gap "the MediaMTX path cache is invalidated").
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from server.mediamtx.api import MediaMTXAPIError, MediaMTXClient, MediaMTXUnavailable
from server.mediamtx.supervisor import MediaMTXSupervisor
from tests.fakes import (
    FakeMediaMTX,
    call_api,
    fake_with_paths,
    free_port,
    kiosk_config,
    write_fake_binary,
)

# Slow: each test starts the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CONFIGURED = ["ev/main/de", "ev/main/en", "ev/main/floor"]
NEW = "ev/main/fr"


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakeMediaMTX]:
    async with fake_with_paths(tmp_path, CONFIGURED) as running:
        yield running


@pytest.fixture
async def client(fake: FakeMediaMTX) -> AsyncIterator[MediaMTXClient]:
    async with MediaMTXClient(fake.api_port, page_size=2) as api:
        yield api


async def configured(fake: FakeMediaMTX | str, name: str) -> bool:
    api_url = fake if isinstance(fake, str) else fake.api_url
    status, _ = await call_api(api_url, "GET", f"/v3/config/paths/get/{name}")
    return status == 200


async def test_ensure_path_adds_a_missing_path(fake: FakeMediaMTX, client: MediaMTXClient) -> None:
    await client.ensure_path(NEW)
    assert await configured(fake, NEW)


async def test_ensure_path_accepts_a_path_that_already_exists(client: MediaMTXClient) -> None:
    await client.ensure_path("ev/main/en")
    assert client.is_known("ev/main/en")


async def test_a_known_path_costs_no_request(fake: FakeMediaMTX, client: MediaMTXClient) -> None:
    await client.ensure_path(NEW)
    await fake.request("DELETE", f"/v3/config/paths/delete/{NEW}")  # behind the client's back
    await client.ensure_path(NEW)
    assert not await configured(fake, NEW)


async def test_clear_cache_makes_ensure_path_add_again(
    fake: FakeMediaMTX, client: MediaMTXClient
) -> None:
    await client.ensure_path(NEW)
    await fake.request("DELETE", f"/v3/config/paths/delete/{NEW}")
    client.clear_cache()
    await client.ensure_path(NEW)
    assert await configured(fake, NEW)


async def test_a_404_drops_the_path_from_the_cache(
    fake: FakeMediaMTX, client: MediaMTXClient
) -> None:
    await client.ensure_path(NEW)
    await fake.request("DELETE", f"/v3/config/paths/delete/{NEW}")
    assert await client.path_is_active(NEW) is False
    assert not client.is_known(NEW)
    await client.ensure_path(NEW)
    assert await configured(fake, NEW)


async def test_an_invalid_name_raises_and_is_not_cached(client: MediaMTXClient) -> None:
    with pytest.raises(MediaMTXAPIError) as caught:
        await client.ensure_path("ev/main/fr/")
    assert caught.value.status == 400
    assert not client.is_known("ev/main/fr/")


async def test_list_paths_follows_every_page(client: MediaMTXClient) -> None:
    items = await client.list_paths()
    assert [item["name"] for item in items] == CONFIGURED


async def test_wait_until_active_returns_once_paths_get_finds_it(client: MediaMTXClient) -> None:
    await client.ensure_path(NEW)
    with anyio.fail_after(2):
        await client.wait_until_active(NEW)


async def test_a_stopped_mediamtx_raises_unavailable() -> None:
    async with MediaMTXClient(free_port()) as api:
        with pytest.raises(MediaMTXUnavailable):
            await api.info()


async def test_a_mediamtx_restart_invalidates_the_cache(tmp_path: Path) -> None:
    api_port = free_port()
    text = kiosk_config(api_port=api_port, paths=CONFIGURED)
    supervisor = MediaMTXSupervisor(
        write_fake_binary(tmp_path / "bin"),
        tmp_path / "mediamtx.yml",
        lambda: text,
        api_port,
        lambda: CONFIGURED,
        sleep=lambda _: asyncio.sleep(0),  # no real wait for the backoff
    )
    probe = f"http://127.0.0.1:{api_port}"
    async with supervisor:
        await until_running(supervisor)
        await supervisor.ensure_path(NEW)
        os.kill(supervisor.pid or 0, signal.SIGKILL)
        await until_running(supervisor, restarts=1)
        forgotten_by_mediamtx = not await configured(probe, NEW)
        await supervisor.ensure_path(NEW)
        assert forgotten_by_mediamtx
        assert await configured(probe, NEW)


async def until_running(supervisor: MediaMTXSupervisor, restarts: int = 0) -> None:
    with anyio.fail_after(5):
        while True:
            if supervisor.state == "running" and supervisor.restarts == restarts:
                return
            await asyncio.sleep(0.02)
