"""`GET /join/{token}`: invites become booth sessions, exactly as often as they allow."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

import db
from server.auth.credentials import decode_token
from server.services import Services
from tests.harness.app import make_config, make_services
from tests.server_support import browser, form_token, origin_of, seed_booth, serve

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


async def test_head_of_an_invite_link_spends_nothing(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        for _ in range(3):
            head = await client.head(f"/join/{invite.token}", allow_redirects=False)
            assert head.status == 200
            assert "session_token" not in head.cookies
        assert (await db.get_invite(invite.token)).uses == 0
        # The interpreter who taps the link afterwards still gets in.
        tapped = await client.get(f"/join/{invite.token}", allow_redirects=False)
        assert tapped.status == 303
        # HEAD tells the same story as GET would, spending nothing.
        after = await client.head(f"/join/{invite.token}", allow_redirects=False)
        unknown = await client.head("/join/not-a-real-token", allow_redirects=False)
    assert (after.status, unknown.status) == (200, 404)
    assert (await db.get_invite(invite.token)).uses == 1


PREVIEW_AGENTS = [
    "WhatsApp/2.23.20.0 A",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
]


@pytest.mark.parametrize("agent", PREVIEW_AGENTS)
async def test_a_link_preview_robot_gets_a_join_button_and_spends_nothing(
    tmp_path: Path, agent: str
) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        preview = await client.get(
            f"/join/{invite.token}", headers={"User-Agent": agent}, allow_redirects=False
        )
        html = await preview.text()
    assert preview.status == 200
    assert "session_token" not in preview.cookies
    assert preview.headers["Cache-Control"] == "no-store"
    assert f'action="/join/{invite.token}"' in html
    assert (await db.get_invite(invite.token)).uses == 0


async def test_the_join_button_of_the_confirmation_page_redeems_the_invite(
    tmp_path: Path,
) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter", label="Ana")
    services = make_services()
    link = f"/join/{invite.token}"
    async with serve(make_config(tmp_path), services) as server, browser(server) as client:
        client.headers["User-Agent"] = PREVIEW_AGENTS[0]
        token = await form_token(client, link)
        forged = await client.post(link, data={"csrf_token": "forged"}, allow_redirects=False)
        assert forged.status == 403
        assert (await db.get_invite(invite.token)).uses == 0
        joined = await client.post(
            link,
            data={"csrf_token": token},
            headers={"Origin": origin_of(server)},
            allow_redirects=False,
        )
    assert joined.status == 303
    assert joined.headers["Location"] == "/interpreter/pycon/main/en"
    assert session_claims(joined, services)["sub"] == f"invite:{invite.id}:1"
    assert (await db.get_invite(invite.token)).uses == 1


async def test_a_spent_invite_shows_the_robot_the_same_410_as_a_person(tmp_path: Path) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter")
    await db.revoke_invite_token(invite.token)
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        preview = await client.get(
            f"/join/{invite.token}",
            headers={"User-Agent": PREVIEW_AGENTS[1]},
            allow_redirects=False,
        )
        html = await preview.text()
    assert preview.status == 410
    assert "withdrawn by the technician" in html


async def test_twenty_phones_at_once_on_a_three_use_invite_make_three_distinct_people(
    tmp_path: Path,
) -> None:
    invite = await db.create_invite_token(await seed_booth(), "interpreter", max_uses=3)
    services = make_services()
    async with (
        serve(make_config(tmp_path), services) as server,
        aiohttp.ClientSession(
            base_url=server.make_url(""), cookie_jar=aiohttp.DummyCookieJar()
        ) as phones,
    ):

        async def redeem() -> str | None:
            async with phones.get(f"/join/{invite.token}", allow_redirects=False) as answer:
                await answer.read()
                return (
                    str(session_claims(answer, services)["sub"]) if answer.status == 303 else None
                )

        subjects = await asyncio.gather(*(redeem() for _ in range(20)))
    people = sorted(s for s in subjects if s is not None)
    assert people == [f"invite:{invite.id}:{n}" for n in (1, 2, 3)]
    assert subjects.count(None) == 17
