"""`GET /join/{token}`: invites become booth sessions, exactly as often as they allow."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

import db
from server.auth import decode_token
from server.services import Services
from tests.server_support import browser, make_config, make_services, seed_booth, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]


def session_claims(response: aiohttp.ClientResponse, services: Services) -> dict[str, object]:
    """The verified claims of the session cookie the response set."""
    token = response.cookies["session_token"].value
    return decode_token(token, key=services.secrets.jwt_key, expected_type="booth")


async def test_interpreter_invite_leads_to_the_booth_with_a_session_cookie(tmp_path: Path) -> None:
    booth_id = await seed_booth()
    invite = await db.create_invite_token(booth_id, "interpreter", label="Ana")
    services = make_services()
    async with serve(make_config(tmp_path), services) as server, browser(server) as client:
        response = await client.get(f"/join/{invite.token}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/interpreter/pycon/main/en"
    morsel = response.cookies["session_token"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    claims = session_claims(response, services)
    assert claims["sub"] == f"invite:{invite.id}:1"
    assert claims["scope"] == booth_id
    assert claims["role"] == "interpreter"
    assert claims["name"] == "Ana"


async def test_technician_invite_leads_to_the_event_console(tmp_path: Path) -> None:
    booth_id = await seed_booth()
    invite = await db.create_invite_token(booth_id, "technician")
    services = make_services()
    async with serve(make_config(tmp_path), services) as server, browser(server) as client:
        response = await client.get(f"/join/{invite.token}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/console/pycon"
    claims = session_claims(response, services)
    assert claims["role"] == "technician"
    assert claims["name"] == "Technician"


async def test_unknown_invite_is_a_404_page(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/join/not-a-real-token", allow_redirects=False)
        html = await response.text()
    assert response.status == 404
    assert "not known to the kiosk" in html
    assert "session_token" not in response.cookies


async def test_used_invite_is_a_410_page_that_says_it_was_used(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    await db.redeem_invite_token(invite.token)
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get(f"/join/{invite.token}", allow_redirects=False)
        html = await response.text()
    assert response.status == 410
    assert "already been used" in html
    assert "Ask the technician for a new invite" in html


async def test_revoked_invite_is_a_410_page_that_says_it_was_withdrawn(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    await db.revoke_invite_token(invite.token)
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get(f"/join/{invite.token}", allow_redirects=False)
        html = await response.text()
    assert response.status == 410
    assert "withdrawn by the technician" in html


async def test_expired_invite_is_a_410_page_that_says_it_expired(tmp_path: Path) -> None:
    two_hours_ago = db.utcnow() - timedelta(hours=2)
    invite = await db.create_invite_token(
        await seed_booth(), "interpreter", hours=1, now=two_hours_ago
    )
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get(
            f"/join/{invite.token}",
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        body = await response.json()
    assert response.status == 410
    assert body["error"] == "invite_expired"
    assert "expired" in body["message"]


async def test_scanning_a_used_invite_again_on_the_same_browser_goes_back_in(
    tmp_path: Path,
) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        first = await client.get(f"/join/{invite.token}", allow_redirects=False)
        again = await client.get(f"/join/{invite.token}", allow_redirects=False)
    assert first.status == 303
    assert again.status == 303
    assert again.headers["Location"] == "/interpreter/pycon/main/en"


async def test_forty_concurrent_redemptions_of_a_single_use_invite_succeed_once(
    tmp_path: Path,
) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    # No cookie jar: forty separate phones, none holding an earlier session.
    async with (
        serve(make_config(tmp_path), make_services()) as server,
        aiohttp.ClientSession(
            base_url=server.make_url(""), cookie_jar=aiohttp.DummyCookieJar()
        ) as phones,
    ):

        async def redeem() -> int:
            async with phones.get(f"/join/{invite.token}", allow_redirects=False) as answer:
                await answer.read()
                return answer.status

        statuses = await asyncio.gather(*(redeem() for _ in range(40)))
    assert statuses.count(303) == 1
    assert statuses.count(410) == 39
