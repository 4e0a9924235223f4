"""Helpers for HTTP tests: browser-like clients, form posting and seed data.

The kiosk comes from `tests.harness.app` (`make_config`, `make_services`, `running_kiosk`);
`serve` is its server alone, for tests that drive it with their own clients.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp.test_utils import TestServer

import db
from server.auth.credentials import hash_password
from server.config import Config
from server.services import Services
from tests.harness.app import Kiosk, running_kiosk

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@asynccontextmanager
async def serve(config: Config, services: Services) -> AsyncIterator[TestServer]:
    """The app on a real loopback port (the harness's kiosk), for tests that need the server."""
    async with running_kiosk(config, services, kind=Kiosk) as kiosk:
        yield kiosk.server


@asynccontextmanager
async def browser(
    server: TestServer, *, from_address: str = "127.0.0.1"
) -> AsyncIterator[aiohttp.ClientSession]:
    """A client that keeps cookies like a browser, connecting from `from_address`."""
    connector = aiohttp.TCPConnector(local_addr=(from_address, 0))
    async with aiohttp.ClientSession(
        base_url=server.make_url(""),
        connector=connector,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    ) as session:
        yield session


def origin_of(server: TestServer) -> str:
    """The server's own origin, as a browser would send it."""
    return f"http://{server.host}:{server.port}"


async def form_token(session: aiohttp.ClientSession, page: str = "/login") -> str:
    """Load a page with a form and return its CSRF token (the cookie lands in the jar)."""
    async with session.get(page) as response:
        match = TOKEN_RE.search(await response.text())
    assert match, f"no CSRF token on {page}"
    return match.group(1)


async def post_login(
    session: aiohttp.ClientSession,
    server: TestServer,
    email: str,
    password: str,
    **extra: str,
) -> aiohttp.ClientResponse:
    """Sign in through the form, as a browser on this origin would."""
    token = await form_token(session)
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    response = await session.post(
        "/login", data=data, headers={"Origin": origin_of(server)}, allow_redirects=False
    )
    await response.read()
    return response


@functools.cache
def password_hash(password: str) -> str:
    """The scrypt hash of `password`, made once per test run: scrypt is slow on purpose, and
    seeding many accounts with one test password need not pay it each time (every login still
    verifies against a real scrypt hash)."""
    return hash_password(password)


async def create_account(
    email: str, *, active: bool = True, is_admin: bool = False, password: str = PASSWORD
) -> int:
    """A user with the shared test password; returns the user id."""
    user = await db.create_user(email, password_hash(password), is_admin=is_admin)
    if not active:
        await db.set_user_active(user.id, False)
    return user.id


async def seed_booth(event: str = "pycon", lang: str = "en", code: str | None = None) -> str:
    """An event with its main room and one booth; returns the booth id."""
    await db.create_event(event, event.title(), listener_code=code)
    booth = await db.create_booth(event, "main", lang, "English")
    return booth.path
