"""The booth team: one multi-use invite, several people, each their own participant and name.

Each person is a browser of their own (an aiohttp session with its own cookie jar) that opens
the invite link, lands on the booth page and opens the booth socket with the cookie it got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

import db
from server.auth.credentials import create_booth_token
from server.keys import SERVICES
from tests.harness.app import make_config, make_services
from tests.server_support import browser, origin_of, seed_booth, serve
from tests.ws_support import close_code, next_of_type, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

BOOTH = "pycon/main/en"


class Person:
    """One browser: its cookie jar, the booth page it landed on, and its booth socket."""

    def __init__(self, server: TestServer, client: aiohttp.ClientSession) -> None:
        self.server = server
        self.client = client
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.id = ""
        self.name = ""

    async def open_link(self, token: str) -> aiohttp.ClientResponse:
        """Open the invite link as a scanned QR code does (the redirect is not followed)."""
        response = await self.client.get(f"/join/{token}", allow_redirects=False)
        await response.read()
        return response

    async def join(self, **fields: Any) -> dict[str, Any]:
        """Open the booth socket with this browser's cookies and send `booth:join`."""
        self.ws = await self.client.ws_connect(f"/ws/booth/{BOOTH}", origin=origin_of(self.server))
        await self.ws.send_json({"type": "booth:join", **fields})
        joined = await next_of_type(self.ws, "booth:joined")
        self.id = joined["participant"]["participant_id"]
        self.name = joined["participant"]["display_name"]
        return joined

    async def send(self, kind: str, **fields: Any) -> None:
        """Send one booth message."""
        assert self.ws is not None
        await self.ws.send_json({"type": kind, **fields})

    async def state_where(self, predicate: Any) -> dict[str, Any]:
        """The first booth state (from joined or state frames) that satisfies `predicate`."""
        assert self.ws is not None
        frame = await wait_for(self.ws, lambda f: "state" in f and predicate(f["state"]))
        state: dict[str, Any] = frame["state"]
        return state

    async def hang_up(self) -> None:
        """Close the booth socket, as a dropped connection or a closed tab would."""
        assert self.ws is not None
        await self.ws.close()
        self.ws = None


@asynccontextmanager
async def kiosk(tmp_path: Path, people: int) -> AsyncIterator[list[Person]]:
    """A running kiosk (booth seeded by `booth_invite`), and `people` separate browsers."""
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(serve(make_config(tmp_path), make_services()))
        browsers = [
            Person(server, await stack.enter_async_context(browser(server))) for _ in range(people)
        ]
        yield browsers


async def booth_invite(*, uses: int = 1, label: str = "") -> db.models.InviteToken:
    """The English booth of pycon, and an interpreter invite to it as `invite create` makes."""
    await seed_booth()
    return await db.create_invite_token(BOOTH, "interpreter", max_uses=uses, label=label)


def names_in(state: dict[str, Any]) -> dict[str, str]:
    """participant id -> shown name, for everyone in a booth state."""
    return {p["participant_id"]: p["display_name"] for p in state["participants"]}


async def test_two_browsers_on_one_invite_are_two_participants_who_hand_over(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(uses=2, label="Booth EN")
    async with kiosk(tmp_path, 3) as (ana, ben, late):
        assert (await ana.open_link(invite.token)).status == 303
        assert (await ben.open_link(invite.token)).status == 303
        await ana.join()
        await ben.join()
        assert ana.id != ben.id
        assert {ana.id, ben.id} == {f"invite:{invite.id}:1", f"invite:{invite.id}:2"}
        state = await ana.state_where(lambda s: len(s["participants"]) == 2)
        assert state["active_id"] == ana.id

        await ben.send("booth:handover:request")
        await ana.state_where(lambda s: s["handover"]["state"] == "requested")
        await ana.send("booth:handover:accept")
        state = await ben.state_where(lambda s: s["active_id"] == ben.id)
        assert names_in(state) == {ana.id: "Booth EN", ben.id: "Booth EN (2)"}

        # The invite allowed two people; a third is told so.
        assert (await late.open_link(invite.token)).status == 410


async def test_a_reconnect_keeps_the_participant_and_a_rescan_spends_nothing(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(uses=3)
    async with kiosk(tmp_path, 2) as (ana, ben):
        await ana.open_link(invite.token)
        await ben.open_link(invite.token)
        await ana.join(display_name="Ana")
        await ben.join(display_name="Ben")
        first_id = ana.id
        await ana.hang_up()
        await ben.state_where(lambda s: not all(p["connected"] for p in s["participants"]))

        # Scanning the QR again on the same phone goes back in as the same person.
        again = await ana.open_link(invite.token)
        assert again.status == 303
        assert again.headers["Location"] == f"/interpreter/{BOOTH}"
        await ana.join(display_name="Ana")
        assert ana.id == first_id
        state = await ben.state_where(lambda s: all(p["connected"] for p in s["participants"]))
        assert names_in(state) == {first_id: "Ana", ben.id: "Ben"}
        assert state["active_id"] == first_id
    assert (await db.get_invite(invite.token)).uses == 2


async def test_unlabelled_invites_take_the_name_from_booth_join_and_repeat_none(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(uses=3)
    async with kiosk(tmp_path, 3) as (first, second, third):
        for person in (first, second, third):
            await person.open_link(invite.token)
        await first.join(display_name="  Ana   Lima ")
        await second.join(display_name="ana lima")
        await third.join()
        assert (first.name, second.name, third.name) == ("Ana Lima", "ana lima (2)", "Interpreter")
        state = await first.state_where(lambda s: len(s["participants"]) == 3)
        assert sorted(names_in(state).values()) == ["Ana Lima", "Interpreter", "ana lima (2)"]


async def test_a_labelled_invite_keeps_its_label_whatever_booth_join_says(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(label="Ana")
    async with kiosk(tmp_path, 1) as (ana,):
        await ana.open_link(invite.token)
        await ana.join(display_name="Someone Else")
    assert ana.name == "Ana"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Ana\nLima", "control characters"),
        ("Ana\u0007", "control characters"),
        ("A" * 101, "at most 100 characters"),
        ("", "at least 1 character"),
    ],
)
async def test_a_bad_display_name_is_refused_at_the_edge(
    tmp_path: Path, name: str, why: str
) -> None:
    invite = await booth_invite()
    async with kiosk(tmp_path, 1) as (ana,):
        await ana.open_link(invite.token)
        ana.ws = await ana.client.ws_connect(f"/ws/booth/{BOOTH}", origin=origin_of(ana.server))
        await ana.send("booth:join", display_name=name, id=7)
        error = await next_of_type(ana.ws, "booth:error")
        assert error["code"] == "invalid_message"
        assert why in error["message"]
        assert error["id"] == 7
        # Nothing was half-done: a good join still works on the same socket.
        await ana.send("booth:join", display_name="Ana")
        joined = await next_of_type(ana.ws, "booth:joined")
    assert joined["participant"]["display_name"] == "Ana"


async def test_a_revoked_multi_use_invite_locks_out_every_person_who_used_it(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(uses=2)
    async with kiosk(tmp_path, 2) as (ana, ben):
        await ana.open_link(invite.token)
        await ben.open_link(invite.token)
        await db.revoke_invite_token(invite.token)
        for person in (ana, ben):
            page = await person.client.get(f"/interpreter/{BOOTH}", allow_redirects=False)
            assert page.status in (302, 303)
            ws = await person.client.ws_connect(f"/ws/booth/{BOOTH}", origin=origin_of(ana.server))
            assert await close_code(ws) == 4001


async def test_sessions_from_before_per_use_ids_still_work_and_still_die_on_revocation(
    tmp_path: Path,
) -> None:
    invite = await booth_invite(label="Ana")
    async with kiosk(tmp_path, 1) as (ana,):
        # The session an older kiosk put in the cookie: `invite:{id}`, without a use number.
        key = ana.server.app[SERVICES].secrets.jwt_key
        old = create_booth_token(f"invite:{invite.id}", BOOTH, "interpreter", "Ana", key=key)
        ana.client.cookie_jar.update_cookies({"session_token": old}, ana.server.make_url("/"))
        assert (await ana.client.get(f"/interpreter/{BOOTH}", allow_redirects=False)).status == 200
        # The old session is recognised as this invite's: scanning again goes back in.
        assert (await ana.open_link(invite.token)).status == 303
        await db.revoke_invite_token(invite.token)
        page = await ana.client.get(f"/interpreter/{BOOTH}", allow_redirects=False)
        assert page.status in (302, 303)
