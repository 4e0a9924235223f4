"""`POST /listen/{event}/{room}/token`: a listener token for one room, the WHEP Bearer token.

When the event has a listener code, the form field (or JSON key) `code` must match it. Wrong codes
are counted per client address, so a PIN cannot be guessed at speed. The answer is always JSON:
this endpoint is called by the listener page's script.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web

import db
from server.auth.cookies import request_now
from server.auth.credentials import create_listener_token
from server.auth.csrf import check_origin
from server.auth.rate_limit import FailureLimiter, retry_after_header
from server.http.errors import Problem, json_error
from server.http.middleware import client_address
from server.identity import is_encodable
from server.keys import CONFIG, LISTENER_CODE_LIMITER, SERVICES
from server.safe_parse import load_json

MAX_WRONG_CODES = 10
WINDOW_SECONDS = 300.0


def make_listener_code_limiter(clock: Callable[[], float]) -> FailureLimiter:
    """The limiter for listener codes: 10 wrong codes in 5 minutes per address."""
    return FailureLimiter(max_failures=MAX_WRONG_CODES, window_seconds=WINDOW_SECONDS, clock=clock)


async def _submitted_code(request: web.Request) -> str:
    if request.content_type == "application/json":
        try:
            body = load_json(await request.read())
        except ValueError:
            return ""
        value = body.get("code") if isinstance(body, dict) else None
    else:
        value = (await request.post()).get("code")
    # A lone surrogate (from a JSON escape) can never be the code, nor be compared as bytes.
    return value.strip() if isinstance(value, str) and is_encodable(value) else ""


async def listener_token(request: web.Request) -> web.Response:
    """Issue `{"token", "expires_at", "whep_base"}`; 403 for a wrong code, 404 for no room."""
    try:
        # Browsers always send Origin on a cross-site POST; other clients may omit it.
        check_origin(request, allow_absent=True)
    except Problem as problem:
        return json_error(problem.status, problem.message, code=problem.code)
    event_slug, room_slug = request.match_info["event"], request.match_info["room"]
    try:
        room = await db.get_room(event_slug, room_slug)
    except db.NotFound:
        return json_error(404, f"There is no room '{event_slug}/{room_slug}'.")

    expected = room.event.listener_code
    if expected:
        limiter = request.app[LISTENER_CODE_LIMITER]
        key = f"address:{client_address(request)}"
        wait = limiter.try_reserve(key)  # before the await: concurrent guesses all count
        if wait > 0:
            return json_error(
                429,
                "Too many wrong codes. Wait a few minutes and try again.",
                headers={"Retry-After": retry_after_header(wait)},
            )
        code = await _submitted_code(request)
        if not hmac.compare_digest(code.encode("utf-8"), expected.encode("utf-8")):
            message = "Enter the listener code." if not code else "That listener code is wrong."
            return json_error(403, message, code="listener_code")
        limiter.release(key)

    hours = request.app[CONFIG].auth.session_hours
    now = request_now(request)
    token = create_listener_token(
        event_slug, room_slug, key=request.app[SERVICES].secrets.jwt_key, hours=hours, now=now
    )
    # The same whole second as the token's `exp` claim.
    expires_at = datetime.fromtimestamp(int((now + timedelta(hours=hours)).timestamp()), UTC)
    return web.json_response(
        {
            "token": token,
            "expires_at": expires_at.isoformat(),
            "whep_base": f"/media/{event_slug}/{room_slug}",
        }
    )


def add_routes(app: web.Application) -> None:
    """Register the listener token route."""
    app.router.add_post("/listen/{event}/{room}/token", listener_token, name="listener_token")
