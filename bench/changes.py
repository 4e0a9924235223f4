"""Benchmark: how fast the running kiosk follows a change made elsewhere, and what an idle
reload costs.

The kiosk (the real `make_app`, MediaMTX off) runs on loopback over a SQLite file, with one
listener socket open on the room. Two figures, each beside a baseline measured in the same run:

- **follow latency**: a booth's language name is changed by another SQLite connection (as the
  CLI or a second process would) and the clock runs until the listener socket receives the
  `listen:state` carrying it. Baseline: the same edit made the way the kiosk's own admin panel
  makes it (database write, then the booth runtime's `refresh`), which reaches the socket without the watcher.
- **idle reload**: one round of every change subscriber when nothing changed (what each of the
  kiosk's own writes costs: a chat line, a span). Baselines: one `PRAGMA data_version` poll,
  and one trivial query through the kiosk's database connection.

    python bench/changes.py [--rounds 20] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOOTH = "bench/main/en"


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p95 (and the count) of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(p95 * 1000, 3),
    }


async def until_named(ws: Any, name: str) -> None:
    """Read the listener socket until its English channel carries `name`."""
    while True:
        frame = json.loads((await ws.receive()).data)
        if frame["type"] != "listen:state":
            continue
        if any(c["booth_id"] == BOOTH and c["language_name"] == name for c in frame["channels"]):
            return


async def run(rounds: int) -> dict[str, Any]:
    """Start the kiosk, measure both figures and their baselines."""
    import aiohttp
    from aiohttp.test_utils import TestServer
    from tortoise import Tortoise

    import db
    from db.changes import SqliteDataVersion
    from db.migrate import migrate_db
    from server.app import make_app
    from server.auth.credentials import new_signing_key
    from server.config import parse_config
    from server.keys import BOOTH_RUNTIME, CHANGES
    from server.secrets.fernet_keys import generate_key
    from server.secrets.store import KioskSecrets
    from server.services import Services

    folder = Path(tempfile.mkdtemp(prefix="bench-changes-"))
    path = folder / "kiosk.sqlite3"
    await migrate_db(db.sqlite_url(path))
    await db.init_db(db.sqlite_url(path))
    await db.create_event("bench", "Bench")
    await db.create_booth("bench", "main", "en", "English")
    config = parse_config(
        {"kiosk": {"data_dir": str(folder)}, "mediamtx": {"enabled": False}},
        source=folder / "kiosk.toml",
    )
    secrets = KioskSecrets(new_signing_key(), (generate_key(),), "bench")
    server = TestServer(
        make_app(config, Services(secrets=secrets, open_database=False)), host="127.0.0.1"
    )
    await server.start_server()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)  # "elsewhere"
    follow: list[float] = []
    direct: list[float] = []
    try:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(server.make_url("/ws/listen/bench/main"))
            await ws.receive()
            for i in range(rounds):
                name = f"Elsewhere {i}"
                started = time.perf_counter()
                await asyncio.to_thread(
                    other.execute,
                    "UPDATE booth SET language_name = ? WHERE language_code = 'en'",
                    (name,),
                )
                await until_named(ws, name)
                follow.append(time.perf_counter() - started)

                name = f"Admin {i}"
                started = time.perf_counter()
                server.app[BOOTH_RUNTIME].refresh(await db.update_booth(BOOTH, language_name=name))
                await until_named(ws, name)
                direct.append(time.perf_counter() - started)
                # Let the watcher see the admin's own write before the next round.
                await asyncio.sleep(0.4)
            await ws.close()

        watcher = server.app[CHANGES]
        reload_times, poll_times, query_times = [], [], []
        source = watcher.source
        assert isinstance(source, SqliteDataVersion)
        for _ in range(rounds * 5):
            started = time.perf_counter()
            await watcher.publish()
            reload_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await source.read_version()
            poll_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await Tortoise.get_connection("default").execute_query("SELECT 1")
            query_times.append(time.perf_counter() - started)
    finally:
        other.close()
        await server.close()
        await db.close_db()
    return {
        "follow_latency": percentiles(follow),
        "baseline_in_process_edit": percentiles(direct),
        "idle_reload": percentiles(reload_times),
        "baseline_data_version_poll": percentiles(poll_times),
        "baseline_select_1": percentiles(query_times),
    }


def main() -> None:
    """Run and print the figures (and save them with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", metavar="FILE", type=Path)
    args = parser.parse_args()
    report = asyncio.run(run(args.rounds))
    for name, figures in report.items():
        print(f"{name:28} p50 {figures['p50_ms']:9.3f} ms   p95 {figures['p95_ms']:9.3f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
