"""Who may do what in a booth: each check raises `Forbidden` or `InvalidAction`, or passes.

The registry calls these before it mutates anything, which is what keeps a refused action
from changing state.
"""

from __future__ import annotations

from server.booth.models import HANDOVER_OFFERED, Forbidden, InvalidAction
from server.booth.records import BoothRecord, ParticipantSlot


def require_participant(booth: BoothRecord, actor_id: str) -> ParticipantSlot:
    """The actor's slot; someone outside the booth may do nothing in it."""
    slot = booth.participants.get(actor_id)
    if slot is None:
        raise Forbidden(f"{actor_id} is not a participant of booth {booth.booth_id}")
    return slot


def require_active_or_controller(booth: BoothRecord, actor_id: str, what: str) -> None:
    """Only the active interpreter, a technician or an admin may `what`."""
    actor = require_participant(booth, actor_id)
    if not actor.identity.is_controller and actor_id != booth.active_id:
        raise Forbidden(f"only the active interpreter or a technician may {what}")


def require_no_pending_handover(booth: BoothRecord) -> None:
    """One handover at a time."""
    if booth.handover.pending:
        raise InvalidAction(f"a handover is already {booth.handover.state}")


def require_counterpart(booth: BoothRecord, actor_id: str, verb: str) -> None:
    """Only the handover's counterpart may accept or decline it.

    An open offer (no `to`) may be answered by any connected passive interpreter; a request
    only by the active interpreter it was sent to.
    """
    require_participant(booth, actor_id)
    handover = booth.handover
    if not handover.pending:
        raise InvalidAction(f"no handover is pending to {verb}")
    if handover.state == HANDOVER_OFFERED and handover.to_id is None:
        allowed = booth.is_passive_interpreter(actor_id)
    else:
        allowed = actor_id == handover.to_id
    if not allowed:
        raise Forbidden(f"only the counterpart of the handover may {verb} it")


def require_cancel_right(booth: BoothRecord, actor_id: str) -> None:
    """Only the initiator may cancel a handover; technicians and admins may override."""
    actor = require_participant(booth, actor_id)
    if not booth.handover.pending:
        raise InvalidAction("no handover is pending")
    if actor_id != booth.handover.from_id and not actor.identity.is_controller:
        raise Forbidden("only who started the handover, or a technician, may cancel it")
