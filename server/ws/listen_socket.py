"""`GET /ws/listen/{event}/{room}`: the listener socket (channels, audience counts, captions).

Open to anyone unless the event has a listener code; then it needs `?token=` with a listener
token for the room (a cookie or Bearer token of someone allowed to listen works too). Frames
go out uncompressed: they are small, and per-message deflate costs memory on every phone's
connection.
"""

from __future__ import annotations

from aiohttp import web

import db
from server.keys import SERVICES, WS_HUB
from server.roles import Action, can
from server.ws.access import valid_principals
from server.ws.connection import Connection
from server.ws.edge import open_connection, refuse, serve_frames
from server.ws.hub import WebSocketHub, floor_channel_id
from server.ws.protocol import LISTEN_SCHEMAS, CloseCode, ErrorCode, Message, ProtocolError

CAPTION_STATUSES = frozenset({"partial", "final", "clear"})


class ListenerSession:
    """One listener socket: the room it is in and its channel selection."""

    __slots__ = ("conn", "event", "hub", "room")

    def __init__(self, hub: WebSocketHub, conn: Connection, event: str, room: str) -> None:
        self.hub = hub
        self.conn = conn
        self.event = event
        self.room = room

    async def dispatch(self, message: Message) -> None:
        """`listen:select`: the floor or a booth of this room (ping is answered at the edge)."""
        channel_id = message.fields["booth_id"]
        if channel_id != floor_channel_id(self.event, self.room) and (
            channel_id not in self.hub.registry.room_booth_ids(self.event, self.room)
        ):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no channel '{channel_id}' in this room")
        self.hub.select(self.conn, channel_id)


async def refusal(request: web.Request, event: str, room: str) -> tuple[int, str] | None:
    """The close code and reason that keep this request out of the room, or None.

    A separate coroutine so that the database rows it loads are not kept alive by the
    connection's frame for as long as the listener stays.
    """
    try:
        listener_code = (await db.get_event(event)).listener_code
        await db.get_room(event, room)
    except db.NotFound:
        return CloseCode.NOT_FOUND, "no such room"
    if not listener_code:
        return None
    principals = await valid_principals(request, key=request.app[SERVICES].secrets.jwt_key)
    if not principals:
        return CloseCode.NOT_AUTHENTICATED, "a listener token is needed"
    if not any(can(p, Action.LISTEN, f"{event}/{room}") for p in principals):
        return CloseCode.FORBIDDEN, "the token is not for this room"
    return None


async def listen_socket(request: web.Request) -> web.StreamResponse:
    """Check the room and the listener code, then serve one listener socket until it closes."""
    hub = request.app[WS_HUB]
    event, room = request.match_info["event"], request.match_info["room"]
    if refused := await refusal(request, event, room):
        return await refuse(request, *refused)
    conn = await open_connection(request, hub, compress=False)
    session = ListenerSession(hub, conn, event, room)
    hub.add_listener(event, room, conn)
    try:
        await serve_frames(conn, LISTEN_SCHEMAS, session.dispatch)
    finally:
        hub.remove_listener(event, room, conn)
        hub.connections.discard(conn)
        await conn.finish()
    return conn.socket


def broadcast_caption(
    app: web.Application, booth_id: str, status: str, text: str, seq: int
) -> None:
    """Push a caption to every listener socket that has selected `booth_id`.

    `status` is "partial" (may still change), "final" or "clear" (hide the caption panel).
    Never waits: each socket's frame goes on its own queue.
    """
    if status not in CAPTION_STATUSES:
        raise ValueError(
            f"caption status must be one of {sorted(CAPTION_STATUSES)}, got {status!r}"
        )
    app[WS_HUB].broadcast_caption(booth_id, status, text, seq)
