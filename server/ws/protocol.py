"""The websocket protocol (docs/design.md §7): one schema per message type, checked at the edge.

`parse_message` turns a raw text frame into a `Message` whose fields are known to be valid, or
raises `ProtocolError` carrying the error code and the client's `id`. Handlers never see an
unchecked frame. Every frame the server sends is built here, so the wire format lives in one
file; `encode` serialises a reply once so a broadcast can share the same string.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from server.booth.models import BoothSnapshot, Handover, ParticipantSnapshot
from server.booth.state import BoothError
from server.identity import is_encodable
from server.safe_parse import load_json


class ErrorCode(StrEnum):
    """The `code` of an error reply; the only codes a client will ever see."""

    INVALID_JSON = "invalid_json"  # the frame is not a JSON object
    UNKNOWN_TYPE = "unknown_type"  # no schema for this `type`
    INVALID_MESSAGE = "invalid_message"  # a field is missing, unknown or of the wrong type
    FORBIDDEN = "forbidden"  # the role or the booth rules refuse it; state unchanged
    INVALID = "invalid"  # it makes no sense in the current state; state unchanged
    NOT_FOUND = "not_found"  # a named booth or channel does not exist
    NOT_JOINED = "not_joined"  # a booth action before `booth:join`
    RATE_LIMITED = "rate_limited"  # sent just before the 4008 close


class CloseCode:
    """Close codes of docs/design.md §7 (plus 1013 for a client too slow to keep up)."""

    GOING_AWAY = 1001  # the server is shutting down
    MESSAGE_TOO_BIG = 1009  # a frame larger than MAX_MESSAGE_BYTES (aiohttp sends it)
    TRY_AGAIN_LATER = 1013  # the outgoing queue overflowed: the client could not keep up
    NOT_AUTHENTICATED = 4001
    FORBIDDEN = 4003
    NOT_FOUND = 4004
    RATE_LIMITED = 4008


ERROR_TYPE = "booth:error"
"""docs/design.md §7 names `booth:error` for malformed frames on every socket, listeners' too."""

MAX_MESSAGE_BYTES = 64 * 1024
CHAT_MAX_CHARS = 2000
DISPLAY_NAME_MAX_CHARS = 100
BOOTH_ID_MAX_CHARS = 120


class ProtocolError(Exception):
    """A frame or an action was refused; becomes one error reply, the socket stays open."""

    def __init__(self, code: ErrorCode, message: str, message_id: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_id = message_id


@dataclass(frozen=True)
class FieldSpec:
    """One field of a message: its JSON type and, for strings, the allowed length."""

    name: str
    kind: type[str] | type[bool]
    required: bool = True
    min_chars: int = 0
    max_chars: int | None = None
    single_line: bool = False
    """A name shown to others: control characters (line breaks, tabs, escapes) are refused."""

    def check(self, value: Any) -> str | None:
        """Why `value` does not fit this field, or None when it does."""
        if not isinstance(value, self.kind):
            return f"'{self.name}' must be {_KIND_NAMES[self.kind]}"
        if isinstance(value, str):
            if not is_encodable(value):
                return f"'{self.name}' must be valid Unicode text"
            if len(value) < self.min_chars:
                return f"'{self.name}' must have at least {self.min_chars} character(s)"
            if self.max_chars is not None and len(value) > self.max_chars:
                return f"'{self.name}' must have at most {self.max_chars} characters"
            if self.single_line and any(unicodedata.category(ch) == "Cc" for ch in value):
                return f"'{self.name}' must not contain control characters or line breaks"
        return None


_KIND_NAMES: dict[type, str] = {str: "a string", bool: "true or false"}


@dataclass(frozen=True)
class Schema:
    """The fields one message type may carry; anything else is refused."""

    type: str
    fields: tuple[FieldSpec, ...] = ()
    _by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})

    def validate(self, data: dict[str, Any], message_id: str | int | None) -> dict[str, Any]:
        """The message's fields (without `type` and `id`), or ProtocolError."""
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name in ("type", "id"):
                continue
            spec = self._by_name.get(name)
            if spec is None:
                raise _invalid(f"unknown field '{name}' in {self.type}", message_id)
            # JSON clients often send null for "not given"; treat it so for optional fields.
            if value is None and not spec.required:
                continue
            if problem := spec.check(value):
                raise _invalid(f"{self.type}: {problem}", message_id)
            values[name] = value
        for spec in self.fields:
            if spec.required and spec.name not in values:
                raise _invalid(f"{self.type}: '{spec.name}' is required", message_id)
        return values


def _invalid(message: str, message_id: str | int | None) -> ProtocolError:
    return ProtocolError(ErrorCode.INVALID_MESSAGE, message, message_id)


def _booth_id_field(name: str) -> FieldSpec:
    return FieldSpec(name, str, min_chars=1, max_chars=BOOTH_ID_MAX_CHARS)


PING = Schema("ping")

BOOTH_SCHEMAS: dict[str, Schema] = {
    schema.type: schema
    for schema in (
        Schema(
            "booth:join",
            (FieldSpec("display_name", str, False, 1, DISPLAY_NAME_MAX_CHARS, single_line=True),),
        ),
        Schema("booth:leave"),
        Schema("booth:chat", (FieldSpec("text", str, True, 1, CHAT_MAX_CHARS),)),
        Schema("booth:handover:offer", (FieldSpec("to", str, False, 1, 64),)),
        Schema("booth:handover:request"),
        Schema("booth:handover:accept"),
        Schema("booth:handover:decline"),
        Schema("booth:handover:cancel"),
        Schema("booth:set-active", (FieldSpec("participant_id", str, True, 1, 64),)),
        Schema("booth:mute", (FieldSpec("muted", bool),)),
        Schema("booth:relay", (_booth_id_field("source"),)),
        Schema("booth:ingest", (FieldSpec("connected", bool),)),
        PING,
    )
}
"""Client → server messages of the booth socket."""

LISTEN_SCHEMAS: dict[str, Schema] = {
    schema.type: schema
    for schema in (Schema("listen:select", (_booth_id_field("booth_id"),)), PING)
}
"""Client → server messages of the listener socket."""


@dataclass(frozen=True)
class Message:
    """A validated client message."""

    type: str
    fields: dict[str, Any]
    id: str | int | None = None


def _message_id(data: dict[str, Any]) -> str | int | None:
    value = data.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, "'id' must be a string or an integer")
    if isinstance(value, str) and len(value) > 64:
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, "'id' must have at most 64 characters")
    return value


def _has_escapes(raw: str | bytes) -> bool:
    # Only `\u` escapes can make a lone surrogate; most frames have none and skip the check.
    return (b"\\u" in raw) if isinstance(raw, bytes) else ("\\u" in raw)


def parse_message(raw: str | bytes, schemas: dict[str, Schema]) -> Message:
    """Decode and validate one frame against `schemas`, or raise ProtocolError."""
    try:
        data = load_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.INVALID_JSON, "the frame is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.INVALID_JSON, "the frame must be a JSON object")
    if _has_escapes(raw) and not is_encodable(encode(data)):
        # A `\ud800` escape decodes to a lone surrogate, which no reply could carry back.
        raise ProtocolError(
            ErrorCode.INVALID_JSON, "the frame holds text that is not valid Unicode"
        )
    message_id = _message_id(data)
    kind = data.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.INVALID_MESSAGE, "'type' must be a string", message_id)
    schema = schemas.get(kind)
    if schema is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type '{kind}'", message_id)
    return Message(kind, schema.validate(data, message_id), message_id)


# ----------------------------------------------------------------------- server → client


def encode(message: dict[str, Any]) -> str:
    """Serialise a server message once; broadcasts put the same string on every queue."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def error_message(code: ErrorCode, message: str, message_id: str | int | None = None) -> str:
    """`booth:error` with `code`, `message` and the `id` of the frame it answers, if any."""
    reply: dict[str, Any] = {"type": ERROR_TYPE, "code": str(code), "message": message}
    if message_id is not None:
        reply["id"] = message_id
    return encode(reply)


def error_from(exc: ProtocolError) -> str:
    """The error reply for a refused frame or action."""
    return error_message(exc.code, exc.message, exc.message_id)


_BOOTH_ERROR_CODES: dict[str, ErrorCode] = {
    "forbidden": ErrorCode.FORBIDDEN,
    "invalid": ErrorCode.INVALID,
    "not_found": ErrorCode.NOT_FOUND,
}


def error_for(exc: ProtocolError | BoothError, message_id: str | int | None) -> str:
    """The error reply for an action a handler or the booth rules refused."""
    if isinstance(exc, ProtocolError):
        return error_message(exc.code, exc.message, exc.message_id or message_id)
    return error_message(
        _BOOTH_ERROR_CODES.get(exc.code, ErrorCode.INVALID), exc.message, message_id
    )


def pong_message(message_id: str | int | None = None) -> str:
    """The answer to `ping`."""
    return encode({"type": "pong"} if message_id is None else {"type": "pong", "id": message_id})


def participant_json(participant: ParticipantSnapshot) -> dict[str, Any]:
    """One entry of a snapshot's `participants`."""
    return {
        "participant_id": participant.participant_id,
        "display_name": participant.display_name,
        "role": str(participant.role),
        "connected": participant.connected,
        "relay": participant.relay,
    }


def handover_json(handover: Handover) -> dict[str, Any]:
    """A snapshot's `handover`."""
    return {"state": handover.state, "from": handover.from_id, "to": handover.to_id}


def booth_state_json(state: BoothSnapshot) -> dict[str, Any]:
    """The `state` of `booth:joined` and `booth:state`: a booth snapshot as the wire carries it.

    The one place a snapshot becomes JSON; the keys keep the order of docs/websocket.md.
    """
    return {
        "booth_id": state.booth_id,
        "language_code": state.language_code,
        "language_name": state.language_name,
        "transcription": state.transcription,
        "participants": [participant_json(p) for p in state.participants],
        "active_id": state.active_id,
        "on_air_since": state.on_air_since,
        "on_air": state.on_air,
        "muted": state.muted,
        "handover": handover_json(state.handover),
        "ingest": state.ingest,
        "media": state.media,
        "listeners": state.listeners,
        "relay_label": state.relay_label,
    }


def joined_message(
    participant: dict[str, Any], state: BoothSnapshot, chat: list[dict[str, Any]]
) -> str:
    """`booth:joined`: who you are in the booth, its state and the recent chat, oldest first."""
    return encode(
        {
            "type": "booth:joined",
            "participant": participant,
            "state": booth_state_json(state),
            "chat": chat,
        }
    )


def state_message(state: BoothSnapshot) -> str:
    """`booth:state`: the full snapshot of a booth after a change."""
    return encode({"type": "booth:state", "state": booth_state_json(state)})


def chat_message(chat: dict[str, Any]) -> str:
    """`booth:chat`: one new chat message."""
    return encode({"type": "booth:chat", "message": chat})


def listen_state_message(event: str, room: str, channels: list[dict[str, Any]]) -> str:
    """`listen:state`: the channels of a room (floor first, then each booth)."""
    return encode({"type": "listen:state", "event": event, "room": room, "channels": channels})


def caption_message(booth_id: str, status: str, text: str, seq: int) -> str:
    """`caption`: a partial, final or clear caption of one booth."""
    return encode(
        {"type": "caption", "booth_id": booth_id, "status": status, "text": text, "seq": seq}
    )
