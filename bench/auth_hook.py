"""Benchmark: `POST /mediamtx/auth` answers per second and latency under 200 concurrent requests.

Beside it, in the same run, a bare aiohttp handler that answers 200 without looking at anything:
the floor set by aiohttp and the loopback HTTP round trip. Both servers run in one child process
(the kiosk's real `make_app`, MediaMTX disabled, and the bare app on a second port), so the load
generator in this process does not steal their event loop.

    python bench/auth_hook.py [--concurrency 200] [--seconds 5] [--json FILE]

Each side is then run again with a single client, which shows the service time without the
queueing that 200 requests in flight add to every latency.

Every kiosk request is the costly case MediaMTX sends for a WHIP publish: the secret check, the
JSON body, and a full HS256 verification of an interpreter's token that is then allowed (200).
The figures are the answers per second and the p50/p99 latency of each side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOOTH = "ev/main/en"
JWT_KEY = "bench-signing-key-" + "k" * 40
MEDIA_SECRET = "bench-media-secret"


@dataclass(frozen=True)
class Side:
    """The figures of one server."""

    name: str
    requests: int
    seconds: float
    per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    non_200: int


def serve(kiosk_port: int, bare_port: int) -> None:
    """Child process: the kiosk app and the bare app, until killed."""
    from aiohttp import web

    import db
    from server.app import make_app
    from server.config import parse_config
    from server.secrets.fernet_keys import generate_key
    from server.secrets.store import KioskSecrets
    from server.services import Services

    async def bare(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    async def main() -> None:
        # The hook never reads the database; the websocket layer loads booths at start-up.
        await db.init_db("sqlite://:memory:", generate_schemas=True)
        config = parse_config({"mediamtx": {"enabled": False}, "server": {"tls": "off"}})
        secrets = KioskSecrets(JWT_KEY, (generate_key(),), MEDIA_SECRET)
        kiosk = web.AppRunner(make_app(config, Services(secrets=secrets, open_database=False)))
        bare_app = web.Application()
        bare_app.router.add_post("/mediamtx/auth", bare)
        plain = web.AppRunner(bare_app)
        for runner, port in ((kiosk, kiosk_port), (plain, bare_port)):
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def mediamtx_body() -> bytes:
    """What MediaMTX posts for an interpreter's WHIP publish, with a valid token."""
    from server.auth.credentials import create_booth_token

    token = create_booth_token("invite:1", BOOTH, "interpreter", "Ana", key=JWT_KEY)
    body = {
        "ip": "192.168.1.50",
        "user": "",
        "password": "",
        "token": token,
        "action": "publish",
        "path": BOOTH,
        "protocol": "webrtc",
        "id": None,
        "query": "",
        "userAgent": "Mozilla/5.0",
    }
    return json.dumps(body).encode()


async def load(name: str, url: str, body: bytes, concurrency: int, seconds: float) -> Side:
    """`concurrency` clients posting back to back for `seconds`; their latencies."""
    latencies: list[float] = []
    failures = 0
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> None:
            nonlocal failures
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                failures += response.status != 200
            latencies.append(time.perf_counter() - started)

        for _ in range(concurrency):  # warm the connection pool
            await one()
        latencies.clear()
        failures = 0
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                await one()

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return Side(
        name=name,
        requests=len(latencies),
        seconds=round(elapsed, 3),
        per_second=round(len(latencies) / elapsed, 1),
        latency_p50_ms=round(cuts[49] * 1000, 2),
        latency_p99_ms=round(cuts[98] * 1000, 2),
        non_200=failures,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def run(concurrency: int, seconds: float) -> list[Side]:
    """Start the servers, load each in turn, stop them."""
    kiosk_port, bare_port = free_port(), free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        str(kiosk_port),
        str(bare_port),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        if (await child.stdout.readline()).strip() != b"ready":
            raise SystemExit("the servers did not start")
        query = f"?secret={quote(MEDIA_SECRET, safe='')}"
        body = mediamtx_body()
        targets = (("bare aiohttp 200", bare_port), ("kiosk /mediamtx/auth", kiosk_port))
        sides = []
        # Loaded (`concurrency` clients), then unloaded (one client): queueing versus service.
        for clients, label in ((concurrency, ""), (1, ", 1 client")):
            for name, port in targets:
                url = f"http://127.0.0.1:{port}/mediamtx/auth{query}"
                sides.append(await load(name + label, url, body, clients, seconds))
        return sides
    finally:
        child.terminate()
        await child.wait()


def main() -> None:
    """Parse the options, run the benchmark, print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", metavar="FILE", type=Path)
    parser.add_argument("--serve", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return
    sides = asyncio.run(run(args.concurrency, args.seconds))
    print(f"{args.concurrency} concurrent clients, {args.seconds:g} s per side, loopback")
    print(
        f"{'side':<32} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non-200':>8}"
    )
    for side in sides:
        print(
            f"{side.name:<32} {side.per_second:>10.0f} {side.latency_p50_ms:>8.2f} "
            f"{side.latency_p99_ms:>8.2f} {side.requests:>9} {side.non_200:>8}"
        )
    bare, kiosk = sides[:2]
    print(f"kiosk/bare throughput under load: {kiosk.per_second / bare.per_second:.2f}")
    if args.json:
        report = {
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "sides": [asdict(side) for side in sides],
            "throughput_ratio": round(kiosk.per_second / bare.per_second, 3),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
