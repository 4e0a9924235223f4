"""`/login` and `/logout`: email and password for staff accounts, a `user_token` cookie.

Failures say the same thing whether the account is unknown, the password wrong or the account
deactivated, and an unknown account still costs one scrypt check, so neither the words nor the
timing tell which accounts exist. Failures are counted per client address and per account.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping
from functools import cache
from urllib.parse import urlsplit

from aiohttp import web

import db
from server.auth.cookies import clear_auth_cookies, request_now, see_other, set_auth_cookie
from server.auth.credentials import create_user_token, hash_password, verify_password
from server.auth.csrf import csrf_protected, csrf_token
from server.auth.principals import USER_COOKIE
from server.auth.rate_limit import FailureLimiter, retry_after_header
from server.http.errors import json_error, wants_json
from server.http.middleware import client_address
from server.http.templating import render_html
from server.keys import CONFIG, LOGIN_LIMITER, SERVICES

MAX_FAILURES = 5
WINDOW_SECONDS = 300.0
EMAIL_MAX = 254
BAD_CREDENTIALS = "That email and password do not match an active account."


def make_login_limiter(clock: Callable[[], float]) -> FailureLimiter:
    """The limiter for /login: 5 failures in 5 minutes per address and per account."""
    return FailureLimiter(max_failures=MAX_FAILURES, window_seconds=WINDOW_SECONDS, clock=clock)


@cache
def _decoy_hash() -> str:
    """A hash of a random password, checked when the account is unknown to even out timing."""
    return hash_password(secrets.token_urlsafe(16))


def _password_matches(password: str, stored: str | None) -> bool:
    return verify_password(password, stored or _decoy_hash())


def safe_next(value: object) -> str:
    """The `next` target if it is a local path on this site, else `/`."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 32 for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


def _form(
    request: web.Request,
    *,
    status: int = 200,
    error: str = "",
    email: str = "",
    next_path: str = "/",
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    response = render_html(
        "login.html",
        {
            "csrf_token": csrf_token(request),
            "error": error,
            "email": email,
            "next": next_path,
        },
        status=status,
    )
    response.headers.update(headers or {})
    return response


def _refuse(
    request: web.Request,
    status: int,
    message: str,
    *,
    email: str,
    next_path: str,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    if wants_json(request):
        return json_error(status, message, headers=headers)
    return _form(
        request, status=status, error=message, email=email, next_path=next_path, headers=headers
    )


async def login_form(request: web.Request) -> web.Response:
    """The sign-in form."""
    return _form(request, next_path=safe_next(request.query.get("next")))


@csrf_protected
async def login_submit(request: web.Request) -> web.StreamResponse:
    """Check the credentials: 303 with a `user_token` cookie, 403, or 429 after many failures."""
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:EMAIL_MAX]
    password = str(form.get("password", ""))
    next_path = safe_next(form.get("next"))
    limiter = request.app[LOGIN_LIMITER]
    keys = (f"address:{client_address(request)}", f"account:{email}")

    # Reserved before the database and the hash run: 200 sign-ins at once all count.
    wait = limiter.try_reserve(*keys)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        message = f"Too many failed sign-ins. Try again in about {minutes} minute(s)."
        headers = {"Retry-After": retry_after_header(wait)}
        return _refuse(request, 429, message, email=email, next_path=next_path, headers=headers)

    user = await db.find_user_by_email(email) if email else None
    stored = user.password_hash if user else None
    # scrypt takes tens of milliseconds: keep it off the event loop.
    matches = await asyncio.get_running_loop().run_in_executor(
        None, _password_matches, password, stored
    )
    if user is None or not matches or not user.is_active:
        return _refuse(request, 403, BAD_CREDENTIALS, email=email, next_path=next_path)

    limiter.release(keys[0])
    limiter.reset(keys[1])
    token = create_user_token(
        user.id,
        user.email,
        user.display_name,
        user.is_admin,
        key=request.app[SERVICES].secrets.jwt_key,
        hours=request.app[CONFIG].auth.session_hours,
        now=request_now(request),
    )
    response = see_other(next_path)
    set_auth_cookie(request, response, USER_COOKIE, token)
    return response


@csrf_protected
async def logout(request: web.Request) -> web.StreamResponse:
    """Forget the login and any invite session, then go home."""
    response = see_other("/")
    clear_auth_cookies(response)
    return response


def add_routes(app: web.Application) -> None:
    """Register sign-in and sign-out."""
    app.router.add_get("/login", login_form, name="login")
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout, name="logout")
