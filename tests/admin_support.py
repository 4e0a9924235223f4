"""Helpers for admin panel tests: a seeded kiosk, signed-in browsers and form submission."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

import db
from tests.harness.app import Kiosk, make_config, running_kiosk
from tests.harness.clock import FakeClock
from tests.server_support import PASSWORD, browser, create_account, origin_of, post_login

KIOSK = {"public_url": "http://10.0.0.5:8080", "secure_url": "https://10.0.0.5:8443"}
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# The moment the kiosk's clock stands at: on-air spans are seeded around it. It is close to the
# real time, because login tokens stamped by the kiosk's clock are checked against the real one.
NOON = datetime.now(UTC).replace(second=0, microsecond=0)

ADMIN = "admin@example.org"
TECH = "tech@example.org"  # technician of pycon
OUTSIDER = "outsider@example.org"  # technician of another event only
INTERPRETER = "anna@example.org"  # interpreter of pycon/main/en


@dataclass(kw_only=True)
class AdminKiosk(Kiosk):
    """The harness's kiosk with seeded data: the event `pycon` (room main, booth en) and
    `other`; `ids` names the seeded rows."""

    ids: dict[str, int]


async def seed() -> dict[str, int]:
    """Accounts, two events, one booth, one invite and one membership; returns useful ids."""
    await db.create_event("pycon", "PyCon 2026")
    await db.create_booth("pycon", "main", "en", "English")
    await db.create_event("other", "Other Conf")
    await db.create_booth("other", "main", "de", "Deutsch")
    admin = await create_account(ADMIN, is_admin=True)
    tech = await create_account(TECH)
    outsider = await create_account(OUTSIDER)
    interpreter = await create_account(INTERPRETER)
    membership = await db.add_membership(tech, "pycon", "technician")
    await db.add_membership(outsider, "other", "technician")
    await db.add_membership(interpreter, "pycon", "interpreter", "pycon/main/en")
    invite = await db.create_invite_token("pycon/main/en", "interpreter", hours=2)
    return {
        "admin": admin,
        "tech": tech,
        "outsider": outsider,
        "interpreter": interpreter,
        "membership": membership.id,
        "invite": invite.id,
    }


@asynccontextmanager
async def running_admin_kiosk(tmp_path: Path) -> AsyncIterator[AdminKiosk]:
    """The seeded kiosk on a loopback port, its clock standing at NOON."""
    ids = await seed()
    config = make_config(tmp_path, kiosk=KIOSK)
    async with running_kiosk(
        config, clock=FakeClock(NOON.timestamp()), kind=AdminKiosk, ids=ids
    ) as kiosk:
        yield kiosk


@asynccontextmanager
async def signed_in(kiosk: AdminKiosk, email: str | None) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser signed in as `email` (None: anonymous)."""
    async with browser(kiosk.server) as session:
        if email is not None:
            response = await post_login(session, kiosk.server, email, PASSWORD)
            assert response.status == 303, f"login as {email} failed"
        yield session


async def page_token(session: aiohttp.ClientSession, path: str) -> str:
    """GET a page with a form and return its CSRF token."""
    async with session.get(path) as response:
        text = await response.text()
    assert response.status == 200, f"GET {path}: {response.status}"
    match = TOKEN_RE.search(text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def submit(
    kiosk: AdminKiosk,
    session: aiohttp.ClientSession,
    page: str,
    data: dict[str, str],
    *,
    action: str | None = None,
) -> tuple[int, str, str]:
    """Fill in the form on `page` as a browser of this origin; returns status, body, Location."""
    token = await page_token(session, page)
    async with session.post(
        action or page,
        data={**data, "csrf_token": token},
        headers={"Origin": origin_of(kiosk.server)},
        allow_redirects=False,
    ) as response:
        return response.status, await response.text(), response.headers.get("Location", "")


def admin_routes(kiosk: AdminKiosk) -> list[tuple[str, str]]:
    """(method, concrete path) of every /admin route the app has, placeholders filled in."""
    values = {
        "event": "pycon",
        "room": "main",
        "lang": "en",
        "invite": str(kiosk.ids["invite"]),
        "membership": str(kiosk.ids["membership"]),
        "user": str(kiosk.ids["tech"]),
        "format": "srt",
    }
    found = []
    for resource in kiosk.server.app.router.resources():
        if not resource.canonical.startswith("/admin"):
            continue
        path = resource.canonical.format(**values)  # a new placeholder fails here, loudly
        for route in resource:
            if route.method != "HEAD":
                found.append((route.method, path))
    return found
