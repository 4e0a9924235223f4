"""Plain data of the booth state machine: identities, errors, effects and change notices.

These types are what the I/O layer sees of `server.booth.state`; they carry no behaviour
beyond validation of their own fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

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


IDLE_HANDOVER = Handover()


@dataclass(frozen=True, slots=True)
class ParticipantSnapshot:
    """One participant as a booth snapshot shows them."""

    participant_id: str
    display_name: str
    role: Role
    connected: bool
    relay: str
    """What they hear: "floor" or the id of another booth of the room."""


@dataclass(frozen=True, slots=True)
class BoothSnapshot:
    """A booth's whole state at one moment (docs/design.md §7), immutable and comparable.

    Everything that shows a booth reads these fields; the websocket layer alone turns a
    snapshot into the JSON of `booth:state` (`server.ws.protocol.booth_state_json`).
    """

    booth_id: str
    language_code: str
    language_name: str
    transcription: bool
    participants: tuple[ParticipantSnapshot, ...]
    """In join order."""
    active_id: str | None
    on_air_since: float | None
    on_air: bool
    muted: bool
    handover: Handover
    ingest: bool
    media: str
    """One of the `MEDIA_*` words."""
    listeners: int
    relay_label: str
    """One of the `RELAY_LABEL_*` marks."""

    def participant(self, participant_id: str | None) -> ParticipantSnapshot | None:
        """The participant with this id, or None when they are not in the booth."""
        for participant in self.participants:
            if participant.participant_id == participant_id:
                return participant
        return None


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
    snapshot: BoothSnapshot
    effects: tuple[Effect, ...]


BoothListener = Callable[[BoothChange], None]
