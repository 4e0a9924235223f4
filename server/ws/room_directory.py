"""The listener room directory: which rooms exist and which need a listener token, in memory.

A crowd of phones opening the listener socket at once must not queue behind the database: the
socket's checks read this directory instead, and the first `listen:state` goes out as a frame
serialised once per room (`FirstFrames`). The channels of a room come from the booth registry,
which is kept in memory the same way.

The directory is filled at start-up and kept current through one entry point, `reload()`: the
admin paths that add, rename or delete events and rooms call it (through `rooms_changed`), and
so does the change watcher when the database is changed by another process. A phone asking for
a room the directory does not know triggers at most one reload per MISS_RELOAD_SECONDS, shared
by every phone asking meanwhile, so a room made a moment ago elsewhere is found without letting
a crowd (or a scanner of bad links) turn into one query per phone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

import db
from server.ws.connection import Frame

logger = logging.getLogger(__name__)

MISS_RELOAD_SECONDS = 1.0

RoomKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RoomEntry:
    """One room listeners may open, and whether its event asks for a listener token."""

    event: str
    room: str
    code_required: bool


class RoomDirectory:
    """Every room of every event, as listeners' sockets need them; see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._rooms: dict[RoomKey, RoomEntry] = {}
        self._lock = asyncio.Lock()
        self._requested = 0  # reloads asked for
        self._completed = 0  # reloads whose database read started after they were asked for
        self._last_miss_reload = float("-inf")
        self.reloads = 0
        """How many times the database was read (for tests and the health of the cache)."""

    def lookup(self, event: str, room: str) -> RoomEntry | None:
        """The room as the directory knows it right now; never touches the database."""
        return self._rooms.get((event, room))

    def __len__(self) -> int:
        return len(self._rooms)

    def replace(self, entries: Iterable[RoomEntry]) -> None:
        """Swap in a complete new set of rooms in one step (readers never see half of it)."""
        self._rooms = {(e.event, e.room): e for e in entries}

    async def reload(self) -> None:
        """Read every event and room from the database and replace the directory with them.

        When it returns, the directory reflects at least every change committed before the call:
        callers that overlap share a read that started after they asked.
        """
        self._requested += 1
        wanted = self._requested
        async with self._lock:
            if self._completed >= wanted:
                return
            covers = self._requested
            entries = await read_rooms()
            self.reloads += 1
            self.replace(entries)
            self._completed = covers

    async def find(self, event: str, room: str) -> RoomEntry | None:
        """The room, reloading once on a miss unless another miss did so less than a second ago."""
        entry = self.lookup(event, room)
        if entry is not None:
            return entry
        now = self._clock()
        if now - self._last_miss_reload >= MISS_RELOAD_SECONDS:
            self._last_miss_reload = now
            try:
                await self.reload()
            except Exception:
                # The database is unreachable: the rooms already known keep working.
                logger.exception("cannot read the rooms for the listener room directory")
        elif self._lock.locked():
            # A reload for another miss is under way: its answer is as fresh as ours would be.
            async with self._lock:
                pass
        return self.lookup(event, room)


async def read_rooms() -> list[RoomEntry]:
    """Every room of every event, with its event's listener-code requirement."""
    return [
        RoomEntry(room.event.slug, room.slug, bool(room.event.listener_code))
        for room in await db.list_all_rooms()
    ]


class FirstFrames:
    """The serialised first `listen:state` of each room, shared by every phone that joins.

    The hub keeps the room's state as one string and replaces it when the room changes; the
    wire frame built from it is kept until that string is replaced, so a storm of phones costs
    one frame build per room change rather than one per phone.
    """

    def __init__(self) -> None:
        self._frames: dict[RoomKey, Frame] = {}

    def frame(self, key: RoomKey, text: str) -> Frame:
        """The frame for the room's current state `text`, built only when the text changed."""
        frame = self._frames.get(key)
        if frame is None or frame.text != text:
            frame = self._frames[key] = Frame(text)
            frame.wire  # noqa: B018 - build the bytes once, before the first phone needs them
        return frame

    def keep_only(self, directory: RoomDirectory) -> None:
        """Drop the frames of rooms the directory no longer has (deleted rooms)."""
        for key in [k for k in self._frames if directory.lookup(*k) is None]:
            del self._frames[key]


ROOM_DIRECTORY = web.AppKey("room_directory", RoomDirectory)
FIRST_FRAMES = web.AppKey("listen_first_frames", FirstFrames)


async def rooms_changed(app: web.Application) -> None:
    """Events or rooms were added, edited or deleted: bring the directory up to date now.

    This is the hook for every path that changes rooms or listener codes, the change watcher
    included. It does nothing in an app without the websocket layer.
    """
    directory = app.get(ROOM_DIRECTORY)
    if directory is not None:
        await directory.reload()
        app[FIRST_FRAMES].keep_only(directory)
