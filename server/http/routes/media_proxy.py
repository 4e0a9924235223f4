"""`/media/…`: same-origin WHIP and WHEP signalling, proxied to MediaMTX's WebRTC HTTP listener.

Pages only ever talk to the kiosk's own origin, so there is no CORS, no mixed content and one
certificate; the audio itself flows over UDP straight between the browser and MediaMTX. The
proxy passes `Authorization` (MediaMTX's auth hook decides), the body and the headers WHIP/WHEP
need, and rewrites `Location` so the session URL stays under `/media`.
"""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web
from yarl import URL

from server.http.errors import json_error
from server.identity import FLOOR, validate_event_slug, validate_language_code, validate_room_slug
from server.keys import CONFIG, HTTP_CLIENT
from server.mediamtx.service import ensure_media_path

logger = logging.getLogger(__name__)

PREFIX = "/media"
# Request headers the signalling needs upstream; everything else (cookies above all) stays here.
FORWARD_REQUEST = ("Authorization", "Content-Type", "Accept", "If-Match")
# Answer headers the browser's WHIP/WHEP client reads.
FORWARD_RESPONSE = ("Content-Type", "ETag", "ID", "Link", "Accept-Patch", "Retry-After")
UPSTREAM_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=3)

NOT_RUNNING = (
    "The media server (MediaMTX) is not running, so audio cannot start. "
    "The technician can check it on the kiosk console."
)
TOO_SLOW = "The media server (MediaMTX) did not answer in time. Try again in a moment."


def upstream_base(app: web.Application) -> URL:
    """MediaMTX's WebRTC HTTP listener on loopback."""
    return URL(f"http://127.0.0.1:{app[CONFIG].mediamtx.webrtc_port}")


def _media_path(request: web.Request) -> str | None:
    """`event/room/lang` from the URL, or None when it is not a valid booth or floor path."""
    info = request.match_info
    try:
        event = validate_event_slug(info["event"])
        room = validate_room_slug(info["room"])
        lang = info["lang"] if info["lang"] == FLOOR else validate_language_code(info["lang"])
    except ValueError:
        return None
    if (event, room, lang) != (info["event"], info["room"], info["lang"]):
        return None  # only canonical (lowercase) names; MediaMTX paths are case-sensitive
    return f"{event}/{room}/{lang}"


def rewrite_location(location: str) -> str:
    """Put MediaMTX's session URL (absolute or root-relative) under `/media`."""
    url = URL(location)
    path = url.raw_path if url.is_absolute() else location.split("?", 1)[0]
    query = f"?{url.raw_query_string}" if url.raw_query_string else ""
    if not path.startswith("/"):
        path = "/" + path
    return f"{PREFIX}{path}{query}"


async def proxy(request: web.Request) -> web.StreamResponse:
    """Forward one WHIP/WHEP request to MediaMTX and relay its answer."""
    media_path = _media_path(request)
    if media_path is None:
        return json_error(404, "There is no such media channel.")
    if request.method == "POST":
        await ensure_media_path(request.app, media_path)
    tail = f"/{media_path}/{request.match_info['kind']}"
    if session := request.match_info.get("session"):
        tail += f"/{session}"
    target = upstream_base(request.app).with_path(tail, encoded=False)
    if request.query_string:
        target = target.with_query(request.query_string)

    headers = {name: request.headers[name] for name in FORWARD_REQUEST if name in request.headers}
    if request.remote:
        headers["X-Forwarded-For"] = request.remote
    body = await request.read()
    client = request.app[HTTP_CLIENT]
    try:
        async with client.request(
            request.method,
            target,
            data=body or None,
            headers=headers,
            allow_redirects=False,
            timeout=UPSTREAM_TIMEOUT,
        ) as upstream:
            answer = await upstream.read()
            passed = {n: upstream.headers[n] for n in FORWARD_RESPONSE if n in upstream.headers}
            if "Location" in upstream.headers:
                passed["Location"] = rewrite_location(upstream.headers["Location"])
            return web.Response(status=upstream.status, body=answer, headers=passed)
    except aiohttp.ClientConnectorError:
        return json_error(503, NOT_RUNNING, code="media_unavailable")
    except TimeoutError:
        return json_error(504, TOO_SLOW, code="media_timeout")
    except aiohttp.ClientError as exc:
        logger.warning("media proxy %s %s failed: %s", request.method, tail, exc)
        return json_error(502, "The media server gave a broken answer.", code="media_error")


def add_routes(app: web.Application) -> None:
    """Register the WHIP/WHEP endpoints and their session URLs."""
    channel = PREFIX + "/{event}/{room}/{lang}/{kind:whip|whep}"
    app.router.add_post(channel, proxy, name="media_offer")
    session = channel + "/{session:[A-Za-z0-9_-]+}"
    app.router.add_route("PATCH", session, proxy, name="media_session_patch")
    app.router.add_route("DELETE", session, proxy, name="media_session_delete")
