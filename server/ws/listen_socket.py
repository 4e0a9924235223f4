"""`GET /ws/listen/{event}/{room}`: the listener socket (channels, audience counts, captions).

Open to anyone unless the event has a listener code; then it needs `?token=` with a listener
token for the room (a cookie or Bearer token of someone allowed to listen works too). Frames
go out uncompressed: they are small, and per-message deflate costs memory on every phone's
connection.
"""

from __future__ import annotations

from aiohttp import web

from server.auth.principals import NotAuthenticated, principal_from_token, request_tokens
from server.auth.roles import Action, can
from server.http.middleware import short_chain
from server.identity import RoomKey
from server.keys import SERVICES, WS_HUB
from server.ws.connection import Connection
from server.ws.edge import open_connection, refuse, serve_frames
from server.ws.hub import WebSocketHub
from server.ws.keepalive import keep_alive_by_kernel
from server.ws.protocol import LISTEN_SCHEMAS, CloseCode, ErrorCode, Message, ProtocolError
from server.ws.room_directory import FIRST_FRAMES, ROOM_DIRECTORY

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
        if channel_id != RoomKey(self.event, self.room).floor and (
            channel_id not in self.hub.registry.room_booth_ids(self.event, self.room)
        ):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no channel '{channel_id}' in this room")
        self.hub.select(self.conn, channel_id)


async def refusal(request: web.Request, event: str, room: str) -> tuple[int, str] | None:
    """The close code and reason that keep this request out of the room, or None.

    The room and its listener-code requirement come from the in-memory room directory: a crowd
    of phones arriving at once costs no database query. A listener token is checked on its own
    (signature, expiry, scope), so the usual phone with `?token=` costs none either; a cookie of
    a signed-in user is consulted only when no token before it grants the room.
    """
    entry = await request.app[ROOM_DIRECTORY].find(event, room)
    if entry is None:
        return CloseCode.NOT_FOUND, "no such room"
    if not entry.code_required:
        return None
    key = request.app[SERVICES].secrets.jwt_key
    seen_valid = False
    for token in request_tokens(request):
        try:
            principal = await principal_from_token(token, key=key)
        except NotAuthenticated:
            continue
        if can(principal, Action.LISTEN, f"{event}/{room}"):
            return None
        seen_valid = True
    if not seen_valid:
        return CloseCode.NOT_AUTHENTICATED, "a listener token is needed"
    return CloseCode.FORBIDDEN, "the token is not for this room"


@short_chain
async def listen_socket(request: web.Request) -> web.StreamResponse:
    """Check the room and the listener code, then serve one listener socket until it closes.

    A crowd of phones opens this at once: it runs only the middlewares it needs
    (`server.http.middleware.SHORT_CHAIN`), and the kernel's keepalive comes with the
    connection (`server.ws.keepalive`).
    """
    hub = request.app[WS_HUB]
    event, room = request.match_info["event"], request.match_info["room"]
    if refused := await refusal(request, event, room):
        return await refuse(request, *refused)
    conn = await open_connection(request, hub, compress=False, heartbeat=None)
    keep_alive_by_kernel(request)
    session = ListenerSession(hub, conn, event, room)
    first = request.app[FIRST_FRAMES].frame((event, room), hub.room_state(event, room))
    hub.add_listener(event, room, conn, first)
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
