"""Helpers for the page tests: the real app on a loopback port, seed data and booth clients."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, async_playwright

import db
from server.app import make_app
from server.auth.credentials import (
    create_booth_token,
    create_user_token,
    hash_password,
    new_signing_key,
)
from server.config import Config, parse_config
from server.secrets.fernet_keys import generate_key
from server.secrets.store import KioskSecrets
from server.services import Services

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


@dataclass
class Kiosk:
    """A running kiosk: its base URL, the app and the services behind it."""

    url: str
    app: web.Application
    services: Services

    @property
    def key(self) -> str:
        """The JWT signing key, to mint tokens as the kiosk would."""
        return self.services.secrets.jwt_key

    def booth_token(self, participant_id: str, booth_id: str, name: str) -> str:
        """A booth token for an interpreter, like the one `/join` puts in the cookie."""
        return create_booth_token(participant_id, booth_id, "interpreter", name, key=self.key)


def make_config(tmp_path: Path, *, webrtc_port: int = 8889) -> Config:
    """A config rooted in tmp_path with MediaMTX off; `webrtc_port` is where /media proxies to."""
    data = {
        "kiosk": {"data_dir": str(tmp_path / "data")},
        "server": {"tls": "off"},
        "mediamtx": {"enabled": False, "webrtc_port": webrtc_port},
    }
    return parse_config(data, source=tmp_path / "kiosk.toml")


async def seed_room(listener_code: str | None = None) -> None:
    """Event `demo` with room `main` and two booths: English (captioned) and German."""
    await db.create_event(EVENT, "Demo Conference", listener_code)
    await db.create_booth(EVENT, ROOM, "en", "English", transcription=True)
    await db.create_booth(EVENT, ROOM, "de", "Deutsch")


@asynccontextmanager
async def running_kiosk(
    tmp_path: Path, *, listener_code: str | None = None, webrtc_port: int = 8889
) -> AsyncIterator[Kiosk]:
    """The real app on a free loopback port, with a SQLite file database and seeded booths."""
    await db.init_db(db.sqlite_url(tmp_path / "kiosk.sqlite3"), generate_schemas=True)
    await seed_room(listener_code)
    secrets = KioskSecrets(new_signing_key(), (generate_key(),), "media-secret")
    services = Services(secrets=secrets, clock=time.time, open_database=False)
    app = make_app(make_config(tmp_path, webrtc_port=webrtc_port), services)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Kiosk(f"http://127.0.0.1:{port}", app, services)
    finally:
        await runner.cleanup()
        await db.close_db()


async def user_cookie(kiosk: Kiosk, email: str, *, is_admin: bool = False) -> tuple[int, str]:
    """Create a user and return (id, user_token) as a login would set it."""
    user = await db.create_user(email, hash_password("pw"), email.split("@")[0].title())
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
        session.ws_connect(f"{kiosk.url}/ws/booth/{booth_id}?token={token}") as socket,
    ):
        yield BoothClient(socket)
