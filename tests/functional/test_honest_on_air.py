"""Honest on-air in every page: "on air" only when the booth's stream really arrives.

The whole kiosk runs in Chromium pages (interpreter, listener, technicians' web console):
first with no MediaMTX binary at all ("no media server"), then with the stand-in running and
an interpreter at the mic whose stream is not arriving ("not sending") until it does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

import db
from tests.fakes import write_fake_binary
from tests.media_support import MediaKiosk, media_kiosk, next_where, seed_rooms
from tests.pages_support import chromium, user_cookie

pytestmark = [pytest.mark.anyio, pytest.mark.browser]
expect.set_options(timeout=15_000)

EN = "ev/main/en"


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so one browser serves every test of this module."""
    return "asyncio"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Debian Chromium for the module."""
    async with chromium() as launched:
        yield launched


async def new_context(browser: Browser) -> BrowserContext:
    """A fresh context with the tests' timeout."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    return context


async def pages(browser: Browser, kiosk: MediaKiosk) -> tuple[Page, Page]:
    """The technicians' web console and a listener page."""
    user_id, token = await user_cookie(kiosk, "tess@example.org")  # type: ignore[arg-type]
    await db.add_membership(user_id, "ev", "technician")
    context = await new_context(browser)
    await context.add_cookies([{"name": "user_token", "value": token, "url": kiosk.url("/")}])
    console = await context.new_page()
    await console.goto(kiosk.url("/console/ev"))
    listener = await (await new_context(browser)).new_page()
    await listener.goto(kiosk.url("/listen/ev/main"))
    return console, listener


@pytest.fixture
async def without_mediamtx(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk with `binary` pointing at nothing: MediaMTX is missing."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=tmp_path / "nowhere" / "mediamtx") as running:
        yield running


@pytest.fixture
async def with_stand_in(memory_db: None, tmp_path: Path) -> AsyncIterator[MediaKiosk]:
    """The kiosk with the stand-in as its MediaMTX, running."""
    await seed_rooms()
    async with media_kiosk(tmp_path, binary=write_fake_binary(tmp_path / "bin")) as running:
        await running.until_health("running")
        yield running


async def test_without_a_media_server_every_page_says_so(
    browser: Browser, without_mediamtx: MediaKiosk
) -> None:
    kiosk = without_mediamtx
    invite = await db.create_invite_token(EN, "interpreter", label="Ana")
    interpreter = await (await new_context(browser)).new_page()
    await interpreter.goto(kiosk.url(f"/join/{invite.token}"))
    await expect(interpreter.locator("#air-text")).to_have_text(
        "You have the mic · no media server"
    )
    await expect(interpreter.locator("#air-pill")).to_have_attribute("data-air", "problem")

    console, listener = await pages(browser, kiosk)
    card = console.locator(f'[data-booth-id="{EN}"]')
    await expect(card.locator('[data-field="pill"]')).to_have_text("NO MEDIA SERVER")
    await expect(card.locator('[data-field="ingest"]')).to_have_text("no media server")
    english = listener.locator(f'[data-channel="{EN}"]')
    await expect(english).to_contain_text("no media server")
    await english.click()
    await expect(listener.locator("#status-text")).to_have_text(
        "English: no media server. The sound starts by itself once it is back."
    )
    for page in (interpreter, console, listener):
        await page.context.close()


async def test_an_interpreter_whose_stream_is_not_arriving_is_not_on_air(
    browser: Browser, with_stand_in: MediaKiosk
) -> None:
    kiosk = with_stand_in
    console, listener = await pages(browser, kiosk)
    card = console.locator(f'[data-booth-id="{EN}"]')
    english = listener.locator(f'[data-channel="{EN}"]')
    ana = await kiosk.session.ws_connect(
        kiosk.ws_url(f"/ws/booth/{EN}"), params={"token": await kiosk.invite_token(EN)}
    )
    await ana.send_json({"type": "booth:join"})
    await expect(card.locator('[data-field="pill"]')).to_have_text("NOT SENDING")
    await expect(english).to_contain_text("not sending")
    # The stream arrives in MediaMTX: now, and only now, it is on air everywhere.
    assert await kiosk.fake(f"/_fake/paths/online/{EN}") == 200
    await expect(card.locator('[data-field="pill"]')).to_have_text("ON AIR")
    await expect(card.locator('[data-field="ingest"]')).to_have_text("online")
    await expect(english).to_contain_text("on air")
    state = await next_where(ana, lambda m: m.get("state", {}).get("media") == "sending")
    assert state["state"]["on_air"] is True
    await ana.close()
    for page in (console, listener):
        await page.context.close()
