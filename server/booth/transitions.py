"""How the mic moves inside one booth: span effects, failover and slot removal.

These functions mutate a `BoothRecord` and log the effects the I/O layer must carry out.
Permission checks happen before them, in `server.booth.state`.
"""

from __future__ import annotations

from server.booth.models import (
    ALERT_BOOTH_EMPTY,
    ALERT_MIC_PASSED,
    IDLE_HANDOVER,
    Alert,
    BoothSnapshot,
    Effect,
    SpanClosed,
    SpanOpened,
)
from server.booth.records import BoothRecord

GRACE_EXPIRED_REASON = "stayed disconnected past the grace period"
LEFT_REASON = "left the booth"


class EffectLog:
    """Effects gathered while one public call mutates state, plus snapshots of removed booths."""

    def __init__(self) -> None:
        self.effects: dict[str, list[Effect]] = {}
        self.retired: dict[str, BoothSnapshot] = {}

    def emit(self, effect: Effect) -> None:
        """Queue an effect for the booth it names."""
        self.effects.setdefault(effect.booth_id, []).append(effect)

    def for_booth(self, booth_id: str) -> tuple[Effect, ...]:
        """The effects queued for one booth, in the order they happened."""
        return tuple(self.effects.get(booth_id, ()))


def change_active(booth: BoothRecord, new_id: str | None, log: EffectLog, now: float) -> None:
    """Move the mic, closing and opening spans; any pending handover and the mute end with it."""
    old_slot = booth.active_slot
    if booth.active_id is not None:
        log.emit(SpanClosed(booth.booth_id, booth.active_id, now))
    if old_slot is not None:
        # Losing the mic starts a new wait, which orders the next failover.
        old_slot.waiting_since = now
    booth.active_id = new_id
    booth.muted = False
    booth.handover = IDLE_HANDOVER
    booth.on_air_since = None
    if new_id is not None:
        new_slot = booth.participants[new_id]
        new_slot.waiting_since = None
        booth.on_air_since = now
        log.emit(SpanOpened(booth.booth_id, new_id, new_slot.identity.display_name, now))


def fail_over(booth: BoothRecord, log: EffectLog, now: float, why: str) -> None:
    """The active interpreter is going: pass the mic to who waited longest, or to nobody."""
    old_slot = booth.active_slot
    old_name = "the active interpreter" if old_slot is None else old_slot.identity.display_name
    successor = booth.longest_waiting_interpreter()
    if successor is None:
        change_active(booth, None, log, now)
        message = f"{old_name} {why}; nobody is left to take the mic"
        log.emit(Alert(booth.booth_id, ALERT_BOOTH_EMPTY, message, now))
        return
    change_active(booth, successor.identity.participant_id, log, now)
    message = f"{old_name} {why}; the mic passed to {successor.identity.display_name}"
    log.emit(Alert(booth.booth_id, ALERT_MIC_PASSED, message, now))


def remove_slot(
    booth: BoothRecord, participant_id: str, log: EffectLog, now: float, why: str
) -> None:
    """Drop a participant's slot, failing the mic over and ending a handover they were party to."""
    if participant_id == booth.active_id:
        fail_over(booth, log, now, why)
    if booth.handover.involves(participant_id):
        booth.handover = IDLE_HANDOVER
    del booth.participants[participant_id]


def expire_slots(booth: BoothRecord, log: EffectLog, now: float, grace_seconds: float) -> None:
    """Remove every slot whose socket has been gone longer than the grace period."""
    for pid, slot in list(booth.participants.items()):
        if slot.grace_expired(now, grace_seconds):
            remove_slot(booth, pid, log, now, GRACE_EXPIRED_REASON)
