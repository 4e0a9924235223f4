"""Error responses: one builder for HTML pages and JSON bodies, and the exception handlers raise.

Browsers get `error.html`; a request whose `Accept` asks for JSON gets
`{"error": code, "message": ...}`. Handlers raise `Problem` with a message written for the
person reading it; the error middleware turns it (and aiohttp's own HTTP errors) into a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import urlencode

from aiohttp import web

from server.http.templating import render_html

# Machine-readable codes for the JSON body, one per status the server produces.
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "gone",
    413: "too_large",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}

DEFAULT_MESSAGES: dict[int, str] = {
    403: "You are not allowed to do this. Sign in with an account that may, or ask a technician.",
    404: "There is nothing at this address. Check the link, or start again from the home page.",
    405: "This address does not accept that kind of request.",
    410: "This link no longer works.",
    429: "Too many attempts. Wait a little and try again.",
    500: "Something went wrong on the kiosk. Try again; if it keeps happening, tell a technician.",
}


class Problem(Exception):
    """An error meant for the user: its status, a plain-words message and optional headers."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message or DEFAULT_MESSAGES.get(status, ""))
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status) or _reason(status)
        self.code = code or error_code(status)
        self.title = title or _reason(status)
        self.headers = dict(headers or {})


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_code(status: int) -> str:
    """The JSON error code for an HTTP status."""
    return ERROR_CODES.get(status, "error")


def wants_json(request: web.Request) -> bool:
    """True when the client asked for JSON rather than a page."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """A JSON error body `{"error": code, "message": message}`."""
    return web.json_response(
        {"error": code or error_code(status), "message": message},
        status=status,
        headers=dict(headers or {}),
    )


def sign_in_url(request: web.Request) -> str:
    """`/login` that comes back here after signing in (for a GET; a form post goes home)."""
    if request.method != "GET" or request.path.startswith("/login"):
        return "/login"
    return "/login?" + urlencode({"next": request.path_qs})


def problem_response(request: web.Request, problem: Problem) -> web.Response:
    """Render a Problem as JSON or as the HTML error page, following the request's Accept."""
    if wants_json(request):
        return json_error(
            problem.status, problem.message, code=problem.code, headers=problem.headers
        )
    response = render_html(
        "error.html",
        {
            "status": problem.status,
            "title": problem.title,
            "message": problem.message,
            "sign_in_url": sign_in_url(request) if problem.status in (401, 403) else "",
        },
        status=problem.status,
    )
    response.headers.update(problem.headers)
    return response
