"""The pages' WHIP/WHEP client (`whip.js`) in Chromium, through the real `/media` proxy.

A small HTTP server on loopback stands in for MediaMTX's WebRTC listener. It records what the
browser sends and answers like MediaMTX does: 201 with an SDP answer and a `Location`, or 404
while a path has no publisher. No media flows (the answer's ICE candidate leads nowhere); the
tests check the signalling that the pages own: offer, Bearer token, Location, retry, DELETE.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize, expect

import db
from server.auth.credentials import decode_token
from tests.harness.app import Kiosk
from tests.pages_support import ENGLISH, booth_client, chromium, page_kiosk

pytestmark = [pytest.mark.anyio, pytest.mark.browser]
WAIT_MS = 15_000
expect.set_options(timeout=WAIT_MS)
LAPTOP: ViewportSize = {"width": 1280, "height": 800}


@dataclass
class Seen:
    """One request that reached the stand-in."""

    method: str
    path: str
    authorization: str
    content_type: str
    body: str


def sdp_answer(offer: str) -> str:
    """A well-formed answer to an audio offer; its single candidate leads nowhere."""
    mid = re.search(r"a=mid:(\S+)", offer)
    opus = re.search(r"a=rtpmap:(\d+) opus/48000/2", offer)
    assert mid and opus, offer
    direction = "recvonly" if "a=sendonly" in offer else "sendonly"
    lines = [
        "v=0",
        "o=- 1 1 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        f"a=group:BUNDLE {mid.group(1)}",
        f"m=audio 9 UDP/TLS/RTP/SAVPF {opus.group(1)}",
        "c=IN IP4 127.0.0.1",
        "a=rtcp-mux",
        f"a=mid:{mid.group(1)}",
        f"a={direction}",
        "a=ice-ufrag:standin",
        "a=ice-pwd:standinstandinstandin12",
        "a=fingerprint:sha-256 " + ":".join(["AB"] * 32),
        "a=setup:passive",
        f"a=rtpmap:{opus.group(1)} opus/48000/2",
        "a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host",
    ]
    return "\r\n".join(lines) + "\r\n"


@dataclass
class WebRTCStandIn:
    """MediaMTX's WebRTC HTTP listener, as far as signalling goes."""

    seen: list[Seen] = field(default_factory=list)
    # How many offers per path to refuse with 404 first ("no stream is available").
    refuse_first: dict[str, int] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def handle(self, request: web.Request) -> web.Response:
        """Record the request and answer it."""
        body = await request.text()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                request.headers.get("Authorization", ""),
                request.headers.get("Content-Type", ""),
                body,
            )
        )
        if request.method != "POST":
            return web.Response(status=200)
        if self.refuse_first.get(request.path, 0) > 0:
            self.refuse_first[request.path] -= 1
            return web.json_response({"error": "no stream is available on path"}, status=404)
        session = f"{request.path}/session{next(self.ids)}"
        return web.Response(
            status=201,
            text=sdp_answer(body),
            content_type="application/sdp",
            headers={"Location": session, "ETag": '"1"'},
        )

    def posts(self, path: str) -> list[Seen]:
        """The offers sent to one WHIP/WHEP endpoint."""
        return [s for s in self.seen if s.method == "POST" and s.path == path]

    def deletes(self) -> list[str]:
        """The session URLs the browser deleted."""
        return [s.path for s in self.seen if s.method == "DELETE"]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so one browser serves every test of this module."""
    return "asyncio"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the module."""
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def standin() -> AsyncIterator[tuple[WebRTCStandIn, int]]:
    """The stand-in on a free loopback port."""
    upstream = WebRTCStandIn()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", upstream.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield upstream, runner.addresses[0][1]
    finally:
        await runner.cleanup()


@pytest.fixture
async def kiosk(tmp_path: Path, standin: tuple[WebRTCStandIn, int]) -> AsyncIterator[Kiosk]:
    """The real app, its `/media` proxy pointed at the stand-in."""
    async with page_kiosk(tmp_path, webrtc_port=standin[1]) as running:
        yield running


async def new_page(browser: Browser, url: str) -> Page:
    """A fresh context on `url`."""
    context = await browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(url)
    return page


async def eventually(condition: Callable[[], object], page: Page) -> None:
    """Poll a Python condition while the page works (the stand-in is in this process)."""
    for _ in range(150):
        if condition():
            return
        await page.wait_for_timeout(100)
    raise AssertionError("condition not met in 15 s")


async def test_active_interpreter_publishes_over_whip_with_the_booth_token(
    browser: Browser, kiosk: Kiosk, standin: tuple[WebRTCStandIn, int]
) -> None:
    upstream, _ = standin
    invite = await db.create_invite_token(ENGLISH, "interpreter", label="Ana")
    page = await new_page(browser, f"{kiosk.base_url}/join/{invite.token}")
    await eventually(lambda: upstream.posts(f"/{ENGLISH}/whip"), page)
    offer = upstream.posts(f"/{ENGLISH}/whip")[0]
    assert offer.content_type == "application/sdp"
    assert "opus/48000" in offer.body
    assert "a=sendonly" in offer.body
    assert offer.authorization.startswith("Bearer ")
    claims = decode_token(offer.authorization[7:], key=kiosk.key, expected_type="booth")
    assert claims["scope"] == ENGLISH
    await expect(page.locator("#ingest-text")).not_to_have_attribute("data-kind", "idle")
    await page.context.close()


async def test_interpreter_deletes_the_whip_session_when_passing_the_mic(
    browser: Browser, kiosk: Kiosk, standin: tuple[WebRTCStandIn, int]
) -> None:
    upstream, _ = standin
    invite = await db.create_invite_token(ENGLISH, "interpreter", label="Ana")
    page = await new_page(browser, f"{kiosk.base_url}/join/{invite.token}")
    await eventually(lambda: upstream.posts(f"/{ENGLISH}/whip"), page)
    partner = await db.create_invite_token(ENGLISH, "interpreter", label="Ben")
    token = kiosk.booth_token(f"invite:{partner.id}", ENGLISH, "Ben")
    async with booth_client(kiosk, ENGLISH, token) as ben:
        await ben.join()
        await page.get_by_role("button", name="Give the mic to Ben").click()
        await ben.wait_state(lambda s: s["active_id"] == ben.participant_id)
        await eventually(lambda: upstream.deletes(), page)
    assert upstream.deletes()[0].startswith(f"/{ENGLISH}/whip/session")
    await expect(page.locator("#ingest-text")).to_have_attribute("data-kind", "idle")
    await page.context.close()


async def test_listener_retries_whep_until_the_stream_exists(
    browser: Browser, kiosk: Kiosk, standin: tuple[WebRTCStandIn, int]
) -> None:
    upstream, _ = standin
    whep = f"/{ENGLISH}/whep"
    upstream.refuse_first[whep] = 1
    partner = await db.create_invite_token(ENGLISH, "interpreter", label="Ana")
    token = kiosk.booth_token(f"invite:{partner.id}", ENGLISH, "Ana")
    async with booth_client(kiosk, ENGLISH, token) as ana:
        await ana.join()
        page = await new_page(browser, f"{kiosk.base_url}/listen/demo/main")
        await page.locator(f'[data-channel="{ENGLISH}"][data-on-air="true"]').click()
        await eventually(lambda: len(upstream.posts(whep)) >= 2, page)
        first, second = upstream.posts(whep)[:2]
        for offer in (first, second):
            assert "a=recvonly" in offer.body
            claims = decode_token(offer.authorization[7:], key=kiosk.key)
            assert (claims["typ"], claims["scope"]) == ("listener", "demo/main")
        await page.get_by_role("button", name="Stop").click()
        await eventually(lambda: upstream.deletes(), page)
        assert upstream.deletes()[0].startswith(f"{whep}/session")
        await page.context.close()
