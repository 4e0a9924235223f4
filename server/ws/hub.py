"""The fan-out between the booth runtime and the open sockets.

One subscription to the booth runtime serves everybody: each change is serialised once and the
same string is put on the queue of every booth socket of that booth, and, when the room's
channels changed, on every listener socket of the room. Chat messages posted through the
runtime's `BoothChat` go to the booth's sockets the same way. The hub does no database work and
runs no booth rules: spans, the grace ticker and chat storage are the runtime's.

Listener counts are coalesced: a crowd of phones connecting at once would otherwise broadcast
one room state per phone to every other phone (quadratic); counts reach the registry at most
every COUNT_FLUSH_SECONDS.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from server.booth.chat import PostedChat
from server.booth.runtime import BoothRuntime
from server.booth.state import BoothChange
from server.identity import RoomKey
from server.ws.connection import Connection, Frame
from server.ws.protocol import (
    CloseCode,
    caption_message,
    chat_message,
    listen_state_message,
    state_message,
)

COUNT_FLUSH_SECONDS = 0.5


class WebSocketHub:
    """Who is connected where, and the broadcasts that keep them up to date."""

    def __init__(self, runtime: BoothRuntime) -> None:
        self.runtime = runtime
        # Read here for snapshots and room channels; written only with listener counts, which
        # come from the sockets.
        self.registry = runtime.registry
        self.connections: weakref.WeakSet[Connection] = weakref.WeakSet()
        self._booth_sockets: dict[str, set[Connection]] = {}
        self._participant_sockets: dict[tuple[str, str], set[Connection]] = {}
        # Every open booth socket, joined or not, with the booth and participant it speaks for.
        self._booth_owners: dict[Connection, tuple[str, str]] = {}
        self._room_sockets: dict[RoomKey, set[Connection]] = {}
        self._channel_sockets: dict[str, set[Connection]] = {}
        self._selection: dict[Connection, str] = {}
        self._room_state: dict[RoomKey, str] = {}
        self._dirty_counts: set[str] = set()
        self._count_flush: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._unsubscribe: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Subscribe to the runtime's booth changes and chat."""
        self._unsubscribe = [
            self.runtime.subscribe(self._on_change),
            self.runtime.chat.subscribe(self._on_chat),
        ]

    async def stop(self) -> None:
        """Undo `start`; sockets being closed in the background finish first."""
        if self._count_flush is not None:
            self._count_flush.cancel()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        await asyncio.gather(*self._background, return_exceptions=True)

    async def close_all(self, code: int = CloseCode.GOING_AWAY, reason: str = "") -> None:
        """Close every open socket (at shutdown: 1001)."""
        await asyncio.gather(
            *(conn.close(code, reason) for conn in list(self.connections)),
            return_exceptions=True,
        )

    # ------------------------------------------------------------------ booth sockets

    def track_booth_socket(self, conn: Connection, booth_id: str, participant_id: str) -> None:
        """A booth socket opened (joined or not): revocation must be able to find it."""
        self._booth_owners[conn] = (booth_id, participant_id)

    def untrack_booth_socket(self, conn: Connection) -> None:
        """A booth socket closed."""
        self._booth_owners.pop(conn, None)

    def close_sessions(self, allowed: Callable[[str], bool], code: int, reason: str) -> int:
        """Close the booth sockets of every participant `allowed` refuses (their booth slots
        are the runtime's: `BoothRuntime.expel`). Returns the number of sockets closed."""
        closing = [conn for conn, (_, pid) in self._booth_owners.items() if not allowed(pid)]
        for conn in closing:
            self._booth_owners.pop(conn, None)
            self._in_background(conn.close(code, reason))
        return len(closing)

    def add_participant_socket(self, booth_id: str, participant_id: str, conn: Connection) -> None:
        """A booth socket joined: it now hears every change of the booth."""
        self._booth_sockets.setdefault(booth_id, set()).add(conn)
        self._participant_sockets.setdefault((booth_id, participant_id), set()).add(conn)

    def remove_participant_socket(
        self, booth_id: str, participant_id: str, conn: Connection
    ) -> bool:
        """Forget a booth socket; True when it was that participant's last one in the booth."""
        _discard(self._booth_sockets, booth_id, conn)
        return _discard(self._participant_sockets, (booth_id, participant_id), conn)

    def participant_sockets(self, booth_id: str, participant_id: str) -> set[Connection]:
        """The sockets one participant has open in a booth (several tabs are allowed)."""
        return set(self._participant_sockets.get((booth_id, participant_id), ()))

    def send_to_booth(self, booth_id: str, text: str) -> None:
        """Put one serialised frame on the queue of every joined socket of a booth."""
        _send_all(self._booth_sockets.get(booth_id, ()), text)

    # ------------------------------------------------------------------ listener sockets

    def add_listener(
        self, event: str, room: str, conn: Connection, first: Frame | None = None
    ) -> None:
        """A listener socket opened: send it the room's channels now and after every change.

        `first` is the room's current state already framed (the listener socket keeps one per
        room, so a crowd of phones does not frame it once each).
        """
        self._room_sockets.setdefault(RoomKey(event, room), set()).add(conn)
        conn.send(first or self.room_state(event, room))

    def remove_listener(self, event: str, room: str, conn: Connection) -> None:
        """A listener socket closed: its selection no longer counts."""
        self._unselect(conn)
        _discard(self._room_sockets, RoomKey(event, room), conn)

    def select(self, conn: Connection, channel_id: str) -> None:
        """The listener now hears `channel_id`; it counts for that channel only."""
        if self._selection.get(conn) == channel_id:
            return
        self._unselect(conn)
        self._selection[conn] = channel_id
        self._channel_sockets.setdefault(channel_id, set()).add(conn)
        self._count_changed(channel_id)

    def listener_count(self, channel_id: str) -> int:
        """How many listener sockets have selected the channel right now."""
        return len(self._channel_sockets.get(channel_id, ()))

    def broadcast_caption(self, booth_id: str, status: str, text: str, seq: int) -> None:
        """Send a caption to the listeners who have selected that booth."""
        _send_all(
            self._channel_sockets.get(booth_id, ()), caption_message(booth_id, status, text, seq)
        )

    def room_state(self, event: str, room: str) -> str:
        """The serialised `listen:state` of a room, cached until the room changes."""
        key = RoomKey(event, room)
        text = self._room_state.get(key)
        if text is None:
            text = self._room_state[key] = self._build_room_state(event, room)
        return text

    def _build_room_state(self, event: str, room: str) -> str:
        channels: list[dict[str, Any]] = [
            {"booth_id": RoomKey(event, room).floor, "language_name": "Floor", "kind": "floor"}
        ]
        for booth_id in self.registry.room_booth_ids(event, room):
            snapshot = self.registry.snapshot(booth_id)
            channels.append(
                {
                    "booth_id": booth_id,
                    "kind": "booth",
                    "language_name": snapshot.language_name,
                    "language_code": snapshot.language_code,
                    "on_air": self.registry.is_on_air(booth_id),
                    # Why a channel with an interpreter at the mic is not on air:
                    # "no-server" or "not-sending" (see BoothRegistry.set_media_server).
                    "active": snapshot.active_id is not None,
                    "media": snapshot.media,
                    "muted": snapshot.muted,
                    # A handover is pending: the page shows "switching interpreters".
                    "switching": snapshot.handover.pending,
                    "listeners": snapshot.listeners,
                    "transcription": snapshot.transcription,
                }
            )
        return listen_state_message(event, room, channels)

    def _refresh_room(self, event: str, room: str) -> None:
        key = RoomKey(event, room)
        sockets = self._room_sockets.get(key)
        if not sockets:
            self._room_state.pop(key, None)
            return
        text = self._build_room_state(event, room)
        # Most booth changes (chat presence, handover offers) leave the channels as they were.
        if text != self._room_state.get(key):
            self._room_state[key] = text
            _send_all(sockets, text)

    def _unselect(self, conn: Connection) -> None:
        channel_id = self._selection.pop(conn, None)
        if channel_id is not None:
            _discard(self._channel_sockets, channel_id, conn)
            self._count_changed(channel_id)

    def _count_changed(self, channel_id: str) -> None:
        self._dirty_counts.add(channel_id)
        if self._count_flush is None:
            loop = asyncio.get_running_loop()
            self._count_flush = loop.call_later(COUNT_FLUSH_SECONDS, self._flush_counts)

    def _flush_counts(self) -> None:
        self._count_flush = None
        dirty, self._dirty_counts = self._dirty_counts, set()
        for channel_id in dirty:
            if self.registry.has_booth(channel_id):
                self.registry.set_listeners(channel_id, self.listener_count(channel_id))

    # ------------------------------------------------------------------ runtime notices

    def _on_chat(self, posted: PostedChat) -> None:
        self.send_to_booth(posted.booth_id, chat_message(posted.as_json()))

    def _on_change(self, change: BoothChange) -> None:
        self.send_to_booth(change.booth_id, state_message(change.snapshot))
        if not self.registry.has_booth(change.booth_id):
            self._close_removed_booth(change.booth_id)
        room = RoomKey.of_channel(change.booth_id)
        self._refresh_room(room.event, room.slug)

    def _close_removed_booth(self, booth_id: str) -> None:
        sockets = self._booth_sockets.pop(booth_id, set())
        for conn in sockets:
            self._in_background(conn.close(CloseCode.NOT_FOUND, "the booth was removed"))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        # Kept until done (the loop holds tasks only weakly); `stop` waits for them.
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _send_all(connections: Iterable[Connection], text: str) -> None:
    frame = Frame(text)  # serialised and framed once for everybody
    for conn in connections:
        conn.send(frame)


def _discard(index: dict[Any, set[Connection]], key: Any, conn: Connection) -> bool:
    """Remove `conn` from index[key]; True when that left the set empty (and gone)."""
    sockets = index.get(key)
    if sockets is None:
        return True
    sockets.discard(conn)
    if sockets:
        return False
    del index[key]
    return True
