"""`--demo`: an event with three booths and a floor that speaks, so a first look shows something.

The demo room's floor follows `[floor] demo`: by default ("speech") a short text spoken by
espeak-ng and looped, or a tone pattern when espeak-ng is missing ("tone" asks for the tone
outright). The file is generated at run time in the data folder, never shipped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import shutil
import struct
import subprocess
import wave
from pathlib import Path

from server.config import Config
from server.manage import SetupError, add_booth, add_event, event_exists, floor_of, store_floor
from server.mediamtx.floor_source import FILE, NONE, FloorSource, parse_floor_spec

logger = logging.getLogger(__name__)

DEMO_EVENT = "demo"
DEMO_ROOM = "main"
DEMO_ROOM_KEY = f"{DEMO_EVENT}/{DEMO_ROOM}"
DEMO_NAME = "Demo event"
DEMO_BOOTHS = (("en", "English"), ("de", "Deutsch"), ("fr", "Français"))
DEMO_FLOOR_FILE = "demo-floor.wav"
DEMO_SPEECH = (
    "Good morning, and welcome to the VoxBento demo. This is the floor: the speaker's own "
    "voice. Interpreters hear it in their booths, and listeners may choose it as the original. "
    "The demo repeats this text every few seconds."
)
SAMPLE_RATE = 48_000
TONE_HZ = 440.0
SPEECH_TIMEOUT = 30.0


async def ensure_demo_event() -> bool:
    """Create the demo event (room `main`, booths en/de/fr) unless it exists; True if created."""
    if await event_exists(DEMO_EVENT):
        return False
    await add_event(DEMO_EVENT, DEMO_NAME)
    for code, name in DEMO_BOOTHS:
        await add_booth(DEMO_ROOM_KEY, code, name)
    return True


def write_tone(path: Path, seconds: float = 4.0) -> None:
    """A 440 Hz beep of one second then silence, repeated: plainly a test signal."""
    frames = bytearray()
    for n in range(int(seconds * SAMPLE_RATE)):
        t = n / SAMPLE_RATE
        on = (t % 2.0) < 1.0
        sample = 0.3 * math.sin(2 * math.pi * TONE_HZ * t) if on else 0.0
        frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(bytes(frames))


def write_speech(path: Path) -> bool:
    """The demo text spoken by espeak-ng into `path`; False when espeak-ng is missing or fails."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        return False
    try:
        subprocess.run(
            [espeak, "-v", "en", "-s", "150", "-w", str(path), DEMO_SPEECH],
            check=True,
            capture_output=True,
            timeout=SPEECH_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as err:
        logger.warning("espeak-ng could not speak the demo floor (%s); using a tone", err)
        return False
    return path.is_file() and path.stat().st_size > 0


def demo_floor_source(config: Config) -> FloorSource:
    """The source `[floor] demo` asks for; "speech" and "tone" write the file they need."""
    choice = config.floor.demo
    if choice not in ("speech", "tone"):
        return parse_floor_spec(choice, base=config.source.parent if config.source else None)
    path = config.data_dir / DEMO_FLOOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if choice == "tone" or not write_speech(path):
        write_tone(path)
    return FloorSource(FILE, str(path))


async def ensure_demo_floor(config: Config) -> bool:
    """Give the demo room its floor unless someone chose another one; True when it was set.

    A floor set by hand (Setup, admin, CLI) is kept. The generated file is written again on
    every start, so a cleaned data folder heals.
    """
    try:
        floor = await floor_of(DEMO_ROOM_KEY)
    except SetupError:  # the demo room is gone
        return False
    generated = str(config.data_dir / DEMO_FLOOR_FILE)
    ours = floor.kind == FILE and floor.value == generated
    if floor.kind != NONE and not ours:
        return False
    try:
        source = await asyncio.to_thread(demo_floor_source, config)
    except (OSError, ValueError) as err:
        logger.warning("the demo floor stays silent: %s", err)
        return False
    await store_floor(DEMO_ROOM_KEY, source)
    logger.info("demo floor: %s", source.describe())
    return True
