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
from server.ws.edge import open_connection, refuse, serve_frames
from server.ws.hub import floor_channel_id
from server.ws.protocol import LISTEN_SCHEMAS, CloseCode, ErrorCode, Message, ProtocolError

CAPTION_STATUSES = frozenset({"partial", "final", "clear"})


async def listen_socket(request: web.Request) -> web.StreamResponse:
    """Check the room and the listener code, then serve one listener socket until it closes."""
    hub = request.app[WS_HUB]
    event_slug, room_slug = request.match_info["event"], request.match_info["room"]
    try:
        event = await db.get_event(event_slug)
        await db.get_room(event_slug, room_slug)
    except db.NotFound:
        return await refuse(request, CloseCode.NOT_FOUND, "no such room")
    if event.listener_code:
        key = request.app[SERVICES].secrets.jwt_key
        principals = await valid_principals(request, key=key)
        if not principals:
            return await refuse(request, CloseCode.NOT_AUTHENTICATED, "a listener token is needed")
        room_target = f"{event_slug}/{room_slug}"
        if not any(can(p, Action.LISTEN, room_target) for p in principals):
            return await refuse(request, CloseCode.FORBIDDEN, "the token is not for this room")

    conn = await open_connection(request, hub, compress=False)
    floor = floor_channel_id(event_slug, room_slug)

    async def dispatch(message: Message) -> None:
        channel_id = message.fields["booth_id"]
        if channel_id != floor and channel_id not in hub.registry.room_booth_ids(
            event_slug, room_slug
        ):
            raise ProtocolError(ErrorCode.NOT_FOUND, f"no channel '{channel_id}' in this room")
        hub.select(conn, channel_id)

    hub.add_listener(event_slug, room_slug, conn)
    try:
        await serve_frames(conn, LISTEN_SCHEMAS, dispatch)
    finally:
        hub.remove_listener(event_slug, room_slug, conn)
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
