"""The real MediaMTX accepts the `mediamtx.yml` the kiosk writes, and refuses what it should.

This module also carries the one skip of tests/functional/real_media when no real binary is found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.mediamtx import path_settings
from tests.fakes import FakeMediaMTX, free_port, kiosk_config
from tests.functional.real_media.binary import require_real_mediamtx

BINARY = require_real_mediamtx()
pytestmark = pytest.mark.anyio

BOOTHS = ["ev/main/en", "ev/main/de"]
FLOOR = "ev/main/floor"


def real(tmp_path: Path, text: str, api_port: int, **options: bool) -> FakeMediaMTX:
    """The real binary on a config file holding `text` (not started yet)."""
    config = tmp_path / "mediamtx.yml"
    config.write_text(text)
    return FakeMediaMTX(config, api_port, binary=BINARY, **options)


async def test_the_kiosk_config_starts_mediamtx_with_every_path(tmp_path: Path) -> None:
    api_port = free_port()
    text = kiosk_config(api_port=api_port, paths=[*BOOTHS, FLOOR])
    async with real(tmp_path, text, api_port) as mediamtx:
        status, info = await mediamtx.request("GET", "/v3/info")
        assert status == 200 and info["version"].startswith("v1.20.")
        status, body = await mediamtx.request("GET", "/v3/paths/list")
    items = {item["name"]: item for item in body["items"]}
    assert sorted(items) == sorted([*BOOTHS, FLOOR])
    # Booth paths are always available (an Opus stream of silence) but nobody is online yet.
    for booth in BOOTHS:
        assert (items[booth]["available"], items[booth]["online"]) == (True, False)
        assert items[booth]["source"] is None
        assert [t["codec"] for t in items[booth]["tracks2"]] == ["Opus"]
    assert (items[FLOOR]["available"], items[FLOOR]["online"]) == (False, False)
    # RTSP over TCP only, on loopback: no UDP RTP/RTCP listeners (MediaMTX's :8000/:8001).
    [rtsp] = [line for line in mediamtx.output if "[RTSP] started" in line]
    assert "(TCP/RTSP)" in rtsp and "UDP" not in rtsp, rtsp


async def test_the_path_settings_are_accepted_through_the_api(tmp_path: Path) -> None:
    api_port = free_port()
    async with real(tmp_path, kiosk_config(api_port=api_port), api_port) as mediamtx:
        for name in ("ev/hall/fr", "ev/hall/floor"):
            status, body = await mediamtx.request(
                "POST", f"/v3/config/paths/add/{name}", dict(path_settings(name))
            )
            assert (status, body) == (200, {"status": "ok"})
        status, body = await mediamtx.request("GET", "/v3/config/paths/get/ev/hall/fr")
        assert status == 200
        assert (body["alwaysAvailable"], body["alwaysAvailableTracks"]) == (
            True,
            [{"codec": "Opus", "sampleRate": 0, "channelCount": 0, "muLaw": False}],
        )
        status, body = await mediamtx.request("POST", "/v3/config/paths/add/ev/hall/fr", {})
        assert (status, body["error"]) == (400, "path already exists")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("moq: false\n", "moq: false\nbogusKey: true\n", 'json: unknown field "bogusKey"'),
        ('- codec: "Opus"', '- codec: "MP3"', "MP3"),
        ('- codec: "Opus"', '- codec: "Opus"\n        sampleRate: 48000', "sampleRate"),
    ],
)
async def test_a_bad_config_stops_mediamtx_with_exit_code_1(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    api_port = free_port()
    text = kiosk_config(api_port=api_port, paths=BOOTHS)
    assert old in text
    async with real(tmp_path, text.replace(old, new), api_port, wait_ready=False) as mediamtx:
        code = await mediamtx.exit_code()
    assert code == 1
    assert any(message in line for line in mediamtx.output), mediamtx.output
