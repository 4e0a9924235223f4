"""The console and the floor: the Setup form sets a room's floor source, the dashboard shows
each floor's health, and `--demo` gives the demo room a generated floor."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from textual.widgets import Input, Select

import db
from kiosk.demo import DEMO_FLOOR_FILE, ensure_demo_event, ensure_demo_floor, write_tone
from kiosk.screens.setup import SetupScreen
from server.config import parse_config
from tests.console_support import text_of, wait_until
from tests.functional.test_console_screens import show
from tests.harness.console import running_console

# Slow: each test drives the whole Textual console through its pilot.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def floor_of(event: str = "demo", room: str = "main") -> tuple[str, str]:
    record = await db.get_room(event, room)
    return record.floor_kind, record.floor_value


async def test_setup_refuses_a_bad_device_in_place_then_sets_a_good_one(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        before = await floor_of()
        screen = await show(app, pilot, "s", SetupScreen, "#floor-form")
        picker = screen.query_one("#floor-room", Select)
        await wait_until(pilot, lambda: picker.value == "demo/main", "room picked")
        kind = screen.query_one("#floor-kind", Select)
        field = screen.query_one("#floor-value", Input)
        # The form shows the room's current source: the demo's looped file.
        await wait_until(pilot, lambda: kind.value == "file", "current kind shown")
        assert field.value == before[1]
        kind.value = "device"
        await wait_until(pilot, lambda: "alsa:" in field.placeholder, "the device field")
        assert not field.disabled
        assert field.value == ""
        field.value = "alsa:hw:1,0;reboot"
        await pilot.press("ctrl+f")
        error = screen.query_one("#floor-error")
        await wait_until(pilot, lambda: "capture device name" in text_of(error), "error")
        assert await floor_of() == before
        field.value = "alsa:hw:1,0"
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: text_of(error) == "", "error cleared")
        assert await floor_of() == ("device", "alsa:hw:1,0")


async def test_setup_needs_no_value_for_a_floor_page(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True) as (app, pilot):
        screen = await show(app, pilot, "s", SetupScreen, "#floor-form")
        picker = screen.query_one("#floor-room", Select)
        await wait_until(pilot, lambda: picker.value == "demo/main", "room picked")
        screen.query_one("#floor-kind", Select).value = "page"
        await wait_until(
            pilot, lambda: screen.query_one("#floor-value", Input).disabled, "value field shut"
        )
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: app.screen is screen, "still on setup")
        for _ in range(100):
            if await floor_of() == ("page", ""):
                break
            await pilot.pause(0.05)
        assert await floor_of() == ("page", "")


async def test_the_dashboard_header_shows_each_floor_of_the_event(tmp_path: Path) -> None:
    async with running_console(tmp_path, demo=True, start_server=True) as (app, pilot):
        floors = app.screen.query_one("#floors")
        await wait_until(pilot, lambda: "main" in text_of(floors), "floor line")
        # MediaMTX is off in this test, so the demo floor cannot be served.
        assert "no media server" in text_of(floors)
        assert "looped file" in text_of(floors)


async def test_the_demo_floor_is_generated_and_kept_once_set_by_hand(
    memory_db: None, tmp_path: Path
) -> None:
    config = parse_config({"kiosk": {"data_dir": str(tmp_path)}, "floor": {"demo": "tone"}})
    await ensure_demo_event()
    assert await ensure_demo_floor(config)
    wav = tmp_path / DEMO_FLOOR_FILE
    assert await floor_of() == ("file", str(wav))
    with wave.open(str(wav)) as handle:
        assert handle.getframerate() == 48_000
        assert handle.getnframes() > 0
    await db.set_room_floor("demo", "main", "page", "")
    assert not await ensure_demo_floor(config)
    assert await floor_of() == ("page", "")


async def test_the_demo_floor_can_be_any_source_from_the_config(
    memory_db: None, tmp_path: Path
) -> None:
    config = parse_config(
        {"kiosk": {"data_dir": str(tmp_path)}, "floor": {"demo": "device:pulse:default"}}
    )
    await ensure_demo_event()
    assert await ensure_demo_floor(config)
    assert await floor_of() == ("device", "pulse:default")


def test_the_tone_is_a_beep_of_440_hz(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    write_tone(path, seconds=1.0)
    with wave.open(str(path)) as handle:
        frames = handle.readframes(handle.getnframes())
    samples = [int.from_bytes(frames[i : i + 2], "little", signed=True) for i in range(0, 9600, 2)]
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if a < 0 <= b)
    # 4800 samples are 0.1 s: a 440 Hz sine rises through zero 44 times in it.
    assert 43 <= crossings <= 45
