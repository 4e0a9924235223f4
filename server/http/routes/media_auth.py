"""`POST /mediamtx/auth`: MediaMTX's external HTTP auth hook (docs/design.md §9).

MediaMTX asks before every publish and read, and waits for the answer inside its path manager,
so this handler does no I/O at all: no database, no MediaMTX API. Revocations come from the
in-memory access view (`app[ACCESS]`) that the change watcher keeps current. It checks that the caller is on
this machine and knows the shared secret, then lets `server.mediamtx.decide` judge the body.

It is a machine hook, not a form: no CSRF token and no Origin check apply (`csrf_protected` is
opt-in per handler and this one does not opt in).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from aiohttp import web

from server.auth.credentials import decode_token
from server.keys import ACCESS, SERVICES
from server.mediamtx import decide
from server.safe_parse import load_json

# MediaMTX's bodies are a few hundred bytes; anything far larger is not MediaMTX.
MAX_BODY = 64 * 1024


def same_host(request: web.Request) -> bool:
    """True when the peer is this machine: a loopback address, or the socket's own address."""
    peer = request.remote or ""
    try:
        if ipaddress.ip_address(peer).is_loopback:
            return True
    except ValueError:
        return False
    local = request.transport.get_extra_info("sockname") if request.transport else None
    return isinstance(local, tuple) and bool(local) and local[0] == peer


def secret_matches(request: web.Request) -> bool:
    """The `secret` query parameter equals the kiosk's media secret (constant time)."""
    given = request.query.get("secret", "")
    expected = request.app[SERVICES].secrets.media_secret
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _parse(raw: bytes) -> Any:
    try:
        return load_json(raw)
    except (ValueError, UnicodeDecodeError):
        return None


async def media_auth(request: web.Request) -> web.Response:
    """200 when MediaMTX may let the request through; 401 otherwise; 403 off this machine."""
    if not same_host(request):
        return web.Response(status=403)
    if not secret_matches(request) or (request.content_length or 0) > MAX_BODY:
        return web.Response(status=401)
    body = _parse(await request.read())
    services = request.app[SERVICES]
    key = services.secrets.jwt_key
    access = request.app.get(ACCESS)
    allowed = decide(
        body,
        decode=lambda token: decode_token(token, key=key),
        now=services.clock(),
        allowed=access.allows if access is not None else lambda participant_id: True,
    )
    return web.Response(status=200 if allowed else 401)


def add_routes(app: web.Application) -> None:
    """Register the hook."""
    app.router.add_post("/mediamtx/auth", media_auth, name="mediamtx_auth")
