"""MediaMTX in the console: the Logs screen shows the supervisor's output as it comes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Log

from kiosk.screens.logs import LogsScreen
from kiosk.server_bridge import MediaMTXOutput
from tests.console_support import text_of, wait_until
from tests.fakes import free_port, write_fake_binary
from tests.harness.console import running_console

# Slow: the console runs the stand-in MediaMTX as a child process.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


def stand_in_settings(tmp_path: Path) -> dict[str, object]:
    """`[mediamtx]` with the stand-in as the binary, on free loopback ports."""
    return {
        "enabled": True,
        "binary": str(write_fake_binary(tmp_path / "bin")),
        "api_port": free_port(),
        "metrics_port": free_port(),
        "webrtc_port": free_port(),
        "webrtc_udp_port": free_port(),
        "rtsp_port": free_port(),
    }


async def test_logs_screen_shows_the_output_of_the_running_mediamtx(tmp_path: Path) -> None:
    mediamtx = stand_in_settings(tmp_path)
    async with running_console(tmp_path, demo=True, start_server=True, mediamtx=mediamtx) as (
        app,
        pilot,
    ):
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen), "logs screen")
        log = app.screen.query_one("#mediamtx-log", Log)

        await wait_until(
            pilot, lambda: "listener opened" in "\n".join(log.lines), "MediaMTX output"
        )
        await wait_until(
            pilot,
            lambda: "MediaMTX (running)" in text_of(app.screen.query_one("#mediamtx-title")),
            "running state",
        )
        assert "(stand-in)" in "\n".join(log.lines)


def test_a_full_ring_buffer_still_yields_only_the_new_lines() -> None:
    output = MediaMTXOutput(lines=("c", "d", "e"), total=5)

    assert output.new_since(3) == ("d", "e")


def test_lines_that_fell_out_of_the_ring_buffer_are_skipped() -> None:
    output = MediaMTXOutput(lines=("x", "y"), total=10)

    assert output.new_since(2) == ("x", "y")


def test_nothing_is_new_once_every_line_was_seen() -> None:
    output = MediaMTXOutput(lines=("a", "b"), total=2)

    assert output.new_since(2) == ()
