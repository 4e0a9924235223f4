"""What both sockets share at the edge: the handshake, refusals and the receive loop.

The receive loop is where every frame is counted against the rate limit and checked against
its schema; a handler only ever sees a valid `Message`, and whatever `ProtocolError` it raises
becomes one `booth:error` reply while the socket stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import WSMsgType, web

from server.booth.state import BoothError
from server.ws.connection import HEARTBEAT_SECONDS, Connection
from server.ws.hub import WebSocketHub
from server.ws.protocol import (
    MAX_MESSAGE_BYTES,
    CloseCode,
    ErrorCode,
    Message,
    ProtocolError,
    Schema,
    error_for,
    error_from,
    error_message,
    parse_message,
    pong_message,
)

logger = logging.getLogger(__name__)

Dispatch = Callable[[Message], Awaitable[None]]


def new_socket(
    *, compress: bool, heartbeat: float | None = HEARTBEAT_SECONDS
) -> web.WebSocketResponse:
    """A websocket response with the limits of docs/design.md §7 (64 KiB frames, heartbeat).

    `heartbeat=None` leaves the ping timer out (listener sockets: the kernel's TCP keepalive
    watches them instead, see `server.ws.keepalive`).
    """
    return web.WebSocketResponse(
        heartbeat=heartbeat,
        max_msg_size=MAX_MESSAGE_BYTES,
        compress=compress,
        timeout=5.0,
    )


async def refuse(request: web.Request, code: int, reason: str) -> web.WebSocketResponse:
    """Complete the handshake only to close with a protocol close code (4001/4003/4004)."""
    socket = new_socket(compress=False)
    await socket.prepare(request)
    await socket.close(code=code, message=reason.encode())
    return socket


async def open_connection(
    request: web.Request,
    hub: WebSocketHub,
    *,
    compress: bool,
    heartbeat: float | None = HEARTBEAT_SECONDS,
) -> Connection:
    """Accept the socket and track it, so shutdown can close it with 1001."""
    socket = new_socket(compress=compress, heartbeat=heartbeat)
    await socket.prepare(request)
    conn = Connection(request, socket)
    hub.connections.add(conn)
    return conn


async def serve_frames(conn: Connection, schemas: dict[str, Schema], dispatch: Dispatch) -> None:
    """Read frames until the socket closes; validate each one and hand it to `dispatch`."""
    async for frame in conn.socket:
        if not conn.allow_incoming():
            conn.send(error_message(ErrorCode.RATE_LIMITED, "too many messages"))
            await conn.close(CloseCode.RATE_LIMITED, "rate limit exceeded")
            return
        if frame.type is WSMsgType.BINARY:
            conn.send(error_message(ErrorCode.INVALID_JSON, "frames must be JSON text"))
            continue
        if frame.type is not WSMsgType.TEXT:
            # ERROR: aiohttp has already closed the socket (1009 for an oversized frame).
            return
        try:
            message = parse_message(frame.data, schemas)
        except ProtocolError as exc:
            conn.send(error_from(exc))
            continue
        try:
            if message.type == "ping":
                conn.send(pong_message(message.id))
            else:
                await dispatch(message)
        except (ProtocolError, BoothError) as exc:
            conn.send(error_for(exc, message.id))
