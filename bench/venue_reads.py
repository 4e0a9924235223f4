"""Benchmark: the console's venue read (Setup, Poster, Invites) beside the per-event loop it replaced.

Both sides read the same venue from the same migrated SQLite file in WAL mode, in the same run:
- baseline: the loop the screens used to run, `list_events`, then `list_rooms` per event, then
  `list_booths` per room (1 + events + rooms queries);
- ours: `server.manage.venue_outline()`, three queries whatever the venue's size.

For each venue size it prints the number of SELECTs each side sent, the median CPU milliseconds
of one full read (process time: steady on a busy machine) and its median and p95 wall time. The screens reread after every database change (a chat line counts), so
this is paid often while a venue runs.

    python bench/venue_reads.py [--events 1 10 40] [--rounds 30] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db  # noqa: E402
from db.migrate import migrate_db  # noqa: E402
from server.manage import venue_outline  # noqa: E402

ROOMS_PER_EVENT = 3  # main plus two
BOOTHS_PER_ROOM = 4
LANGS = (("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"))


class SelectCounter(logging.Handler):
    """Counts the SELECTs Tortoise logs (at DEBUG, one record per query)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().lstrip().upper().startswith("SELECT"):
            self.count += 1


@dataclass(frozen=True)
class Figures:
    """One side at one venue size."""

    side: str
    events: int
    selects: int
    cpu_ms: float
    median_ms: float
    p95_ms: float


async def baseline_read() -> list[Any]:
    """What Setup did before: a query per event and per room."""
    events = []
    for event in await db.list_events():
        rooms = []
        for room in await db.list_rooms(event.slug):
            booths = await db.list_booths(event.slug, room.slug)
            rooms.append((room.slug, room.display_name, [b.path for b in booths]))
        events.append((event.slug, rooms))
    return events


async def outline_read() -> list[Any]:
    """What Setup, Poster and Invites do now."""
    return await venue_outline()


async def seed(events: int) -> None:
    for n in range(events):
        slug = f"event{n}"
        await db.create_event(slug, f"Event {n}")
        for r in range(1, ROOMS_PER_EVENT):
            await db.create_room(slug, f"room{r}", f"Room {r}")
        for room in ["main"] + [f"room{r}" for r in range(1, ROOMS_PER_EVENT)]:
            for code, name in LANGS[:BOOTHS_PER_ROOM]:
                await db.create_booth(slug, room, code, name)


async def measure(
    side: str, events: int, read: Callable[[], Awaitable[list[Any]]], rounds: int
) -> Figures:
    counter = SelectCounter()
    client_log = logging.getLogger("tortoise.db_client")
    client_log.addHandler(counter)
    client_log.setLevel(logging.DEBUG)
    try:
        await read()
        selects = counter.count
    finally:
        client_log.removeHandler(counter)
        client_log.setLevel(logging.WARNING)
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        await read()
        cpu.append((time.process_time() - start_cpu) * 1000)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return Figures(side, events, selects, statistics.median(cpu), statistics.median(times), p95)


async def run(sizes: list[int], rounds: int) -> list[Figures]:
    results = []
    for events in sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite://{Path(folder) / 'kiosk.sqlite3'}"
            await migrate_db(url)
            await db.init_db(url)
            try:
                await seed(events)
                # Alternate the sides so that machine load hits both alike.
                for side, read in (("baseline", baseline_read), ("outline", outline_read)) * 2:
                    results.append(await measure(side, events, read, rounds // 2))
            finally:
                await db.close_db()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument("--rounds", type=int, default=30, help="reads per side and venue size")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if any(n < 1 for n in args.events) or args.rounds < 2:
        parser.error("--events must be at least 1 and --rounds at least 2")
    results = asyncio.run(run(args.events, args.rounds))
    print(f"venue: {ROOMS_PER_EVENT} rooms per event, {BOOTHS_PER_ROOM} booths per room")
    print(f"{'events':>6} {'side':>9} {'SELECTs':>8} {'CPU ms':>7} {'median ms':>10} {'p95 ms':>8}")
    merged: dict[tuple[int, str], list[Figures]] = {}
    for figures in results:
        merged.setdefault((figures.events, figures.side), []).append(figures)
    rows = []
    for (events, side), halves in merged.items():
        row = Figures(
            side,
            events,
            halves[0].selects,
            statistics.median(h.cpu_ms for h in halves),
            statistics.median(h.median_ms for h in halves),
            max(h.p95_ms for h in halves),
        )
        rows.append(row)
        print(
            f"{events:>6} {side:>9} {row.selects:>8} {row.cpu_ms:>7.2f} "
            f"{row.median_ms:>10.2f} {row.p95_ms:>8.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


if __name__ == "__main__":
    main()
