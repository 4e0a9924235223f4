"""The client side of the fan-out benchmark: one process holding a share of the listener sockets.

Each client process opens its share of sockets to every server of the run (ours and bare), so
both are measured under the same load. Driven by `bench/fanout.py` over a multiprocessing pipe:

    ("arm", kind) -> ("armed",)  then, once each socket to that server has one more frame:
                     ("done", last_arrival)
    ("quit",)     -> the sockets close and the process ends

Arrival times are `time.monotonic()`, which on Linux is one clock for every process.
"""

from __future__ import annotations

import asyncio
import resource
import time
from multiprocessing.connection import Connection

import aiohttp

CONNECT_CONCURRENCY = 100
ROUND_TIMEOUT = 30.0


class Tally:
    """Frames per socket of one server, and the wait for each socket's next frame."""

    def __init__(self, size: int) -> None:
        self.counts = [0] * size
        self.last_arrival = 0.0
        self._targets: list[int] | None = None
        self._remaining = 0
        self.done = asyncio.Event()

    def arrived(self, index: int) -> None:
        """Called by a socket's reader for each frame."""
        self.counts[index] += 1
        if self._targets is not None and self.counts[index] == self._targets[index]:
            self.last_arrival = time.monotonic()
            self._remaining -= 1
            if self._remaining == 0:
                self.done.set()

    def arm(self) -> None:
        """Wait for one more frame on every socket."""
        self._targets = [count + 1 for count in self.counts]
        self._remaining = len(self.counts)
        self.done.clear()


async def open_sockets(
    session: aiohttp.ClientSession, url: str, count: int, tally: Tally
) -> list[asyncio.Task[None]]:
    """Open `count` sockets to `url`, each with a reader task feeding `tally`."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one() -> aiohttp.ClientWebSocketResponse:
        async with gate:
            return await session.ws_connect(url, max_msg_size=0)

    async def read(index: int, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for _ in ws:
            tally.arrived(index)

    sockets = await asyncio.gather(*(open_one() for _ in range(count)))
    return [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]


async def run(pipe: Connection, urls: dict[str, str], count: int) -> None:
    """Open `count` sockets to each server, report, then obey the coordinator's commands."""
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    tallies = {kind: Tally(count) for kind in urls}
    readers = []
    for kind, url in urls.items():
        readers += await open_sockets(session, url, count, tallies[kind])
    loop = asyncio.get_running_loop()
    pipe.send(("connected",))
    while True:
        command = await loop.run_in_executor(None, pipe.recv)
        if command[0] == "quit":
            break
        tally = tallies[command[1]]
        tally.arm()
        pipe.send(("armed",))
        try:
            await asyncio.wait_for(tally.done.wait(), ROUND_TIMEOUT)
            pipe.send(("done", tally.last_arrival))
        except TimeoutError:
            pipe.send(("timeout", sum(tally.counts)))
    for reader in readers:
        reader.cancel()
    await session.close()


def client_main(pipe: Connection, urls: dict[str, str], count: int) -> None:
    """Entry point of a client process."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(pipe, urls, count))
