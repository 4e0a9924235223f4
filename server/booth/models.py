"""Plain data of the booth state machine: identities, errors, effects and change notices.

These types are what the I/O layer sees of `server.booth.state`; they carry no behaviour
beyond validation of their own fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from server.identity import CONTROLLER_ROLES, Role

Clock = Callable[[], float]
"""Returns POSIX seconds: `time.time` in production, a fake in tests."""

# MediaMTX as the booth registry sees it (see BoothRegistry.set_media_server).
MediaServer = Literal["off", "running", "down"]
MEDIA_SERVERS: frozenset[str] = frozenset({"off", "running", "down"})
# The snapshot's `media` word: what a booth's audio is doing, shown by every surface.
MEDIA_UNTRACKED = "untracked"  # MediaMTX disabled: the kiosk cannot tell
MEDIA_NO_SERVER = "no-server"  # MediaMTX missing, failed or starting
MEDIA_NOT_SENDING = "not-sending"  # MediaMTX runs; the booth's stream is not online
MEDIA_SENDING = "sending"  # the booth's stream is online in MediaMTX
RELAY_LABEL_FLOOR = "floor"
RELAY_LABEL_PIVOT = "+"
RELAY_LABEL_RELAYED = "\u2212"  # the minus sign of ISO 20109, not a hyphen

HANDOVER_IDLE = "idle"
HANDOVER_OFFERED = "offered"
HANDOVER_REQUESTED = "requested"

ALERT_ACTIVE_DISCONNECTED = "active_disconnected"
ALERT_MIC_PASSED = "mic_passed"
ALERT_BOOTH_EMPTY = "booth_empty"


class BoothError(Exception):
    """A booth action that was refused; `code` is what the websocket error reply carries."""

    code: ClassVar[str] = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(BoothError):
    """The actor may not do this; the state did not change."""

    code: ClassVar[str] = "forbidden"


class InvalidAction(BoothError):
    """The action makes no sense in the current state; the state did not change."""

    code: ClassVar[str] = "invalid"


class UnknownBooth(BoothError):
    """No booth with that id is registered."""

    code: ClassVar[str] = "not_found"


@dataclass(frozen=True)
class Identity:
    """Who a participant is: the slot key, the name shown to others and the role."""

    participant_id: str
    """Stable per identity ("invite:12" or "user:3"), so a reconnect finds the same slot."""
    display_name: str
    role: Role
    """Interpreter, technician or admin (`BOOTH_ROLES`)."""

    @property
    def is_interpreter(self) -> bool:
        """True when this identity may hold the mic."""
        return self.role == Role.INTERPRETER

    @property
    def is_controller(self) -> bool:
        """True for technicians and admins, who run the console."""
        return self.role in CONTROLLER_ROLES


@dataclass(frozen=True)
class Handover:
    """A pending (or no) handover of the mic between two interpreters."""

    state: str = HANDOVER_IDLE
    from_id: str | None = None
    to_id: str | None = None

    @property
    def pending(self) -> bool:
        """True while an offer or a request waits for an answer."""
        return self.state != HANDOVER_IDLE

    def involves(self, participant_id: str) -> bool:
        """True when the participant is the initiator or the named counterpart."""
        return participant_id in (self.from_id, self.to_id)

    def as_json(self) -> dict[str, Any]:
        """The `handover` field of the state snapshot."""
        return {"state": self.state, "from": self.from_id, "to": self.to_id}


IDLE_HANDOVER = Handover()


@dataclass(frozen=True)
class SpanOpened:
    """An interpreter went on mic: the I/O layer opens an OnAirSpan."""

    booth_id: str
    participant_id: str
    display_name: str
    at: float


@dataclass(frozen=True)
class SpanClosed:
    """An interpreter left the mic: the I/O layer closes their open OnAirSpan."""

    booth_id: str
    participant_id: str
    at: float


@dataclass(frozen=True)
class Alert:
    """Something the technicians' console must raise (see the `ALERT_*` kinds)."""

    booth_id: str
    kind: str
    message: str
    at: float


Effect = SpanOpened | SpanClosed | Alert


@dataclass(frozen=True)
class BoothChange:
    """One booth's new state and the effects of the change, delivered to every subscriber."""

    booth_id: str
    snapshot: dict[str, Any]
    effects: tuple[Effect, ...]


BoothListener = Callable[[BoothChange], None]
