"""Who may open which page, what pages embed, the 404s (docs/design.md §6, §8), over real HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

import db
from server.auth.credentials import decode_token
from server.http.routes.pages import MEDIA_TOKEN_MINUTES
from tests.harness.app import Kiosk
from tests.pages_support import ENGLISH, GERMAN, page_kiosk, user_cookie

pytestmark = pytest.mark.anyio
MEDIA_TOKEN_RE = re.compile(r'data-media-token="([^"]+)"')


@pytest.fixture
async def kiosk(tmp_path: Path) -> AsyncIterator[Kiosk]:
    """The real app on loopback with the demo room."""
    async with page_kiosk(tmp_path) as running:
        yield running


async def get(
    kiosk: Kiosk, path: str, *, cookies: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """GET without following redirects: status, body and headers."""
    async with (
        aiohttp.ClientSession(cookies=cookies or {}) as session,
        session.get(kiosk.base_url + path, allow_redirects=False) as response,
    ):
        return response.status, await response.text(), dict(response.headers)


def login_next(headers: dict[str, str]) -> str:
    """The `next` of a redirect to the login page (fails when it is not one)."""
    location = urlsplit(headers["Location"])
    assert location.path == "/login"
    return parse_qs(location.query)["next"][0]


async def interpreter_session(kiosk: Kiosk, booth_id: str, name: str = "Ana") -> dict[str, str]:
    """The session cookie an invite to `booth_id` would give."""
    invite = await db.create_invite_token(booth_id, "interpreter", label=name)
    return {"session_token": kiosk.booth_token(f"invite:{invite.id}", booth_id, name)}


async def test_interpreter_page_sends_anonymous_visitors_to_login(kiosk: Kiosk) -> None:
    status, _, headers = await get(kiosk, f"/interpreter/{ENGLISH}?x=1&y=2")
    assert status == 303
    assert login_next(headers) == f"/interpreter/{ENGLISH}?x=1&y=2"


async def test_interpreter_page_sends_an_interpreter_of_another_booth_to_login(
    kiosk: Kiosk,
) -> None:
    cookies = await interpreter_session(kiosk, GERMAN)
    status, _, headers = await get(kiosk, f"/interpreter/{ENGLISH}", cookies=cookies)
    assert status == 303
    assert login_next(headers) == f"/interpreter/{ENGLISH}"


async def test_interpreter_page_embeds_a_short_media_token_for_its_booth(kiosk: Kiosk) -> None:
    cookies = await interpreter_session(kiosk, ENGLISH)
    status, body, _ = await get(kiosk, f"/interpreter/{ENGLISH}", cookies=cookies)
    assert status == 200
    match = MEDIA_TOKEN_RE.search(body)
    assert match is not None
    claims = decode_token(match.group(1), key=kiosk.key, expected_type="booth")
    assert claims["scope"] == ENGLISH
    assert claims["role"] == "interpreter"
    assert claims["exp"] - claims["iat"] == MEDIA_TOKEN_MINUTES * 60


async def test_interpreter_page_opens_for_a_technician_of_the_event(kiosk: Kiosk) -> None:
    user_id, token = await user_cookie(kiosk, "tess@example.org")
    await db.add_membership(user_id, "demo", "technician")
    status, body, _ = await get(kiosk, f"/interpreter/{ENGLISH}", cookies={"user_token": token})
    assert status == 200
    assert 'data-role="technician"' in body


async def test_interpreter_page_of_an_unknown_booth_is_a_404_page(kiosk: Kiosk) -> None:
    _, token = await user_cookie(kiosk, "root@example.org", is_admin=True)
    status, body, headers = await get(
        kiosk, "/interpreter/demo/main/fr", cookies={"user_token": token}
    )
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert "demo/main/fr" in body


async def test_media_token_endpoint_renews_the_token_for_the_session(kiosk: Kiosk) -> None:
    cookies = await interpreter_session(kiosk, ENGLISH)
    async with (
        aiohttp.ClientSession(cookies=cookies) as session,
        session.get(f"{kiosk.base_url}/interpreter/{ENGLISH}/media-token") as response,
    ):
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        grant = await response.json()
    assert decode_token(grant["token"], key=kiosk.key)["scope"] == ENGLISH


async def test_media_token_endpoint_refuses_anonymous_callers(kiosk: Kiosk) -> None:
    status, _, _ = await get(kiosk, f"/interpreter/{ENGLISH}/media-token")
    assert status == 303


async def test_console_opens_for_a_technician_with_one_card_per_booth(kiosk: Kiosk) -> None:
    user_id, token = await user_cookie(kiosk, "tess@example.org")
    await db.add_membership(user_id, "demo", "technician")
    status, body, _ = await get(kiosk, "/console/demo", cookies={"user_token": token})
    assert status == 200
    assert body.count("data-booth-id=") == 2
    assert f'data-booth-id="{ENGLISH}"' in body


async def test_console_sends_an_interpreter_to_login(kiosk: Kiosk) -> None:
    cookies = await interpreter_session(kiosk, ENGLISH)
    status, _, headers = await get(kiosk, "/console/demo", cookies=cookies)
    assert status == 303
    assert login_next(headers) == "/console/demo"


async def test_console_of_an_unknown_event_is_a_404_for_an_admin(kiosk: Kiosk) -> None:
    _, token = await user_cookie(kiosk, "root@example.org", is_admin=True)
    status, _, _ = await get(kiosk, "/console/nosuch", cookies={"user_token": token})
    assert status == 404


async def test_listener_page_is_open_to_anyone_and_lists_the_booths(kiosk: Kiosk) -> None:
    status, body, _ = await get(kiosk, "/listen/demo/main")
    assert status == 200
    assert 'data-channel="demo/main/floor"' in body
    assert 'data-channel="demo/main/en"' in body
    assert 'data-code-required="false"' in body


async def test_listener_page_of_an_unknown_room_is_a_404_page(kiosk: Kiosk) -> None:
    status, body, _ = await get(kiosk, "/listen/demo/hall-z")
    assert status == 404
    assert "demo/hall-z" in body


async def test_listener_page_asks_for_the_code_when_the_event_has_one(tmp_path: Path) -> None:
    async with page_kiosk(tmp_path, listener_code="4711") as coded:
        status, body, _ = await get(coded, "/listen/demo/main")
    assert status == 200
    assert 'data-code-required="true"' in body
    assert "4711" not in body


async def test_pages_load_no_script_or_style_from_another_origin(kiosk: Kiosk) -> None:
    cookies = await interpreter_session(kiosk, ENGLISH)
    for path in (f"/interpreter/{ENGLISH}", "/listen/demo/main"):
        _, body, _ = await get(kiosk, path, cookies=cookies)
        sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', body) if s != "data:,"]
        assert sources
        assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
