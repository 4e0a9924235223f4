"""Where `BoothRegistry` keeps its booths, and how a mutation becomes change notices.

`BoothStore` holds the booth records with an index per room, builds snapshots, and turns a
mutation into `BoothChange` notices for exactly the booths whose snapshot really changed.
The rules of docs/design.md §7 live in the subclass, `server.booth.state.BoothRegistry`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager

from server.booth.models import (
    MEDIA_NO_SERVER,
    MEDIA_NOT_SENDING,
    MEDIA_SENDING,
    MEDIA_UNTRACKED,
    BoothChange,
    BoothListener,
    BoothSnapshot,
    MediaServer,
    UnknownBooth,
)
from server.booth.records import (
    BoothRecord,
    build_snapshot,
    relabelled_siblings,
    relay_label,
    relay_sources,
)
from server.booth.transitions import EffectLog
from server.identity import RoomKey

# Named after the registry, which is what operators know failing subscribers by.
logger = logging.getLogger("server.booth.state")


class BoothStore:
    """Booth records by id and by room, snapshots, subscribers and change notification."""

    def __init__(self) -> None:
        """Start with no booths and no subscribers."""
        self._booths: dict[str, BoothRecord] = {}
        # (event, room) -> that room's booths by id, in the order they were added.
        self._rooms: dict[RoomKey, dict[str, BoothRecord]] = {}
        self._listeners: list[BoothListener] = []
        # "off": MediaMTX is disabled, nothing to check; "running": on air needs the stream
        # online; "down": MediaMTX is missing, failed or not started, so nobody is on air.
        self._media_server: MediaServer = "off"

    # ----------------------------------------------------------------- queries

    def booth_ids(self) -> list[str]:
        """Every registered booth id, in the order they were added."""
        return list(self._booths)

    def has_booth(self, booth_id: str) -> bool:
        """True when the booth is registered."""
        return booth_id in self._booths

    def room_booth_ids(self, event: str, room: str) -> list[str]:
        """The booth ids of one room, in the order they were added."""
        return list(self._rooms.get(RoomKey(event, room), ()))

    def snapshot(self, booth_id: str) -> BoothSnapshot:
        """The state snapshot of a booth."""
        return self._snapshot_of(self._booth(booth_id))

    def is_on_air(self, booth_id: str) -> bool:
        """An interpreter is active and, while MediaMTX is tracked, their stream is online."""
        return self._on_air(self._booth(booth_id))

    def subscribe(self, listener: BoothListener) -> Callable[[], None]:
        """Call `listener` with every BoothChange; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # ----------------------------------------------------------------- records

    def _insert(self, booth: BoothRecord) -> None:
        self._booths[booth.booth_id] = booth
        self._rooms.setdefault(booth.room_key, {})[booth.booth_id] = booth

    def _discard(self, booth: BoothRecord) -> None:
        del self._booths[booth.booth_id]
        room = self._rooms[booth.room_key]
        del room[booth.booth_id]
        if not room:
            del self._rooms[booth.room_key]

    def _booth(self, booth_id: str) -> BoothRecord:
        booth = self._booths.get(booth_id)
        if booth is None:
            raise UnknownBooth(f"no booth {booth_id}")
        return booth

    def _on_air(self, booth: BoothRecord) -> bool:
        if booth.active_id is None or self._media_server == "down":
            return False
        return booth.ingest or self._media_server == "off"

    def _media_word(self, booth: BoothRecord) -> str:
        """What the booth's audio path is doing, for every surface to show."""
        if self._media_server == "down":
            return MEDIA_NO_SERVER
        if self._media_server == "off":
            return MEDIA_UNTRACKED
        return MEDIA_SENDING if booth.ingest else MEDIA_NOT_SENDING

    def _room_booths(self, booth: BoothRecord) -> Collection[BoothRecord]:
        return self._rooms[booth.room_key].values()

    def _room_scope(self, booth: BoothRecord) -> list[str]:
        """The booths whose snapshot a change to `booth` can alter (relay labels cross booths)."""
        return [booth.booth_id] + [
            bid for bid in self._rooms[booth.room_key] if bid != booth.booth_id
        ]

    def _snapshot_of(self, booth: BoothRecord) -> BoothSnapshot:
        label = relay_label(booth.booth_id, relay_sources(self._room_booths(booth)))
        return build_snapshot(
            booth, on_air=self._on_air(booth), label=label, media=self._media_word(booth)
        )

    @contextmanager
    def _changing_booth(self, booth: BoothRecord) -> Iterator[EffectLog]:
        """`_changing` for a mutation of this one booth's record, without whole-room snapshots.

        Of its siblings only the relay label can change, and only for the booths it took relay
        from before or takes it from now; those are notified when their label really changed.
        """
        source_before = booth.active_relay_source()
        before = self._snapshot_of(booth)
        txn = EffectLog()
        yield txn
        changes: list[BoothChange] = []
        after = self._snapshot_of(booth)
        effects = txn.for_booth(booth.booth_id)
        if after != before or effects:
            changes.append(BoothChange(booth.booth_id, after, effects))
        room = self._rooms[booth.room_key]
        for sibling in relabelled_siblings(room, booth.booth_id, source_before):
            changes.append(
                BoothChange(
                    sibling.booth_id, self._snapshot_of(sibling), txn.for_booth(sibling.booth_id)
                )
            )
        # Transitions only emit effects for the booth they mutate; anything else still goes out.
        notified = {change.booth_id for change in changes}
        for bid in txn.effects:
            other = self._booths.get(bid)
            if bid not in notified and other is not None:
                changes.append(BoothChange(bid, self._snapshot_of(other), txn.for_booth(bid)))
        self._notify(changes)

    @contextmanager
    def _changing(self, booth_ids: Iterable[str]) -> Iterator[EffectLog]:
        """Run a mutation, then notify subscribers of each booth whose state really changed.

        If the mutation raises, nobody is notified (mutators validate before they mutate).
        """
        before: dict[str, BoothSnapshot | None] = {}
        for bid in booth_ids:
            booth = self._booths.get(bid)
            before[bid] = None if booth is None else self._snapshot_of(booth)
        txn = EffectLog()
        yield txn
        changes: list[BoothChange] = []
        for bid in dict.fromkeys([*before, *txn.effects, *txn.retired]):
            booth = self._booths.get(bid)
            after = txn.retired.get(bid) if booth is None else self._snapshot_of(booth)
            effects = txn.for_booth(bid)
            # A removed booth is always announced, so the I/O layer can drop its channel.
            if after is not None and (after != before.get(bid) or effects or bid in txn.retired):
                changes.append(BoothChange(bid, after, effects))
        self._notify(changes)

    def _notify(self, changes: list[BoothChange]) -> None:
        for change in changes:
            for listener in list(self._listeners):
                try:
                    listener(change)
                except Exception:
                    logger.exception("booth subscriber failed on %s", change.booth_id)
