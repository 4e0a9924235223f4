"""A running kiosk follows booths changed elsewhere: the CLI, or a second process.

Each test starts the full kiosk on a SQLite file, opens sockets as phones and interpreters do,
then changes the database from outside the kiosk's process and waits for the change to arrive
on those sockets, within the 2 s the kiosk promises (counted from the writer's exit).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

import db
from server.auth.credentials import create_booth_token
from server.keys import CHANGES, WS_HUB
from tests.changes_support import (
    FOLLOW_SECONDS,
    booth_channels,
    client,
    kiosk_on_file,
    quiet_for,
    within,
)
from tests.ws_support import close_code, next_of_type

# Slow: changes come from CLI subprocesses and second Python processes.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EN, DE = "conf/main/en", "conf/main/de"


async def seed() -> None:
    await db.create_event("conf", "Conference")
    await db.create_booth("conf", "main", "en", "English")


def has_booths(*booth_ids: str) -> object:
    """A predicate for the `listen:state` whose booth channels are exactly `booth_ids`."""
    wanted = set(booth_ids)
    return lambda m: m["type"] == "listen:state" and set(booth_channels(m)) == wanted


async def test_a_booth_added_with_the_cli_reaches_an_open_listener_socket(
    tmp_path: Path, file_db: Path
) -> None:
    await seed()
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as phone:
        listener = await phone.ws_connect("/ws/listen/conf/main")
        before = await next_of_type(listener, "listen:state")
        await kiosk.outside.cli("booth", "add", "conf/main", "de", "Deutsch")
        after = await within(FOLLOW_SECONDS, listener, has_booths(EN, DE))
        await listener.close()
    assert booth_channels(before) == {EN: "English"}
    assert booth_channels(after) == {EN: "English", DE: "Deutsch"}


async def test_a_booth_renamed_then_deleted_by_a_second_process_follows(
    tmp_path: Path, file_db: Path
) -> None:
    await seed()
    await db.create_booth("conf", "main", "de", "Deutsch")
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as browser:
        listener = await browser.ws_connect("/ws/listen/conf/main")
        await next_of_type(listener, "listen:state")
        invite = await db.create_invite_token(DE, "interpreter")
        token = create_booth_token(f"invite:{invite.id}", DE, "interpreter", "Dora", key=kiosk.key)
        booth = await browser.ws_connect(f"/ws/booth/{DE}", params={"token": token})
        await booth.send_json({"type": "booth:join"})
        await next_of_type(booth, "booth:joined")

        await kiosk.outside.python(f"await db.update_booth({DE!r}, language_name='German')")
        renamed = await within(
            FOLLOW_SECONDS,
            listener,
            lambda m: m["type"] == "listen:state" and booth_channels(m).get(DE) == "German",
        )
        await kiosk.outside.python(f"await db.delete_booth({DE!r})")
        deleted = await within(FOLLOW_SECONDS, listener, has_booths(EN))
        booth_closed = await close_code(booth)
        await listener.close()
        still_registered = kiosk.app[WS_HUB].registry.booth_ids()
    assert booth_channels(renamed) == {EN: "English", DE: "German"}
    assert booth_channels(deleted) == {EN: "English"}
    assert booth_closed == 4004
    assert still_registered == [EN]


async def test_writes_that_change_no_booth_send_listeners_nothing(
    tmp_path: Path, file_db: Path
) -> None:
    """The kiosk's own writes and unrelated ones move the change counter too; a reload that
    finds the booths as they were must not re-broadcast anything."""
    await seed()
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as browser:
        listener = await browser.ws_connect("/ws/listen/conf/main")
        await next_of_type(listener, "listen:state")
        watcher = kiosk.app[CHANGES]
        seen_before = watcher.changes_seen
        await kiosk.outside.cli("invite", "create", "conf/main/en", "--role", "interpreter")
        await kiosk.outside.python("await db.append_chat('conf/main/en', 'x', 'X', 'hello')")
        extra = await quiet_for(FOLLOW_SECONDS, listener)
        seen_after = watcher.changes_seen
        await listener.close()
    assert seen_after > seen_before, "the watcher did not notice the writes at all"
    assert extra == []


async def test_a_listener_code_set_by_a_second_process_guards_new_listener_sockets(
    tmp_path: Path, file_db: Path
) -> None:
    await seed()
    async with kiosk_on_file(tmp_path, file_db) as kiosk, client(kiosk) as phone:
        open_room = await phone.ws_connect("/ws/listen/conf/main")
        assert (await next_of_type(open_room, "listen:state"))["type"] == "listen:state"
        await open_room.close()
        await kiosk.outside.python(
            "from db.models import Event\n"
            "await Event.filter(slug='conf').update(listener_code='4711')"
        )
        codes: list[int | None] = []
        async with asyncio.timeout(FOLLOW_SECONDS):
            while not codes or codes[-1] != 4001:
                await asyncio.sleep(0.05)  # the directory follows within one watcher poll
                guarded = await phone.ws_connect("/ws/listen/conf/main")
                first = await guarded.receive()  # listen:state while the room is still open
                codes.append(first.data if first.type is aiohttp.WSMsgType.CLOSE else None)
                await guarded.close()
    assert codes[-1] == 4001
