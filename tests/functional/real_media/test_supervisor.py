"""The kiosk's supervisor with the real MediaMTX: readiness, paths at start and at run time,
`kill -9` and recovery, and the status poller's view of a real path."""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import db
from server.keys import BOOTH_RUNTIME
from tests.fakes import call_api
from tests.functional.real_media.binary import require_real_mediamtx
from tests.media_support import MediaKiosk, media_kiosk, seed_rooms

BINARY = require_real_mediamtx()
pytestmark = pytest.mark.anyio

EN = "ev/main/en"
SEEDED_PATHS = {EN, "ev/main/de", "ev/main/floor", "ev/hall/floor"}


@pytest.fixture
async def kiosk(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk over a seeded database with the real MediaMTX, running."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=BINARY) as running:
        await running.until_health("running")
        yield running


async def path_config(kiosk: MediaKiosk, name: str) -> dict[str, object]:
    """MediaMTX's own view of one path's configuration."""
    status, body = await call_api(
        f"http://127.0.0.1:{kiosk.api_port}", "GET", f"/v3/config/paths/get/{name}"
    )
    assert status == 200, body
    conf: dict[str, object] = body
    return conf


async def test_healthz_says_running_and_mediamtx_serves_every_path(kiosk: MediaKiosk) -> None:
    body = await kiosk.healthz()
    assert (body["ok"], body["mediamtx"], "mediamtx_reason" in body) == (True, "running", False)
    assert await kiosk.configured_paths() == SEEDED_PATHS
    assert kiosk.supervisor.log_lines, "MediaMTX's own output reaches the Logs screen"
    assert any("MediaMTX v1.20" in line for line in kiosk.supervisor.log_lines)


async def test_a_booth_created_at_run_time_is_added_always_available(kiosk: MediaKiosk) -> None:
    booth = await db.create_booth("ev", "hall", "fr", "Français")
    kiosk.app[BOOTH_RUNTIME].register(booth)
    assert await kiosk.until_paths({"ev/hall/fr"}) == SEEDED_PATHS | {"ev/hall/fr"}
    conf = await path_config(kiosk, "ev/hall/fr")
    assert (conf["alwaysAvailable"], conf["overridePublisher"]) == (True, True)
    assert await kiosk.supervisor.client.path_is_active("ev/hall/fr")


async def test_a_booth_added_by_another_process_is_served_at_its_first_offer(
    kiosk: MediaKiosk,
) -> None:
    # Nobody told this kiosk: the first WHIP offer adds the path before it is forwarded.
    await db.create_booth("ev", "hall", "it", "Italiano")
    status = await kiosk.whip("ev/hall/it", await kiosk.invite_token("ev/hall/it"))
    # The path exists and the hook allowed it; then the real MediaMTX refuses an offer
    # without an audio track with 406, where an unknown path gives 400 and a refusal 401.
    assert status == 406
    assert "ev/hall/it" in await kiosk.configured_paths()


async def test_kill_9_is_noticed_and_mediamtx_comes_back_with_every_path(
    kiosk: MediaKiosk,
) -> None:
    booth = await db.create_booth("ev", "hall", "fr", "Français")
    kiosk.app[BOOTH_RUNTIME].register(booth)
    await kiosk.until_paths({"ev/hall/fr"})
    first_pid = kiosk.supervisor.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGKILL)
    down = await kiosk.until_health("failed")
    assert "killed by SIGKILL" in down["mediamtx_reason"]
    await kiosk.until_health("running")
    assert (kiosk.supervisor.restarts, kiosk.supervisor.pid != first_pid) == (1, True)
    assert await kiosk.configured_paths() == SEEDED_PATHS | {"ev/hall/fr"}
    assert (await path_config(kiosk, "ev/hall/fr"))["alwaysAvailable"] is True


async def test_the_poller_reads_real_paths_and_a_stop_ends_the_child(kiosk: MediaKiosk) -> None:
    items = {item["name"]: item for item in await kiosk.supervisor.client.list_paths()}
    assert set(items) == SEEDED_PATHS
    assert items[EN]["online"] is False and items[EN]["available"] is True
    pid = kiosk.supervisor.pid
    assert pid is not None
    await kiosk.supervisor.stop()
    assert kiosk.supervisor.state == "stopped"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
