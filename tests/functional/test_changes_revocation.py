"""Revocation takes effect on open sessions, whoever revokes: the CLI, or a second process.

An interpreter redeems an invite (or signs in) through the kiosk's own pages, opens the booth
socket, joins and takes the mic, and holds a media token as the interpreter page does. Then the
invite is revoked with `voxbento-kiosk invite revoke`, or the account is deactivated by another
process. Within 2 s the open socket must close with 4001, the mic must pass on, MediaMTX's auth
hook must refuse the tokens, and a new socket must be refused.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

import db
from server.auth.credentials import create_booth_token, hash_password
from server.auth.principals import invite_participant_id
from server.keys import WS_HUB
from tests.admin_support import TECH, running_admin_kiosk, signed_in, submit
from tests.changes_support import FOLLOW_SECONDS, Running, client, kiosk_on_file, media_hook
from tests.server_support import PASSWORD, post_login
from tests.ws_support import close_code, next_of_type

# Slow: revocations come from CLI subprocesses and second Python processes.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EN = "conf/main/en"


async def seed() -> None:
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")


async def open_booth(session: aiohttp.ClientSession) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    """The interpreter page's socket, joined with the browser's cookies; returns it and the
    participant id the kiosk gave it."""
    ws = await session.ws_connect(f"/ws/booth/{EN}")
    await ws.send_json({"type": "booth:join"})
    joined = await next_of_type(ws, "booth:joined")
    return ws, joined["participant"]["participant_id"]


async def media_token(session: aiohttp.ClientSession) -> str:
    """The short-lived WHIP token the interpreter page fetches."""
    async with session.get(f"/interpreter/{EN}/media-token") as response:
        assert response.status == 200
        token: str = (await response.json())["token"]
    return token


async def closed_within(ws: aiohttp.ClientWebSocketResponse, seconds: float) -> int | None:
    """The close code, if the server closes the socket within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await close_code(ws)
    except TimeoutError:
        raise AssertionError(f"the socket was still open after {seconds} s") from None


async def refused_code(session: aiohttp.ClientSession) -> int | None:
    """The close code a new booth socket from this browser gets."""
    ws = await session.ws_connect(f"/ws/booth/{EN}")
    return await close_code(ws)


def on_mic(kiosk: Running) -> str | None:
    """Who holds the mic of the booth in the running kiosk."""
    active: str | None = kiosk.app[WS_HUB].registry.snapshot(EN).active_id
    return active


async def test_revoking_an_invite_with_the_cli_ends_the_open_session(
    tmp_path: Path, file_db: Path
) -> None:
    await seed()
    invite = await db.create_invite_token(EN, "interpreter", label="Anna")
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as browser:
        async with browser.get(f"/join/{invite.token}", allow_redirects=False) as response:
            assert response.status == 303
        ws, participant = await open_booth(browser)
        token = await media_token(browser)
        mic_before = on_mic(kiosk)
        hook_before = await media_hook(kiosk, "publish", EN, token)

        await kiosk.outside.cli("invite", "revoke", invite.token)
        code = await closed_within(ws, FOLLOW_SECONDS)
        hook_after = await media_hook(kiosk, "publish", EN, token)
        read_after = await media_hook(kiosk, "read", EN, token)
        mic_after = on_mic(kiosk)
        again = await refused_code(browser)
    assert participant == invite_participant_id(invite.id, 1)
    assert (mic_before, hook_before) == (participant, 200)
    assert code == 4001
    assert (hook_after, read_after) == (401, 401)
    assert mic_after is None
    assert again == 4001


async def test_deactivating_an_account_in_another_process_ends_the_open_session(
    tmp_path: Path, file_db: Path
) -> None:
    await seed()
    user = await db.create_user("anna@example.org", hash_password(PASSWORD), "Anna")
    await db.add_membership(user.id, "conf", "interpreter", EN)
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as browser:
        signed_in = await post_login(browser, kiosk.server, "anna@example.org", PASSWORD)
        assert signed_in.status == 303
        ws, participant = await open_booth(browser)
        token = await media_token(browser)
        hook_before = await media_hook(kiosk, "publish", EN, token)

        await kiosk.outside.python(f"await db.set_user_active({user.id}, False)")
        code = await closed_within(ws, FOLLOW_SECONDS)
        hook_after = await media_hook(kiosk, "publish", EN, token)
        mic_after = on_mic(kiosk)
        again = await refused_code(browser)
    assert participant == f"user:{user.id}"
    assert hook_before == 200
    assert code == 4001
    assert hook_after == 401
    assert mic_after is None
    assert again == 4001


async def test_a_socket_not_yet_joined_is_closed_too(tmp_path: Path, file_db: Path) -> None:
    """A socket opened before the revocation but never joined holds no slot in the booth; it is
    closed all the same, so it can never join."""
    await seed()
    invite = await db.create_invite_token(EN, "interpreter", label="Anna")
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as browser:
        async with browser.get(f"/join/{invite.token}", allow_redirects=False) as response:
            assert response.status == 303
        ws = await browser.ws_connect(f"/ws/booth/{EN}")
        await kiosk.outside.cli("invite", "revoke", invite.token)
        code = await closed_within(ws, FOLLOW_SECONDS)
        await ws.close()
        in_booth = kiosk.app[WS_HUB].registry.snapshot(EN).participants
    assert code == 4001
    assert in_booth == ()


@pytest.mark.usefixtures("memory_db")
async def test_revoking_in_the_kiosks_own_admin_panel_ends_the_session_before_it_answers(
    tmp_path: Path,
) -> None:
    """The admin's own write is followed at once, without waiting for a poll: here on an
    in-memory database, which no change source watches at all."""
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        invite_id = kiosk.ids["invite"]
        token = create_booth_token(
            f"invite:{invite_id}",
            "pycon/main/en",
            "interpreter",
            "Anna",
            key=kiosk.services.secrets.jwt_key,
        )
        ws = await tech.ws_connect("/ws/booth/pycon/main/en", params={"token": token})
        await ws.send_json({"type": "booth:join"})
        await next_of_type(ws, "booth:joined")
        page = f"/admin/events/pycon/invites/{invite_id}/revoke"
        status, _, _ = await submit(kiosk, tech, page, {})
        code = await closed_within(ws, 1.0)
    assert status == 303
    assert code == 4001
