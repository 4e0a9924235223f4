"""One open websocket: a bounded outgoing queue, a writer task and an incoming rate limit.

Everything the server sends goes through `Connection.send`, which never waits: it puts the frame
on the queue, and the connection's own writer task writes it out. A client that stops reading
lets its queue fill up; it is then dropped (closed with 1013) rather than allowed to hold up a
broadcast to everybody else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from aiohttp import web

from server.ws.protocol import CloseCode

logger = logging.getLogger(__name__)

QUEUE_SIZE = 64
"""Frames waiting for one client before it counts as too slow and is dropped."""
RATE_PER_SECOND = 20.0
RATE_BURST = 40.0
HEARTBEAT_SECONDS = 20.0
"""aiohttp pings this often and closes the socket when a pong does not come back in time."""
CLOSE_TIMEOUT = 2.0
"""How long a close may wait for pending frames and the client's close reply."""

_CLOSE = object()  # queue sentinel: flush what came before, then close


class TokenBucket:
    """Allows `rate` events per second with bursts up to `burst`; the clock is injectable."""

    def __init__(
        self,
        rate: float = RATE_PER_SECOND,
        burst: float = RATE_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()

    def take(self) -> bool:
        """Spend one token; False when the bucket is empty."""
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True


class Connection:
    """A prepared websocket with its queue, writer task and rate limit."""

    def __init__(
        self,
        request: web.Request,
        socket: web.WebSocketResponse,
        *,
        queue_size: int = QUEUE_SIZE,
        limiter: TokenBucket | None = None,
    ) -> None:
        self.request = request
        self.socket = socket
        self._queue: asyncio.Queue[object] = asyncio.Queue(queue_size)
        self._limiter = limiter or TokenBucket()
        self._closing = False
        self._drop_task: asyncio.Task[None] | None = None
        self._writer = asyncio.create_task(self._write_loop())

    @property
    def closing(self) -> bool:
        """True once the connection is being closed or was dropped; sends are ignored."""
        return self._closing or self.socket.closed

    def send(self, text: str) -> None:
        """Queue one frame without waiting; a full queue drops the client."""
        if self.closing:
            return
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            logger.info("dropping a websocket client that cannot keep up (%s)", self.request.path)
            self._closing = True
            self._writer.cancel()
            # Kept on self: the loop holds tasks only weakly.
            self._drop_task = asyncio.create_task(
                self._shut(CloseCode.TRY_AGAIN_LATER, "too slow", flush=False)
            )

    def allow_incoming(self) -> bool:
        """Count one incoming frame against the rate limit; False when it is exceeded."""
        return self._limiter.take()

    async def close(self, code: int, reason: str = "") -> None:
        """Send what is queued (within CLOSE_TIMEOUT), then close with `code`."""
        if self._closing:
            return
        self._closing = True
        await self._shut(code, reason, flush=True)

    async def finish(self) -> None:
        """Stop the writer task; called once the receive loop has ended."""
        self._closing = True
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _shut(self, code: int, reason: str, *, flush: bool) -> None:
        if flush and not self._writer.done():
            try:
                self._queue.put_nowait(_CLOSE)
                await asyncio.wait_for(asyncio.shield(self._writer), CLOSE_TIMEOUT)
            except (asyncio.QueueFull, TimeoutError):
                pass
        self._writer.cancel()
        try:
            await asyncio.wait_for(
                self.socket.close(code=code, message=reason.encode()), CLOSE_TIMEOUT
            )
        except (TimeoutError, ConnectionError):
            self._abort()

    def _abort(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def _write_loop(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                if item is _CLOSE:
                    return
                assert isinstance(item, str)
                await self.socket.send_str(item)
        except ConnectionError:
            # The peer went away mid-write; the receive loop notices and cleans up.
            self._closing = True
