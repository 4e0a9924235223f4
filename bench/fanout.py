"""Fan-out benchmark: how long until N listener sockets all have one state change.

For each N, two servers run side by side, each in its own process: the kiosk's real listener
socket (`ours`) and a bare aiohttp broadcast of the same JSON string to the same number of
sockets (`bare`). Client processes (aiohttp ClientSession websockets) hold N sockets to each.
Rounds alternate between the two servers, so both see the same machine load: each round arms
every client, asks one server for one state change over HTTP, and takes the time until the
last of its N sockets has the frame. Memory per listener is that server's RSS growth divided
by N, from after a warm-up of a few sockets (one-time costs are not per listener) to when all N
are open; the bare figure beside it is the floor.

    python bench/fanout.py                      # N = 1000, 2000, 5000; 20 repeats
    python bench/fanout.py --sizes 2000 --repeats 5 --json fanout.json

Targets: ours ≤ 1.25 × bare, ≤ 16 KiB per listener connection, p99 < 100 ms at 2,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout_clients import client_main  # noqa: E402

SERVER = Path(__file__).resolve().parent / "fanout_server.py"
SETTLE_SECONDS = 1.0
KINDS = ("bare", "ours", "bare-uvloop", "ours-uvloop")
WARM_UP_SOCKETS = 20
TARGET_KIB = 16.0


@dataclass(frozen=True)
class Result:
    """One server kind at one size."""

    kind: str
    sockets: int
    p50_ms: float
    p99_ms: float
    kib_per_connection: float
    samples_ms: list[float]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


class ServerProcess:
    """One benchmark server in a subprocess."""

    def __init__(self, kind: str, loop: str = "asyncio") -> None:
        server_kind, _, kind_loop = kind.partition("-")
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), "--kind", server_kind, "--loop", kind_loop or loop],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"the {kind} server did not start")
        self.base = f"http://127.0.0.1:{line[1]}"

    def get(self, path: str) -> dict[str, Any]:
        """GET a control route."""
        with urllib.request.urlopen(self.base + path) as reply:
            data: dict[str, Any] = json.load(reply)
        return data

    def post(self, path: str) -> None:
        """POST to a control route."""
        request = urllib.request.Request(self.base + path, data=b"", method="POST")
        with urllib.request.urlopen(request) as reply:
            reply.read()

    def stop(self) -> None:
        """Close stdin (the server's signal to stop) and wait for it."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def measure(
    sockets: int,
    repeats: int,
    clients: int,
    loop: str = "asyncio",
    kinds: tuple[str, ...] = KINDS[:2],
) -> list[Result]:
    """Every server with `sockets` listeners each; rounds alternate between them."""
    servers = {kind: ServerProcess(kind, loop) for kind in kinds}
    pipes, processes = [], []
    try:
        urls = {
            kind: server.base.replace("http://", "ws://") + "/ws/listen/bench/main"
            for kind, server in servers.items()
        }
        # The first sockets pay one-time costs (lazy imports, caches, the first frame): they
        # are not memory per listener, so both servers see a few sockets come and go first.
        asyncio.run(warm_up(urls.values()))
        time.sleep(SETTLE_SECONDS)
        rss_before = {kind: server.get("/bench/rss")["rss"] for kind, server in servers.items()}
        shares = [sockets // clients + (1 if i < sockets % clients else 0) for i in range(clients)]
        for share in shares:
            parent, child = multiprocessing.Pipe()
            process = multiprocessing.Process(target=client_main, args=(child, urls, share))
            process.start()
            pipes.append(parent)
            processes.append(process)
        for pipe in pipes:
            assert pipe.recv()[0] == "connected"
        time.sleep(SETTLE_SECONDS)
        rss_after = {}
        for kind, server in servers.items():
            state = server.get("/bench/rss")
            if state["sockets"] != sockets:
                raise RuntimeError(f"{kind}: {state['sockets']} sockets open, expected {sockets}")
            rss_after[kind] = state["rss"]
        samples: dict[str, list[float]] = {kind: [] for kind in kinds}
        for repeat in range(repeats + 1):
            for kind in kinds:
                elapsed = one_round(kind, servers[kind], pipes)
                if repeat:  # the first round of each is a warm-up
                    samples[kind].append(elapsed)
    finally:
        for pipe in pipes:
            pipe.send(("quit",))
        for process in processes:
            process.join(timeout=30)
        for server in servers.values():
            server.stop()
    return [
        Result(
            kind=kind,
            sockets=sockets,
            p50_ms=statistics.median(samples[kind]),
            p99_ms=percentile(samples[kind], 0.99),
            kib_per_connection=(rss_after[kind] - rss_before[kind]) / sockets / 1024,
            samples_ms=samples[kind],
        )
        for kind in kinds
    ]


async def warm_up(urls: Iterable[str], sockets: int = WARM_UP_SOCKETS) -> None:
    """Open and close a few listener sockets to each server, reading each one's first frame."""
    async with aiohttp.ClientSession() as session:
        for url in urls:
            opened = [await session.ws_connect(url) for _ in range(sockets)]
            for ws in opened:
                await ws.receive()
                await ws.close()


def one_round(kind: str, server: ServerProcess, pipes: list[Any]) -> float:
    """Arm every client, trigger one change, and return ms until the last socket had it."""
    for pipe in pipes:
        pipe.send(("arm", kind))
    for pipe in pipes:
        assert pipe.recv()[0] == "armed"
    start = time.monotonic()
    server.post("/bench/change")
    ends: list[float] = []
    for pipe in pipes:
        reply = pipe.recv()
        if reply[0] != "done":
            raise RuntimeError(f"a client timed out: {reply}")
        ends.append(reply[1])
    time.sleep(0.05)
    return (max(ends) - start) * 1000


def report(results: list[Result]) -> None:
    """Print the table, with ours / bare ratios."""
    print(f"{'N':>6} {'server':>11} {'p50 ms':>8} {'p99 ms':>8} {'KiB/conn':>9}")
    for result in results:
        print(
            f"{result.sockets:>6} {result.kind:>11} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f}"
            f" {result.kib_per_connection:>9.1f}"
        )
    by_size: dict[int, dict[str, Result]] = {}
    for result in results:
        by_size.setdefault(result.sockets, {})[result.kind] = result
    for size, pair in by_size.items():
        for name in ("ours", "ours-uvloop"):
            if name not in pair or "bare" not in pair:
                continue
            ours, bare = pair[name], pair["bare"]
            print(
                f"N={size}: {name}/bare p50 {ours.p50_ms / bare.p50_ms:.2f}x, "
                f"p99 {ours.p99_ms / bare.p99_ms:.2f}x (target ≤ 1.25x); memory per listener "
                f"{name} {ours.kib_per_connection:.1f} KiB, bare {bare.kib_per_connection:.1f} KiB "
                f"(target ≤ {TARGET_KIB:g} KiB at 2000)"
            )


def main() -> None:
    """Parse arguments, run every size for both servers, print and optionally save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="both servers' loop"
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=list(KINDS[:2]),
        help="servers to compare; the -uvloop ones run on uvloop whatever --loop says",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        for result in measure(size, args.repeats, args.clients, args.loop, tuple(args.kinds)):
            print(
                f"  {result.kind} N={size}: p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms",
                flush=True,
            )
            results.append(result)
    report(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
