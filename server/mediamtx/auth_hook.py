"""The decision behind `POST /mediamtx/auth`, MediaMTX's external HTTP auth hook. Pure: no I/O.

MediaMTX waits for this answer inside its path manager, so the decision must be quick and must
never call the MediaMTX API. The route handler checks the shared secret, calls `decide`, and
answers 200 or 401.

Rules (docs/design.md §9):
- `publish` on a booth path needs a booth token (`typ` "booth", `role` interpreter or
  technician) whose `scope` is exactly that path.
- `publish` on a floor channel `event/room/floor` needs either a floor token (`typ` "floor",
  minted by the floor page for a technician of the event or an admin) whose `scope` is that
  path, or the kiosk's own feed token (`typ` "feed", in the ffmpeg command MediaMTX starts for
  a capture device or a looped file) with that scope, arriving over RTSP from loopback.
- `read` needs a listener token (`typ` "listener") whose `scope` is the path's `event/room`,
  or a booth token of a booth in the same event and room.
- A booth token whose subject lost access (a revoked invite, a deactivated account) is denied.
- Everything else is denied: other actions (playback, api, metrics, pprof), paths that are not
  `event/room/lang` or `event/room/floor`, malformed bodies, and tokens that `decode` rejects.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from server.identity import FLOOR, MEDIA_ROLES

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
LANGUAGE = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*"
CHANNEL_PATH = re.compile(rf"^(?P<room>{SLUG}/{SLUG})/(?P<channel>floor|{LANGUAGE})$")
TEXT_FIELDS = (
    "ip",
    "user",
    "password",
    "token",
    "action",
    "path",
    "protocol",
    "query",
    "userAgent",
)


def room_of(path: str) -> str | None:
    """`event/room` of a booth or floor path, or None when `path` is neither."""
    match = CHANNEL_PATH.match(path)
    return match.group("room") if match else None


def is_booth_id(path: str) -> bool:
    """True for `event/room/lang`; the floor channel is not a booth."""
    match = CHANNEL_PATH.match(path)
    return match is not None and match.group("channel") != FLOOR


def extract_token(body: Mapping[str, Any]) -> str:
    """The bearer token (`token`), else `password`, else `?token=` in the raw query."""
    for field in ("token", "password"):
        value = body.get(field)
        if isinstance(value, str) and value:
            return value
    values = parse_qs(body.get("query") or "").get("token")
    return values[0] if values else ""


def decide(
    body: object,
    *,
    decode: Callable[[str], dict[str, Any]],
    now: float,
    allowed: Callable[[str], bool] = lambda participant_id: True,
) -> bool:
    """Whether MediaMTX should allow the request described by `body`.

    `decode` verifies a token and returns its claims, raising on an invalid or expired token.
    `now` (Unix seconds) is checked against an `exp` claim as well, so the decision never
    depends on a decoder that forgot to check expiry. `allowed(subject)` refuses booth tokens
    of revoked invites and deactivated accounts (an in-memory view: still no I/O).
    """
    if not _well_formed(body):
        return False
    assert isinstance(body, dict)
    action, path = body["action"], body["path"]
    if action not in ("publish", "read"):
        return False
    room = room_of(path)
    token = extract_token(body)
    if room is None or not token:
        return False
    try:
        claims = decode(token)
    except Exception:
        return False
    if not isinstance(claims, dict) or _expired(claims, now):
        return False
    if claims.get("typ") == "booth" and not allowed(str(claims.get("sub"))):
        return False
    if action == "publish":
        return _may_publish(claims, path, body)
    return _may_read(claims, room)


def _may_publish(claims: Mapping[str, Any], path: str, body: Mapping[str, Any]) -> bool:
    if claims.get("scope") != path:
        return False
    if is_booth_id(path):
        return _is_booth_token(claims)
    if claims.get("typ") == "floor":
        return True
    # The feed token sits in a command line on this machine; it is worth nothing elsewhere.
    return claims.get("typ") == "feed" and body.get("protocol") == "rtsp" and _loopback(body)


def _loopback(body: Mapping[str, Any]) -> bool:
    try:
        address = ipaddress.ip_address(body.get("ip") or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _well_formed(body: object) -> bool:
    if not isinstance(body, dict):
        return False
    if not isinstance(body.get("action"), str) or not isinstance(body.get("path"), str):
        return False
    return all(body.get(field) is None or isinstance(body.get(field), str) for field in TEXT_FIELDS)


def _expired(claims: Mapping[str, Any], now: float) -> bool:
    expiry = claims.get("exp")
    if expiry is None:
        return False
    return not isinstance(expiry, int | float) or isinstance(expiry, bool) or expiry <= now


def _is_booth_token(claims: Mapping[str, Any]) -> bool:
    scope = claims.get("scope")
    return (
        claims.get("typ") == "booth"
        and claims.get("role") in MEDIA_ROLES
        and isinstance(scope, str)
        and is_booth_id(scope)
    )


def _may_read(claims: Mapping[str, Any], room: str) -> bool:
    if claims.get("typ") == "listener":
        return claims.get("scope") == room
    return _is_booth_token(claims) and room_of(claims["scope"]) == room
