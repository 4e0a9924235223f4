"""The MediaMTX path names the kiosk serves: every booth and every room's floor channel."""

from __future__ import annotations

from collections.abc import Iterable

import db
from server.identity import RoomKey


class MediaPaths:
    """The MediaMTX path names the kiosk serves: every booth id and every room's floor channel."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names: set[str] = set(names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def names(self) -> list[str]:
        """Every path name, sorted."""
        return sorted(self._names)

    def add_booth(self, booth_id: str) -> list[str]:
        """Add a booth and its room's floor channel; returns the names that were new."""
        return self._add(booth_id, RoomKey.of_channel(booth_id).floor)

    def add_floor(self, floor: str) -> list[str]:
        """Add a room's floor channel (a room with no booth yet); returns it if it was new."""
        return self._add(floor)

    def replace(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Serve exactly `names` from now on; returns (names added, names removed), sorted."""
        wanted = set(names)
        added, removed = sorted(wanted - self._names), sorted(self._names - wanted)
        self._names = wanted
        return added, removed

    def _add(self, *names: str) -> list[str]:
        new = [name for name in names if name not in self._names]
        self._names.update(new)
        return new


async def load_media_paths() -> MediaPaths:
    """The path names of the database: each booth, and the floor channel of each room."""
    names = {RoomKey(room.event.slug, room.slug).floor for room in await db.list_all_rooms()}
    names.update(booth.path for booth in await db.list_booths())
    return MediaPaths(names)
