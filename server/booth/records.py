"""Mutable per-booth records behind `BoothRegistry`, and the snapshots built from them.

Only `server.booth.state` mutates these; everything else sees snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from server.booth.models import (
    IDLE_HANDOVER,
    RELAY_LABEL_FLOOR,
    RELAY_LABEL_PIVOT,
    RELAY_LABEL_RELAYED,
    BoothSnapshot,
    Handover,
    Identity,
    InvalidAction,
    ParticipantSnapshot,
)
from server.identity import FLOOR, BoothId, RoomKey


def split_booth_id(booth_id: str) -> BoothId:
    """Split "event/room/lang" into its parts, or raise InvalidAction."""
    try:
        return BoothId.of(booth_id)
    except ValueError as exc:
        raise InvalidAction(str(exc)) from None


@dataclass
class ParticipantSlot:
    """One participant's place in a booth; it survives a dropped socket for the grace period."""

    identity: Identity
    join_order: int
    """Tie-breaker for equal waiting times, so failover order is deterministic."""
    connected: bool = True
    relay: str = FLOOR
    waiting_since: float | None = None
    """When an interpreter last became passive (joined, or lost the mic); None while active."""
    disconnected_at: float | None = None
    _shown: tuple[Identity, ParticipantSnapshot] | None = field(
        default=None, repr=False, compare=False
    )
    """The last snapshot and the identity it was built from (building one is the costly part of
    a booth snapshot, and most changes leave most participants as they were)."""

    def grace_expired(self, now: float, grace_seconds: float) -> bool:
        """True once the socket has been gone for longer than the grace period."""
        return self.disconnected_at is not None and now - self.disconnected_at > grace_seconds

    def snapshot(self) -> ParticipantSnapshot:
        """This participant as the booth snapshot shows them (reused while nothing shown changed)."""
        identity = self.identity
        if self._shown is not None:
            shown_identity, shown = self._shown
            if (
                shown_identity is identity
                and shown.connected == self.connected
                and shown.relay == self.relay
            ):
                return shown
        shown = ParticipantSnapshot(
            identity.participant_id,
            identity.display_name,
            identity.role,
            self.connected,
            self.relay,
        )
        self._shown = (identity, shown)
        return shown


@dataclass
class BoothRecord:
    """Everything the registry knows about one booth."""

    booth_id: str
    language_code: str
    language_name: str
    transcription: bool
    participants: dict[str, ParticipantSlot] = field(default_factory=dict)
    """Keyed by participant id; dicts keep insertion order, which is the join order."""
    active_id: str | None = None
    on_air_since: float | None = None
    muted: bool = False
    handover: Handover = IDLE_HANDOVER
    ingest: bool = False
    listeners: int = 0
    room_key: RoomKey = field(init=False)
    """The room of this booth, split once: the id never changes."""

    def __post_init__(self) -> None:
        self.room_key = split_booth_id(self.booth_id).room

    @property
    def active_slot(self) -> ParticipantSlot | None:
        """The slot of the interpreter on mic, if any."""
        return None if self.active_id is None else self.participants.get(self.active_id)

    def is_passive_interpreter(self, participant_id: str) -> bool:
        """True for a connected interpreter in the booth who does not hold the mic."""
        slot = self.participants.get(participant_id)
        return (
            slot is not None
            and slot.connected
            and slot.identity.is_interpreter
            and participant_id != self.active_id
        )

    def longest_waiting_interpreter(self) -> ParticipantSlot | None:
        """The connected passive interpreter who has waited longest for the mic."""
        candidates = [
            slot
            for pid, slot in self.participants.items()
            if self.is_passive_interpreter(pid) and slot.waiting_since is not None
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda slot: (slot.waiting_since, slot.join_order))

    def active_relay_source(self) -> str:
        """Where the active interpreter takes relay from ("floor" when nobody is active)."""
        slot = self.active_slot
        return FLOOR if slot is None else slot.relay


def relay_sources(room_booths: Iterable[BoothRecord]) -> dict[str, str]:
    """Each booth's active relay source (booth id → "floor" or a booth id), in room order."""
    return {booth.booth_id: booth.active_relay_source() for booth in room_booths}


def relay_label(booth_id: str, sources: Mapping[str, str]) -> str:
    """ISO 20109 label: "−" when relayed, "+" when another booth relays from it, else "floor".

    `sources` holds the active relay source of every booth of the room (`relay_sources`).
    """
    if sources[booth_id] != FLOOR:
        return RELAY_LABEL_RELAYED
    for other_id, source in sources.items():
        if other_id != booth_id and source == booth_id:
            return RELAY_LABEL_PIVOT
    return RELAY_LABEL_FLOOR


def build_snapshot(
    booth: BoothRecord, *, on_air: bool, label: str, media: str = "untracked"
) -> BoothSnapshot:
    """The state snapshot of docs/design.md §7: an immutable copy of the record."""
    return BoothSnapshot(
        booth_id=booth.booth_id,
        language_code=booth.language_code,
        language_name=booth.language_name,
        transcription=booth.transcription,
        participants=tuple([slot.snapshot() for slot in booth.participants.values()]),
        active_id=booth.active_id,
        on_air_since=booth.on_air_since,
        on_air=on_air,
        muted=booth.muted,
        handover=booth.handover,
        ingest=booth.ingest,
        media=media,
        listeners=booth.listeners,
        relay_label=label,
    )


def relabelled_siblings(
    room: Mapping[str, BoothRecord], booth_id: str, source_before: str
) -> list[BoothRecord]:
    """The other booths of a room whose relay label changed when only `booth_id` changed.

    A sibling's label depends on its own record and on the active relay sources of the
    others, so only the booths the changed booth took relay from before or takes it from
    now can be affected. `room` maps booth ids to records in registry order.
    """
    source_after = room[booth_id].active_relay_source()
    if source_after == source_before:
        return []
    sources_after = relay_sources(room.values())
    sources_before = {**sources_after, booth_id: source_before}
    return [
        other
        for bid, other in room.items()
        if bid != booth_id
        and bid in (source_before, source_after)
        and relay_label(bid, sources_before) != relay_label(bid, sources_after)
    ]
