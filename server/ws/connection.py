"""One open websocket: a bounded outgoing queue, a writer task and an incoming rate limit.

Everything the server sends goes through `Connection.send`, which never waits. A frame goes
straight into the socket's transport when nothing is pending and the transport's buffer is
nearly empty (the common case: one small state change); otherwise it goes on the bounded queue,
which a writer task drains with aiohttp's `send_str`, waiting for the client as it must. A
client that stops reading fills its queue and is dropped (closed with 1013) rather than allowed
to hold up a broadcast to everybody else.

The direct path writes a pre-built RFC 6455 text frame, built once per broadcast and shared by
every connection. It is used only on sockets without per-message compression (the listener
sockets); aiohttp writes each of its own frames (pings, close) whole, so frames never interleave
mid-frame. The writer task exists only while the queue has frames, so an idle listener costs no
task.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import time
from collections import deque
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

DIRECT_WRITE_LIMIT = 16 * 1024
"""Bytes already buffered in the transport above which frames go through the queue."""


class TokenBucket:
    """Allows `rate` events per second with bursts up to `burst`; the clock is injectable."""

    __slots__ = ("_burst", "_clock", "_last", "_rate", "_tokens")

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


class Frame:
    """A server frame serialised once: its text, and its raw unmasked websocket bytes."""

    __slots__ = ("text", "_wire")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        """The complete RFC 6455 text frame (FIN, opcode 1, no mask), built on first use."""
        if self._wire is None:
            payload = self.text.encode("utf-8")
            size = len(payload)
            if size < 126:
                header = struct.pack("!BB", 0x81, size)
            elif size < 1 << 16:
                header = struct.pack("!BBH", 0x81, 126, size)
            else:
                header = struct.pack("!BBQ", 0x81, 127, size)
            self._wire = header + payload
        return self._wire


class Connection:
    """A prepared websocket with its outgoing queue, writer task and rate limit."""

    # Thousands of listeners each hold one: slots, and a queue only while frames wait.
    __slots__ = (
        "__weakref__",
        "_closing",
        "_direct",
        "_drop_task",
        "_limiter",
        "_queue",
        "_queue_size",
        "_writer",
        "request",
        "socket",
    )

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
        self._queue: deque[str] | None = None
        self._queue_size = queue_size
        self._limiter = limiter or TokenBucket()
        self._closing = False
        # Compressed frames depend on the socket's deflate state: only aiohttp may write those.
        self._direct = not socket.compress
        self._writer: asyncio.Task[None] | None = None
        self._drop_task: asyncio.Task[None] | None = None

    @property
    def closing(self) -> bool:
        """True once the connection is being closed or was dropped; sends are ignored."""
        return self._closing or self.socket.closed

    def send(self, message: str | Frame) -> None:
        """Send one frame without waiting; a client whose queue is full is dropped."""
        if self.closing:
            return
        frame = message if isinstance(message, Frame) else Frame(message)
        if self._direct and self._writer is None:
            transport = self.request.transport
            if transport is None or transport.is_closing():
                return
            if transport.get_write_buffer_size() <= DIRECT_WRITE_LIMIT:
                transport.write(frame.wire)
                return
        if self._queue is None:
            self._queue = deque()
        elif len(self._queue) >= self._queue_size:
            self._drop()
            return
        self._queue.append(frame.text)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_queue())

    def allow_incoming(self) -> bool:
        """Count one incoming frame against the rate limit; False when it is exceeded."""
        return self._limiter.take()

    async def close(self, code: int, reason: str = "") -> None:
        """Send what is queued (within CLOSE_TIMEOUT), then close with `code`."""
        if self._closing:
            return
        self._closing = True
        writer = self._writer
        if writer is not None:
            try:
                await asyncio.wait_for(asyncio.shield(writer), CLOSE_TIMEOUT)
            except TimeoutError:
                writer.cancel()
        await self._close_socket(code, reason)

    async def finish(self) -> None:
        """Stop the writer task; called once the receive loop has ended."""
        self._closing = True
        self._queue = None
        writer = self._writer
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    def _drop(self) -> None:
        logger.info("dropping a websocket client that cannot keep up (%s)", self.request.path)
        self._closing = True
        self._queue = None
        if self._writer is not None:
            self._writer.cancel()
        # Kept on self: the loop holds tasks only weakly.
        self._drop_task = asyncio.create_task(
            self._close_socket(CloseCode.TRY_AGAIN_LATER, "too slow")
        )

    async def _close_socket(self, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(
                self.socket.close(code=code, message=reason.encode()), CLOSE_TIMEOUT
            )
        except (TimeoutError, ConnectionError):
            transport = self.request.transport
            if transport is not None:
                transport.abort()

    async def _write_queue(self) -> None:
        try:
            while self._queue:
                # Stays queued while being written, so the queue counts it against the limit.
                await self.socket.send_str(self._queue[0])
                if self._queue:
                    self._queue.popleft()
        except ConnectionError:
            # The peer went away mid-write; the receive loop notices and cleans up.
            self._closing = True
        finally:
            self._writer = None
            self._queue = None
