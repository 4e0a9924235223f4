"""The stand-in's WebRTC HTTP listener: WHIP/WHEP signalling guarded by the external HTTP auth hook.

There is no media: a session is bookkeeping, and the SDP answer is a placeholder. What matters
for the kiosk is the order MediaMTX follows: path config first (400, hook not called), then the
hook (401), then for WHEP a publisher (404), then 201 with `Location`, `ID` and `ETag`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from fake_mediamtx_api import error, ok
from fake_mediamtx_state import FakeState

DUMMY_ANSWER = (
    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n"
)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "OPTIONS, GET, POST, PATCH, DELETE",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match",
}


def credentials(request: web.Request) -> tuple[str, str, str]:
    """(user, password, token) from the Authorization header, as MediaMTX extracts them."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return "", "", value.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return "", "", ""
        return user, password, ""
    return "", "", ""


class WebRTCListener:
    """Handlers for the WebRTC HTTP listener, sharing the stand-in's state."""

    def __init__(self, state: FakeState, log: Callable[[str], None]) -> None:
        self.state = state
        self.log = log

    def make_app(self) -> web.Application:
        """Build the application served on `webrtcAddress`."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Route by the path's tail, since path names contain slashes."""
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=CORS_HEADERS)
        tail = request.match_info["tail"]
        head, _, last = tail.rpartition("/")
        if last in ("whip", "whep") and request.method == "POST":
            return await self.open(request, head, last)
        path, _, kind = head.rpartition("/")
        if kind in ("whip", "whep"):
            if request.method == "DELETE":
                return self.close(path, last)
            if request.method == "PATCH":
                return web.Response(status=204)
        return error(404, "not found")

    async def open(self, request: web.Request, path: str, kind: str) -> web.Response:
        """Answer a WHIP (publish) or WHEP (read) offer."""
        if request.content_type != "application/sdp":
            return error(400, "invalid Content-Type")
        await request.read()  # the SDP offer: no media in the stand-in
        if path not in self.state.path_confs:
            return error(400, f"path '{path}' is not configured")
        action = "publish" if kind == "whip" else "read"
        if not await self.authenticate(request, path, action):
            self.log(
                f"INF [WebRTC] connection from {request.remote} refused: authentication failed"
            )
            return error(401, "authentication failed")
        runtime = self.state.runtime[path]
        if action == "read" and not runtime.available:
            return error(404, "no stream is available on path")
        conf = self.state.path_confs[path]
        if (
            action == "publish"
            and runtime.source is not None
            and not conf.get("overridePublisher", True)
        ):
            return error(400, "someone is already publishing to path")
        session = self.state.open_session(path, action, str(request.remote), request.query_string)
        self.log(f"INF [WebRTC] [session {session.id[:8]}] is {action}ing to path '{path}'")
        return web.Response(
            status=201,
            text=DUMMY_ANSWER,
            content_type="application/sdp",
            headers={
                "Location": f"/{path}/{kind}/{session.secret}",
                "ID": session.id,
                "ETag": "*",
                **CORS_HEADERS,
            },
        )

    def close(self, path: str, secret: str) -> web.Response:
        """DELETE on the session URL ends the session."""
        for session in self.state.sessions.values():
            if session.secret == secret and session.path == path:
                self.state.close_session(session.id)
                self.log(f"INF [WebRTC] [session {session.id[:8]}] closed: terminated")
                return ok()
        return error(404, "session not found")

    async def authenticate(self, request: web.Request, path: str, action: str) -> bool:
        """Ask the external HTTP hook, unless auth is not `http` or the action is excluded."""
        settings = self.state.settings
        if settings.get("authMethod") != "http":
            return True
        for rule in settings.get("authHTTPExclude") or []:
            if rule.get("action") == action and rule.get("path", path) == path:
                return True
        user, password, token = credentials(request)
        body: dict[str, Any] = {
            "ip": str(request.remote),
            "user": user,
            "password": password,
            "token": token,
            "action": action,
            "path": path,
            "protocol": "webrtc",
            "id": None,
            "query": request.query_string,
            "userAgent": request.headers.get("User-Agent", ""),
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
                http.post(settings["authHTTPAddress"], json=body) as response,
            ):
                return 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError):
            return False
