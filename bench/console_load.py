"""Console under load: 100 booths changing 5 times a second each, beside the same console idle.

The registry is driven in-process (the same loop as the console, as in production where the
websocket layer and the poller change it). For each phase it prints the CPU the whole process
used (process CPU time / wall time), booth changes and dashboard repaints per second, and the
key-press-to-repaint latency p50/p99 of moving the dashboard cursor.

    python bench/console_load.py [--seconds 30] [--idle-seconds 10] [--json FILE]
    python bench/console_load.py --seconds 0 --storm 2000   # key-to-repaint while phones join

With `--storm N` the console runs its own web server (as a technician runs it) and, after the
other phases, N phones open room0's listener socket at once from separate client processes
(bench/join_storm_clients.py), `--storms` times; the key presses go on meanwhile.

Targets: p99 < 100 ms and CPU < 30 % of one core under load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from join_storm import Clients  # noqa: E402
from join_storm_server import raise_file_limit  # noqa: E402

import db  # noqa: E402
import kiosk.app  # noqa: E402
from kiosk.app import KioskApp  # noqa: E402
from tests.harness.app import make_config, make_services  # noqa: E402

ROOMS = 10
BOOTHS_PER_ROOM = 10
CHANGES_PER_BOOTH_PER_SECOND = 5
DRIVER_TICK = 0.02  # seconds between batches of changes
KEY_EVERY = 0.2  # seconds between key presses
TARGET_P99_MS = 100.0
TARGET_CPU = 0.30
STORM_CLIENTS = 4
STORM_SOURCES = 64


class MeasuredKioskApp(KioskApp):
    """The console, which also renders each frame to text when headless and notes when."""

    CSS_PATH = str(Path(kiosk.app.__file__).parent / "app.tcss")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As KioskApp, plus frame bookkeeping."""
        super().__init__(*args, **kwargs)
        self.frames = 0
        self.last_frame = 0.0
        self.frame_painted = asyncio.Event()

    def _display(self, screen: Any, renderable: Any) -> None:
        """Turn the update into terminal text as a real terminal would need, and time it."""
        super()._display(screen, renderable)
        if renderable is not None and self.is_headless and hasattr(renderable, "render_segments"):
            renderable.render_segments(self.console)
            self.frames += 1
            self.last_frame = time.perf_counter()
            self.frame_painted.set()


async def seed() -> list[str]:
    """One event with ROOMS rooms of BOOTHS_PER_ROOM booths; returns the booth ids."""
    await db.create_event("bench", "Bench")
    ids = []
    for r in range(ROOMS):
        room = f"room{r}"
        await db.create_room("bench", room, f"Room {r}")
        for b in range(BOOTHS_PER_ROOM):
            code = "l" + chr(97 + r) + chr(97 + b)
            await db.create_booth("bench", room, code, f"Language {r}-{b}")
            ids.append(f"bench/{room}/{code}")
    return ids


async def drive(
    app: KioskApp, booth_ids: list[str], stop: asyncio.Event, spent: list[float]
) -> int:
    """Change every booth CHANGES_PER_BOOTH_PER_SECOND times a second until stopped; the time
    spent inside the registry (its own work plus its synchronous subscribers) goes to `spent`."""
    per_tick = len(booth_ids) * CHANGES_PER_BOOTH_PER_SECOND * DRIVER_TICK
    loop = asyncio.get_running_loop()
    start, done, n = loop.time(), 0, 0
    while not stop.is_set():
        due = int((loop.time() - start) / DRIVER_TICK * per_tick)
        batch_started = time.process_time()
        while done < due:
            booth_id = booth_ids[done % len(booth_ids)]
            if done % 2:
                app.registry.set_listeners(booth_id, (done // len(booth_ids)) % 50)
            else:
                app.registry.set_ingest(booth_id, (done // len(booth_ids)) % 2 == 0)
            done += 1
            n += 1
        spent.append(time.process_time() - batch_started)
        await asyncio.sleep(DRIVER_TICK)
    return n


async def press_latencies(app: MeasuredKioskApp, pilot: Any, stop: asyncio.Event) -> list[float]:
    """Alternate down/up on the dashboard; a sample runs from posting the key (as the terminal
    driver does) to the first frame painted after the cursor moved."""
    samples: list[float] = []
    keys = ("down", "up")
    table = app.screen.query_one("#booths")
    while not stop.is_set():
        key = keys[len(samples) % 2]
        row_before = table.cursor_row  # type: ignore[attr-defined]
        started = time.perf_counter()
        app.simulate_key(key)
        # The cursor moves while the key is handled, before the compositor paints the next
        # frame, so the first frame that finds it moved is the one that shows it.
        while True:
            app.frame_painted.clear()
            await app.frame_painted.wait()
            if table.cursor_row != row_before:  # type: ignore[attr-defined]
                break
        samples.append((app.last_frame - started) * 1000)
        await asyncio.sleep(KEY_EVERY)
    return samples


async def phase(app: MeasuredKioskApp, pilot: Any, seconds: float, load: bool) -> dict[str, Any]:
    """Run one phase and return its figures."""
    stop = asyncio.Event()
    booth_ids = app.registry.booth_ids()
    changes_before, frames_before = app.board.changes_seen, app.frames
    wall0, cpu0 = time.perf_counter(), time.process_time()
    spent: list[float] = []
    driver = asyncio.create_task(drive(app, booth_ids, stop, spent)) if load else None
    keys = asyncio.create_task(press_latencies(app, pilot, stop))
    await asyncio.sleep(seconds)
    stop.set()
    samples = await keys
    if driver is not None:
        await driver
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    samples.sort()
    return {
        "seconds": round(wall, 2),
        "cpu_fraction": round(cpu / wall, 3),
        "registry_cpu_fraction": round(sum(spent) / wall, 3),
        "console_cpu_fraction": round((cpu - sum(spent)) / wall, 3),
        "changes_per_second": round((app.board.changes_seen - changes_before) / wall, 1),
        "repaints_per_second": round((app.frames - frames_before) / wall, 1),
        "key_presses": len(samples),
        "latency_p50_ms": round(statistics.median(samples), 1),
        "latency_p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 1),
    }


async def storm_phase(
    app: MeasuredKioskApp, pilot: Any, phones: int, storms: int
) -> dict[str, Any]:
    """Key presses while `storms` crowds of `phones` open the listener socket of room0 on the
    console's own server (the same loop as the console), one crowd after the other."""
    assert app.host is not None and app.host.running is not None
    port = app.host.running.http_port
    clients = Clients(STORM_CLIENTS)
    stop = asyncio.Event()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    keys = asyncio.create_task(press_latencies(app, pilot, stop))
    storm_ms: list[float] = []
    errors = 0
    try:
        for _ in range(storms):
            await asyncio.sleep(1.0)
            figures = await asyncio.to_thread(
                clients.storm, port, phones, STORM_SOURCES, "/ws/listen/bench/room0"
            )
            storm_ms.append(round(figures["storm_ms"]))
            errors += sum(figures["errors"].values())
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        samples = await keys
        clients.stop()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    samples.sort()
    return {
        "phones": phones,
        "storm_ms": storm_ms,
        "errors": errors,
        "seconds": round(wall, 2),
        "cpu_fraction": round(cpu / wall, 3),
        "key_presses": len(samples),
        "latency_p50_ms": round(statistics.median(samples), 1),
        "latency_p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 1),
    }


async def run(
    seconds: float, idle_seconds: float, storm: int = 0, storms: int = 3
) -> dict[str, Any]:
    """Seed, start the console headless at 140×45, and run the idle then the loaded phase; with
    `storm`, the console runs its web server and a join-storm phase follows."""
    with tempfile.TemporaryDirectory() as folder:
        await db.init_db(f"sqlite://{Path(folder) / 'bench.sqlite3'}", generate_schemas=True)
        try:
            await seed()
            app = MeasuredKioskApp(
                make_config(Path(folder)), make_services(), start_server=bool(storm)
            )
            async with app.run_test(size=(140, 45)) as pilot:
                await app.ready.wait()
                await pilot.pause(0.5)
                idle = await phase(app, pilot, idle_seconds, load=False)
                loaded = await phase(app, pilot, seconds, load=True) if seconds else None
                stormed = await storm_phase(app, pilot, storm, storms) if storm else None
        finally:
            await db.close_db()
    figures: dict[str, Any] = {"booths": ROOMS * BOOTHS_PER_ROOM, "idle": idle}
    if loaded is not None:
        figures["load"] = loaded
    if stormed is not None:
        figures["storm"] = stormed
    return figures


def main() -> int:
    """Parse arguments, run, print and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the loaded phase")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="length of the idle phase")
    parser.add_argument(
        "--storm",
        type=int,
        default=0,
        help="also run the console's web server and let this many phones join at once",
    )
    parser.add_argument("--storms", type=int, default=3, help="crowds in the storm phase")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not 0 <= args.storm <= 10000:
        parser.error("--storm must be from 0 to 10000 (loopback, bounded)")
    raise_file_limit()
    figures = asyncio.run(run(args.seconds, args.idle_seconds, args.storm, args.storms))
    print(
        f"console with {figures['booths']} booths, "
        f"{CHANGES_PER_BOOTH_PER_SECOND} changes/s each under load"
    )
    print(
        f"{'':8} {'CPU':>6} {'registry':>9} {'console':>8} {'changes/s':>10} {'repaints/s':>11}"
        f" {'p50 ms':>7} {'p99 ms':>7}"
    )
    for name in ("idle", "load"):
        if name not in figures:
            continue
        f = figures[name]
        print(
            f"{name:8} {f['cpu_fraction']:>6.1%} {f['registry_cpu_fraction']:>9.1%} "
            f"{f['console_cpu_fraction']:>8.1%} {f['changes_per_second']:>10} "
            f"{f['repaints_per_second']:>11} {f['latency_p50_ms']:>7} {f['latency_p99_ms']:>7}"
        )
    if "load" in figures:
        load = figures["load"]
        ok = load["latency_p99_ms"] < TARGET_P99_MS and load["cpu_fraction"] < TARGET_CPU
        print(
            f"targets: p99 < {TARGET_P99_MS:g} ms, CPU < {TARGET_CPU:.0%}: "
            f"{'met' if ok else 'MISSED'}"
        )
    if "storm" in figures:
        f = figures["storm"]
        print(
            f"storm: {f['phones']} phones at once, {len(f['storm_ms'])} times "
            f"({', '.join(map(str, f['storm_ms']))} ms until all had their first state, "
            f"{f['errors']} errors): key-to-repaint p50 {f['latency_p50_ms']} ms, "
            f"p99 {f['latency_p99_ms']} ms over {f['key_presses']} presses "
            f"(idle p99 {figures['idle']['latency_p99_ms']} ms)"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
