"""The booth state machine (docs/design.md §7): who is in a booth, who holds the mic, handovers.

Pure and synchronous: no I/O, no asyncio, and time comes from an injected clock. The I/O
layer subscribes to `BoothChange` notices and carries out their effects (open or close an
OnAirSpan, raise a console alert) and broadcasts the snapshots.

Every public mutator validates first and mutates after, so a refused action (`Forbidden`,
`InvalidAction`, `UnknownBooth`) leaves the state exactly as it was and notifies nobody.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from server.booth.models import (
    ALERT_ACTIVE_DISCONNECTED,
    HANDOVER_OFFERED,
    HANDOVER_REQUESTED,
    IDLE_HANDOVER,
    MEDIA_SERVERS,
    Alert,
    BoothChange,
    BoothError,
    BoothSnapshot,
    Clock,
    Forbidden,
    Handover,
    Identity,
    InvalidAction,
    MediaServer,
    SpanClosed,
    SpanOpened,
    UnknownBooth,
)
from server.booth.names import distinct_name
from server.booth.permissions import (
    require_active_or_controller,
    require_cancel_right,
    require_counterpart,
    require_no_pending_handover,
    require_participant,
)
from server.booth.records import BoothRecord, ParticipantSlot, split_booth_id
from server.booth.store import BoothStore
from server.booth.transitions import (
    LEFT_REASON,
    change_active,
    expire_slots,
    remove_slot,
)
from server.identity import BOOTH_ROLES, FLOOR, Role

__all__ = [
    "Alert",
    "BoothChange",
    "BoothError",
    "BoothRegistry",
    "Clock",
    "Forbidden",
    "Identity",
    "InvalidAction",
    "SpanClosed",
    "SpanOpened",
    "UnknownBooth",
]


class BoothRegistry(BoothStore):
    """All booths of the kiosk and the rules that govern them."""

    def __init__(self, clock: Clock, grace_seconds: float = 20.0) -> None:
        """Create an empty registry; `grace_seconds` is how long a dropped socket keeps its slot."""
        super().__init__()
        self._clock = clock
        self._grace_seconds = grace_seconds
        self._join_counter = itertools.count()

    # ----------------------------------------------------------------- booths and queries

    def add_booth(
        self, booth_id: str, language_code: str, language_name: str, transcription: bool = False
    ) -> None:
        """Register a booth; its id must be "event/room/lang" with lang == language_code."""
        if booth_id in self._booths:
            raise InvalidAction(f"booth {booth_id} already exists")
        if split_booth_id(booth_id).language != language_code:
            raise InvalidAction(f"booth id {booth_id} does not end in language {language_code}")
        booth = BoothRecord(booth_id, language_code, language_name, transcription)
        with self._changing([booth_id]):
            self._insert(booth)

    def remove_booth(self, booth_id: str) -> None:
        """Forget a booth; an open span is closed and relays taken from it fall back to floor."""
        booth = self._booth(booth_id)
        # Other booths' relays change too, so every snapshot of the room is compared.
        with self._changing(self._room_scope(booth)) as txn:
            now = self._clock()
            if booth.active_id is not None:
                change_active(booth, None, txn, now)
            booth.participants.clear()
            for other in self._room_booths(booth):
                for slot in other.participants.values():
                    if slot.relay == booth_id:
                        slot.relay = FLOOR
            txn.retired[booth_id] = self._snapshot_of(booth)
            self._discard(booth)

    def update_booth(
        self,
        booth_id: str,
        *,
        language_name: str | None = None,
        transcription: bool | None = None,
    ) -> None:
        """Rename the booth's language or switch its captions (an admin edit); None keeps a value.

        The code and id never change. Subscribers hear of it only when something really changed.
        """
        booth = self._booth(booth_id)
        name = booth.language_name if language_name is None else language_name
        captioned = booth.transcription if transcription is None else transcription
        if (name, captioned) == (booth.language_name, booth.transcription):
            return
        with self._changing_booth(booth):
            booth.language_name = name
            booth.transcription = captioned

    def participant(self, booth_id: str, participant_id: str) -> Identity | None:
        """The identity holding that slot in the booth, or None."""
        slot = self._booth(booth_id).participants.get(participant_id)
        return None if slot is None else slot.identity

    # ----------------------------------------------------------------- presence

    @staticmethod
    def _distinct_name(booth: BoothRecord, participant_id: str, wanted: str) -> str:
        """The name to show for `participant_id`: `wanted`, suffixed if another slot has it."""
        others = (
            slot.identity.display_name
            for pid, slot in booth.participants.items()
            if pid != participant_id
        )
        return distinct_name(wanted, others)

    def join(self, booth_id: str, identity: Identity) -> BoothSnapshot:
        """Connect, or reconnect to the same slot; the first interpreter in an idle booth goes on air."""
        booth = self._booth(booth_id)
        if identity.role not in BOOTH_ROLES:
            raise InvalidAction(f"unknown role {identity.role!r}")
        pid = identity.participant_id
        with self._changing_booth(booth) as txn:
            now = self._clock()
            # A slot past its grace period is gone even if tick() has not run yet.
            expire_slots(booth, txn, now, self._grace_seconds)
            slot = booth.participants.get(pid)
            shown = self._distinct_name(booth, pid, identity.display_name)
            if slot is None:
                slot = ParticipantSlot(
                    replace(identity, display_name=shown), next(self._join_counter)
                )
                slot.waiting_since = now if identity.is_interpreter else None
                booth.participants[pid] = slot
            else:
                slot.connected = True
                slot.disconnected_at = None
                # The role belongs to the token and cannot change; the name may be edited.
                slot.identity = replace(slot.identity, display_name=shown)
            if booth.active_id is None and slot.identity.is_interpreter:
                change_active(booth, pid, txn, now)
        return self.snapshot(booth_id)

    def leave(self, booth_id: str, participant_id: str) -> None:
        """Explicit leave: the slot goes at once, and the mic passes on if they held it."""
        booth = self._booth(booth_id)
        if participant_id not in booth.participants:
            raise InvalidAction(f"{participant_id} is not in booth {booth_id}")
        with self._changing_booth(booth) as txn:
            remove_slot(booth, participant_id, txn, self._clock(), LEFT_REASON)

    def disconnect(self, booth_id: str, participant_id: str) -> None:
        """The socket dropped: the slot (and mic) is kept for the grace period."""
        booth = self._booth(booth_id)
        slot = booth.participants.get(participant_id)
        # A socket closing after an explicit leave is the normal end of a session, not an error.
        if slot is None or not slot.connected:
            return
        with self._changing_booth(booth) as txn:
            now = self._clock()
            slot.connected = False
            slot.disconnected_at = now
            if participant_id == booth.active_id:
                message = f"{slot.identity.display_name} (on air) lost their connection"
                txn.emit(Alert(booth_id, ALERT_ACTIVE_DISCONNECTED, message, now))

    def tick(self) -> None:
        """Remove slots whose grace period has run out, failing the mic over where needed."""
        now = self._clock()
        expiring = [
            booth
            for booth in self._booths.values()
            if any(s.grace_expired(now, self._grace_seconds) for s in booth.participants.values())
        ]
        for booth in expiring:
            with self._changing_booth(booth) as txn:
                expire_slots(booth, txn, now, self._grace_seconds)

    def restore_on_air(
        self, booth_id: str, participant_id: str, display_name: str, since: float
    ) -> None:
        """After a restart, put the holder of a still-open span back on mic, disconnected.

        No SpanOpened is emitted: the span is still open in the database. Their grace period
        starts now; if they do not rejoin in time, tick() fails over and closes the span.
        """
        booth = self._booth(booth_id)
        if booth.active_id is not None:
            raise InvalidAction(f"booth {booth_id} already has {booth.active_id} on air")
        slot = booth.participants.get(participant_id)
        if slot is not None and not slot.identity.is_interpreter:
            raise InvalidAction(f"{participant_id} is not an interpreter")
        with self._changing_booth(booth):
            if slot is None:
                shown = self._distinct_name(booth, participant_id, display_name)
                identity = Identity(participant_id, shown, Role.INTERPRETER)
                slot = ParticipantSlot(identity, next(self._join_counter), connected=False)
                slot.disconnected_at = self._clock()
                booth.participants[participant_id] = slot
            slot.waiting_since = None
            booth.active_id = participant_id
            booth.on_air_since = since
            booth.muted = False
            booth.handover = IDLE_HANDOVER

    # ----------------------------------------------------------------- handover

    def offer(self, booth_id: str, actor_id: str, to: str | None = None) -> None:
        """The active interpreter offers the mic, to one passive interpreter or to any."""
        booth = self._booth(booth_id)
        require_participant(booth, actor_id)
        if actor_id != booth.active_id:
            raise Forbidden("only the active interpreter may offer the mic")
        require_no_pending_handover(booth)
        if to is not None and not booth.is_passive_interpreter(to):
            raise InvalidAction(f"{to} is not a connected passive interpreter in this booth")
        with self._changing_booth(booth):
            booth.handover = Handover(HANDOVER_OFFERED, actor_id, to)

    def request(self, booth_id: str, actor_id: str) -> None:
        """A connected passive interpreter asks the active interpreter for the mic."""
        booth = self._booth(booth_id)
        require_participant(booth, actor_id)
        if not booth.is_passive_interpreter(actor_id):
            raise Forbidden("only a connected passive interpreter may request the mic")
        require_no_pending_handover(booth)
        if booth.active_id is None:
            raise InvalidAction("nobody holds the mic")
        with self._changing_booth(booth):
            booth.handover = Handover(HANDOVER_REQUESTED, actor_id, booth.active_id)

    def accept(self, booth_id: str, actor_id: str) -> None:
        """The counterpart accepts: the mic changes hands and the handover ends."""
        booth = self._booth(booth_id)
        require_counterpart(booth, actor_id, "accept")
        handover = booth.handover
        new_active = actor_id if handover.state == HANDOVER_OFFERED else handover.from_id
        assert new_active is not None  # a request always names its requester
        if not booth.participants[new_active].connected:
            raise InvalidAction(f"{new_active} is not connected")
        with self._changing_booth(booth) as txn:
            change_active(booth, new_active, txn, self._clock())

    def decline(self, booth_id: str, actor_id: str) -> None:
        """The counterpart declines: the handover ends and the mic stays where it is."""
        booth = self._booth(booth_id)
        require_counterpart(booth, actor_id, "decline")
        with self._changing_booth(booth):
            booth.handover = IDLE_HANDOVER

    def cancel(self, booth_id: str, actor_id: str) -> None:
        """The initiator withdraws the handover; technicians and admins may override."""
        booth = self._booth(booth_id)
        require_cancel_right(booth, actor_id)
        with self._changing_booth(booth):
            booth.handover = IDLE_HANDOVER

    # ----------------------------------------------------------------- mic and relay

    def set_active(self, booth_id: str, actor_id: str, participant_id: str) -> None:
        """Put a connected interpreter on mic (technician, admin, or the active interpreter)."""
        booth = self._booth(booth_id)
        require_active_or_controller(booth, actor_id, "set who is on mic")
        if participant_id == booth.active_id:
            return
        target = booth.participants.get(participant_id)
        if target is None:
            raise InvalidAction(f"{participant_id} is not in booth {booth_id}")
        if not target.identity.is_interpreter:
            raise InvalidAction(f"{participant_id} is not an interpreter")
        if not target.connected:
            raise InvalidAction(f"{participant_id} is not connected")
        with self._changing_booth(booth) as txn:
            change_active(booth, participant_id, txn, self._clock())

    def set_muted(self, booth_id: str, actor_id: str, muted: bool) -> None:
        """Cough button: the active interpreter or a technician mutes or unmutes the booth."""
        booth = self._booth(booth_id)
        require_active_or_controller(booth, actor_id, "mute")
        if booth.muted == muted:
            return
        with self._changing_booth(booth):
            booth.muted = muted

    def set_relay(self, booth_id: str, actor_id: str, source: str) -> None:
        """A participant chooses what they hear: "floor" or another booth of the same room."""
        booth = self._booth(booth_id)
        actor = require_participant(booth, actor_id)
        if source == booth_id:
            raise InvalidAction("a booth cannot take relay from itself")
        if source != FLOOR:
            other = self._booths.get(source)
            if other is None or other.room_key != booth.room_key:
                raise InvalidAction(f"{source} is neither floor nor a booth of this room")
        if actor.relay == source:
            return
        with self._changing_booth(booth):
            actor.relay = source

    # ----------------------------------------------------------------- media and audience

    def set_ingest(self, booth_id: str, online: bool, *, from_page: bool = False) -> None:
        """Whether the booth's publisher stream is online (MediaMTX poller or page report).

        While MediaMTX runs, only its own view counts (the poller): a page's report
        (`from_page`) is ignored, so "on air" never rests on a browser's word.
        """
        booth = self._booth(booth_id)
        if from_page and self._media_server == "running":
            return
        if booth.ingest == online:
            return
        with self._changing_booth(booth):
            booth.ingest = online

    def set_listeners(self, booth_id: str, count: int) -> None:
        """How many listener sockets have selected this booth."""
        booth = self._booth(booth_id)
        if count < 0:
            raise InvalidAction(f"listener count {count} is negative")
        if booth.listeners == count:
            return
        with self._changing_booth(booth):
            booth.listeners = count

    def set_media_server(self, server: MediaServer) -> None:
        """MediaMTX's condition: "running" (on air needs the stream online), "down" (missing,
        failed or starting: nobody is on air, every surface says "no media server") or "off"
        (disabled in the configuration: on air follows the active interpreter alone)."""
        if server not in MEDIA_SERVERS:
            raise InvalidAction(f"unknown media server state {server!r}")
        if self._media_server == server:
            return
        with self._changing(list(self._booths)):
            self._media_server = server

    def set_media_tracking(self, enabled: bool) -> None:
        """Shorthand: True is `set_media_server("running")`, False is "off"."""
        self.set_media_server("running" if enabled else "off")
