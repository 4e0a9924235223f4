"""A booth edited in the admin panel shows at once on the sockets of the running kiosk.

The edit goes through the real form (signed in, with its CSRF token); a listener page's socket
and an interpreter's booth socket are open on the same kiosk and must hear the new values
without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from server.auth.credentials import create_booth_token
from server.keys import WS_HUB
from tests.admin_support import TECH, AdminKiosk, running_admin_kiosk, signed_in, submit
from tests.ws_support import channel, next_of_type, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

BOOTH = "pycon/main/en"
EDIT = "/admin/events/pycon/rooms/main/booths/en/edit"


def listen_state_naming(name: str) -> Any:
    """A predicate for the `listen:state` whose English channel carries `name`."""
    return lambda m: m["type"] == "listen:state" and channel(m, BOOTH)["language_name"] == name


async def interpreter_socket(
    kiosk: AdminKiosk, session: aiohttp.ClientSession
) -> aiohttp.ClientWebSocketResponse:
    """Anna's booth socket, joined, from the seeded interpreter invite of pycon/main/en."""
    token = create_booth_token(
        f"invite:{kiosk.ids['invite']}",
        BOOTH,
        "interpreter",
        "Anna",
        key=kiosk.services.secrets.jwt_key,
    )
    ws = await session.ws_connect(f"/ws/booth/{BOOTH}", params={"token": token})
    await ws.send_json({"type": "booth:join"})
    await next_of_type(ws, "booth:joined")
    return ws


async def test_a_listener_hears_the_new_language_name_of_an_edited_booth(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        listener = await tech.ws_connect("/ws/listen/pycon/main")
        before = await next_of_type(listener, "listen:state")
        status, _, _ = await submit(kiosk, tech, EDIT, {"name": "English (UK)"})
        after = await wait_for(listener, listen_state_naming("English (UK)"))
        await listener.close()
    assert status == 303
    assert channel(before, BOOTH)["language_name"] == "English"
    assert channel(after, BOOTH)["transcription"] is False


async def test_a_listener_sees_captions_switched_on_for_an_edited_booth(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        listener = await tech.ws_connect("/ws/listen/pycon/main")
        before = await next_of_type(listener, "listen:state")
        await submit(kiosk, tech, EDIT, {"name": "English", "transcription": "on"})
        after = await wait_for(
            listener,
            lambda m: m["type"] == "listen:state" and channel(m, BOOTH)["transcription"],
        )
        await listener.close()
    assert channel(before, BOOTH)["transcription"] is False
    assert channel(after, BOOTH)["language_name"] == "English"


async def test_an_interpreter_in_an_edited_booth_gets_its_new_state(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        interpreter = await interpreter_socket(kiosk, tech)
        await submit(kiosk, tech, EDIT, {"name": "English (UK)", "transcription": "on"})
        state = await wait_for(
            interpreter,
            lambda m: m["type"] == "booth:state" and m["state"]["language_name"] == "English (UK)",
        )
        await interpreter.close()
    assert state["state"]["transcription"] is True
    # Renaming the language leaves whoever is on air on air.
    assert state["state"]["active_id"] == f"invite:{kiosk.ids['invite']}"


async def test_the_live_registry_follows_an_edit_without_a_restart(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        await submit(kiosk, tech, EDIT, {"name": "English (UK)", "transcription": "on"})
        registry = kiosk.server.app[WS_HUB].registry
        snapshot = registry.snapshot(BOOTH)
    assert (snapshot.language_name, snapshot.transcription) == ("English (UK)", True)
