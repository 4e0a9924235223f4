"""MediaMTX follows booths and rooms changed elsewhere while the kiosk runs.

The kiosk supervises MediaMTX (the stand-in, and the real binary when it is installed); a booth
and a room added with the CLI get their paths, and a booth deleted by a second process loses its
path, within 2 s, as MediaMTX's own API reports.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.changes_support import FOLLOW_SECONDS, Outside
from tests.fakes import write_fake_binary
from tests.media_support import MediaKiosk, media_kiosk, seed_rooms

pytestmark = pytest.mark.anyio

REAL = shutil.which("mediamtx")


@pytest.fixture(
    params=[
        "stand-in",
        pytest.param(
            "mediamtx",
            marks=pytest.mark.skipif(REAL is None, reason="the real mediamtx is not installed"),
        ),
    ]
)
def binary(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The MediaMTX the kiosk supervises: the stand-in, or the real binary on PATH."""
    if request.param == "stand-in":
        return str(write_fake_binary(tmp_path / "bin"))
    assert REAL is not None
    return REAL


async def paths_within(
    kiosk: MediaKiosk, seconds: float, present: set[str], absent: set[str]
) -> None:
    """Wait until MediaMTX has every name of `present` and none of `absent`."""
    names: set[str] = set()
    try:
        async with asyncio.timeout(seconds):
            while True:
                names = await kiosk.configured_paths()
                if present <= names and not absent & names:
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"MediaMTX paths after {seconds} s: {sorted(names)}") from None


async def test_mediamtx_paths_follow_booths_and_rooms_changed_elsewhere(
    tmp_path: Path, file_db: Path, binary: str
) -> None:
    await seed_rooms()
    outside = Outside(tmp_path, file_db)
    async with media_kiosk(tmp_path, binary=binary) as kiosk:
        await kiosk.until_health("running")
        await paths_within(kiosk, 10.0, {"ev/main/en", "ev/main/de", "ev/hall/floor"}, set())

        await outside.cli("booth", "add", "ev/main", "fr", "Français")
        await paths_within(kiosk, FOLLOW_SECONDS, {"ev/main/fr"}, set())
        await outside.cli("room", "add", "ev", "side", "Side room")
        await paths_within(kiosk, FOLLOW_SECONDS, {"ev/side/floor"}, set())
        await outside.python("await db.delete_booth('ev/main/de')")
        await paths_within(kiosk, FOLLOW_SECONDS, set(), {"ev/main/de"})
        kept = await kiosk.configured_paths()
    assert {"ev/main/en", "ev/main/fr", "ev/main/floor", "ev/side/floor"} <= kept
