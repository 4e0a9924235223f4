"""The client side of the join-storm benchmark: one process opening its share of phones at once.

A phone here is the least a websocket client can be, so the clients cost as little CPU as
possible on a shared machine: a TCP connection, the HTTP upgrade request, the `101` reply, and
one websocket frame read and checked to be a `listen:state`. The socket then stays open until
the coordinator releases the storm, as a real audience stays in the room.

Each phone connects from one of several loopback source addresses (127.1.x.y): a venue NAT puts
a whole audience behind one address and the kiosk may cap sockets per address, so the storm
spreads over `sources` addresses as a small audience would.

Driven by `bench/join_storm.py` over a multiprocessing pipe:

    ("storm", port, path, count, first_index, sources, start_at)
        -> ("done", {"ok", "errors", "arrivals"})   times are time.monotonic(), one clock
                                                         for every process on Linux
    ("release",) -> ("released",)   every socket of the storm is closed
    ("quit",)    -> the process ends
"""

from __future__ import annotations

import asyncio
import base64
import os
import resource
import time
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

PHONE_TIMEOUT = 30.0
"""A phone that has no first frame after this long counts as an error."""


def source_address(index: int, sources: int) -> str:
    """The loopback address phone `index` connects from."""
    k = index % sources
    return f"127.1.{k // 250}.{k % 250 + 1}"


async def one_phone(port: int, path: str, source: str) -> tuple[float, asyncio.StreamWriter]:
    """Connect, upgrade, read the first frame; returns when it arrived and the open stream."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ValueError("status " + head.split(b"\r\n", 1)[0].decode(errors="replace"))
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(size)
        arrived = time.monotonic()
        if first & 0x0F != 0x1 or not payload.startswith(b'{"type":"listen:state"'):
            raise ValueError("first frame is not listen:state")
        return arrived, writer
    except BaseException:
        writer.close()
        raise


async def storm(
    port: int, path: str, count: int, first_index: int, sources: int, start_at: float
) -> tuple[dict[str, Any], list[asyncio.StreamWriter]]:
    """Open `count` phones at `start_at` (monotonic), all at once; figures and open streams."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    attempts = [
        asyncio.wait_for(
            one_phone(port, path, source_address(first_index + i, sources)), PHONE_TIMEOUT
        )
        for i in range(count)
    ]
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    arrivals, writers, errors = [], [], Counter[str]()
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors[type(outcome).__name__ + (f": {outcome}" if str(outcome) else "")] += 1
        else:
            arrivals.append(outcome[0])
            writers.append(outcome[1])
    figures = {
        "ok": len(arrivals),
        "errors": dict(errors),
        "arrivals": arrivals,
    }
    return figures, writers


async def run(pipe: Connection) -> None:
    """Obey the coordinator until it says quit."""
    loop = asyncio.get_running_loop()
    writers: list[asyncio.StreamWriter] = []
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command[0] == "quit":
            break
        if command[0] == "storm":
            figures, writers = await storm(*command[1:])
            pipe.send(("done", figures))
        elif command[0] == "release":
            for writer in writers:
                writer.close()
            writers = []
            await asyncio.sleep(0)
            pipe.send(("released",))


def client_main(pipe: Connection) -> None:
    """Entry point of a client process."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(pipe))
