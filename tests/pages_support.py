"""Helpers for the page tests: the harness's kiosk with seeded booths, Chromium and booth clients."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, async_playwright

import db
from server.auth.credentials import (
    create_user_token,
)
from tests.harness.app import Kiosk, make_config, running_kiosk
from tests.server_support import password_hash

EVENT = "demo"
ROOM = "main"
ENGLISH = f"{EVENT}/{ROOM}/en"
GERMAN = f"{EVENT}/{ROOM}/de"
# Generous: a slow CI machine must not fail a test that only waits for the next frame.
FRAME_WAIT_SECONDS = 15.0


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's headless Chromium, driven by Playwright, with a fake microphone."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def seed_room(listener_code: str | None = None) -> None:
    """Event `demo` with room `main` and two booths: English (captioned) and German."""
    await db.create_event(EVENT, "Demo Conference", listener_code)
    await db.create_booth(EVENT, ROOM, "en", "English", transcription=True)
    await db.create_booth(EVENT, ROOM, "de", "Deutsch")


@asynccontextmanager
async def page_kiosk(
    tmp_path: Path, *, listener_code: str | None = None, webrtc_port: int = 8889
) -> AsyncIterator[Kiosk]:
    """The harness's kiosk on a SQLite file database with seeded booths, TLS and MediaMTX off;
    `webrtc_port` is where /media proxies to."""
    await db.init_db(db.sqlite_url(tmp_path / "kiosk.sqlite3"), generate_schemas=True)
    try:
        await seed_room(listener_code)
        config = make_config(tmp_path, server={"tls": "off"}, mediamtx={"webrtc_port": webrtc_port})
        async with running_kiosk(config, kind=Kiosk) as kiosk:
            yield kiosk
    finally:
        await db.close_db()


async def user_cookie(kiosk: Kiosk, email: str, *, is_admin: bool = False) -> tuple[int, str]:
    """Create a user and return (id, user_token) as a login would set it."""
    user = await db.create_user(email, password_hash("pw"), email.split("@")[0].title())
    if is_admin:
        user.is_admin = True
        await user.save()
    token = create_user_token(user.id, user.email, user.display_name, is_admin, key=kiosk.key)
    return user.id, token


class BoothClient:
    """An interpreter's booth socket driven by the test, as a second browser would."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.state: dict[str, Any] = {}
        self.participant_id = ""

    async def send(self, message_type: str, **fields: Any) -> None:
        """Send one protocol message."""
        await self.socket.send_json({"type": message_type, **fields})

    async def receive_until(self, wanted: str) -> dict[str, Any]:
        """Read frames until one of type `wanted` arrives; keep the latest state."""
        while True:
            message = await self.socket.receive(timeout=FRAME_WAIT_SECONDS)
            if message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"socket ended while waiting for {wanted}: {message}")
            frame: dict[str, Any] = json.loads(message.data)
            if "state" in frame:
                self.state = frame["state"]
            if frame["type"] == wanted:
                return frame

    async def join(self) -> dict[str, Any]:
        """Join the booth and return `booth:joined`."""
        await self.send("booth:join")
        joined = await self.receive_until("booth:joined")
        self.participant_id = joined["participant"]["participant_id"]
        return joined

    async def wait_state(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Read states until `predicate(state)` holds."""
        while not (self.state and predicate(self.state)):
            await self.receive_until("booth:state")
        return self.state


@asynccontextmanager
async def booth_client(kiosk: Kiosk, booth_id: str, token: str) -> AsyncIterator[BoothClient]:
    """A booth socket authenticated with `?token=`."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{kiosk.base_url}/ws/booth/{booth_id}?token={token}") as socket,
    ):
        yield BoothClient(socket)
