"""The status poller turns `/v3/paths/list` into per-path ingest and listener changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from server.mediamtx.api import MediaMTXClient
from server.mediamtx.poller import MediaStatusPoller, PathStatus
from tests.fakes import FakeMediaMTX, fake_with_paths

# Slow: the poller polls a stand-in MediaMTX child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

BOOTHS = ["ev/main/de", "ev/main/en"]
READER = {"type": "webRTCSession", "id": "r1"}


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakeMediaMTX]:
    async with fake_with_paths(tmp_path, BOOTHS) as running:
        yield running


@pytest.fixture
async def client(fake: FakeMediaMTX) -> AsyncIterator[MediaMTXClient]:
    async with MediaMTXClient(fake.api_port) as api:
        yield api


def make_poller(client: MediaMTXClient, seen: list[dict[str, PathStatus]]) -> MediaStatusPoller:
    return MediaStatusPoller(client, interval=0.05, on_status=seen.append)


async def test_offline_paths_are_not_reported(client: MediaMTXClient) -> None:
    seen: list[dict[str, PathStatus]] = []
    await make_poller(client, seen).poll_once()
    assert seen == []


async def test_a_publisher_going_online_is_reported_once(
    fake: FakeMediaMTX, client: MediaMTXClient
) -> None:
    seen: list[dict[str, PathStatus]] = []
    poller = make_poller(client, seen)
    await fake.request("POST", "/_fake/paths/online/ev/main/en")
    await poller.poll_once()
    await poller.poll_once()
    assert seen == [{"ev/main/en": PathStatus(online=True, readers=0)}]


async def test_a_change_in_readers_is_reported(fake: FakeMediaMTX, client: MediaMTXClient) -> None:
    seen: list[dict[str, PathStatus]] = []
    poller = make_poller(client, seen)
    await fake.request("POST", "/_fake/paths/online/ev/main/en")
    await poller.poll_once()
    await fake.request(
        "POST", "/_fake/paths/readers/ev/main/en", json={"readers": [READER, READER]}
    )
    changed = await poller.poll_once()
    assert changed == {"ev/main/en": PathStatus(online=True, readers=2)}


async def test_a_stopped_mediamtx_reports_every_live_path_offline(
    fake: FakeMediaMTX, client: MediaMTXClient
) -> None:
    seen: list[dict[str, PathStatus]] = []
    poller = make_poller(client, seen)
    await fake.request("POST", "/_fake/paths/online/ev/main/en")
    await poller.poll_once()
    await fake.request("POST", "/_fake/crash")
    await fake.exit_code()
    changed = await poller.poll_once()
    assert changed == {"ev/main/en": PathStatus(online=False, readers=0)}


async def test_the_running_poller_notifies_by_itself(
    fake: FakeMediaMTX, client: MediaMTXClient
) -> None:
    seen: list[dict[str, PathStatus]] = []
    async with make_poller(client, seen):
        await fake.request("POST", "/_fake/paths/online/ev/main/de")
        with anyio.fail_after(2):
            while True:
                if seen:
                    break
                await asyncio.sleep(0.02)
    assert seen == [{"ev/main/de": PathStatus(online=True, readers=0)}]
