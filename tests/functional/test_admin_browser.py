"""The admin panel in headless Chromium: an admin sets up an event from nothing, creates an
invite, opens its QR and print-previews the invite sheet. Screenshots go to the folder tests/screenshots.py names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

import db
from tests.admin_support import KIOSK
from tests.harness.app import make_config, make_services
from tests.screenshots import screenshot_dir
from tests.server_support import PASSWORD, create_account, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db"), pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, with no network chatter of its own."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot as admin-{name}.png in the screenshot folder (tests/screenshots.py)."""
    path = str(screenshot_dir() / f"admin-{name}.png")
    if full_page:
        await page.screenshot(path=path, full_page=True)
    else:  # a bare SVG document: just the drawing
        await page.locator("svg").screenshot(path=path)


async def add_room(page: Page, slug: str, name: str) -> None:
    """Use the event page's 'Add room' link and form."""
    await page.click("nav.subnav >> text=Add room")
    await page.fill("#field-slug", slug)
    await page.fill("#field-name", name)
    await page.click("button:has-text('Add room')")


async def add_booth(page: Page, room_name: str, lang: str, name: str) -> None:
    """Use a room's 'Add booth' link and form."""
    room = page.locator("section.room", has=page.locator(f"h2:has-text('{room_name}')"))
    await room.locator("a:has-text('Add booth')").click()
    await page.fill("#field-lang", lang)
    await page.fill("#field-name", name)
    await page.click("button:has-text('Add booth')")


async def test_an_admin_sets_up_an_event_and_prints_its_invite_sheet(
    tmp_path: Path, chromium: Browser
) -> None:
    await create_account("organiser@example.org", is_admin=True)
    config = make_config(tmp_path, kiosk=KIOSK)
    async with serve(config, make_services()) as server:
        base = str(server.make_url("")).rstrip("/")
        context = await chromium.new_context(viewport=LAPTOP)
        page = await context.new_page()

        await page.goto(f"{base}/login?next=/admin")
        await page.fill("#email", "organiser@example.org")
        await page.fill("#password", PASSWORD)
        await page.click("button:has-text('Sign in')")
        await page.wait_for_url(f"{base}/admin")

        await page.click("text=New event")
        await page.fill("#field-slug", "Bad Slug")
        await page.fill("#field-name", "PyCon 2026")
        await page.click("button:has-text('Create event')")
        assert await page.locator("#error-slug").is_visible()
        await shot(page, "validation")

        await page.fill("#field-slug", "pycon2026")
        await page.fill("#field-listener_code", "2026")
        await page.click("button:has-text('Create event')")
        await page.wait_for_url(f"{base}/admin/events/pycon2026")
        await page.click("a:has-text('Rename')")
        await page.fill("#field-name", "Main Hall")
        await page.click("button:has-text('Save')")
        await add_room(page, "hall-b", "Hall B")
        await add_booth(page, "Main Hall", "en", "English")
        await add_booth(page, "Main Hall", "de", "Deutsch")
        await add_booth(page, "Hall B", "pt-br", "Português (Brasil)")
        await shot(page, "event")

        await page.click("nav.subnav >> text=Invites")
        await page.select_option("#field-booth", "pycon2026/main/de")
        await page.fill("#field-label", "Anna, morning")
        await page.click("button:has-text('Create invite')")
        await page.wait_for_selector(".invite-qr img")
        await shot(page, "invite")
        await page.click("text=Open QR (SVG)")
        await page.wait_for_load_state()
        assert page.url.endswith("/qr.svg")
        await shot(page, "invite-qr", full_page=False)

        await page.goto(f"{base}/admin/events/pycon2026/invites/sheet")
        await page.click("button:has-text('Create invites for booths without one')")
        await page.wait_for_selector(".sheet-qr svg")
        assert await page.locator(".sheet-card .sheet-qr svg").count() == 3
        await shot(page, "invite-sheet")
        await page.emulate_media(media="print")
        await shot(page, "invite-sheet-print")
        pdf = await page.pdf(format="A4", print_background=True)
        await page.emulate_media(media="screen")

        await page.goto(f"{base}/admin/events/pycon2026/rooms/main/poster")
        await page.emulate_media(media="print")
        await shot(page, "poster-print")

        phone = await chromium.new_context(viewport=PHONE, is_mobile=True)
        await phone.add_cookies(await context.cookies())
        small = await phone.new_page()
        await small.goto(f"{base}/admin/events/pycon2026")
        await shot(small, "event-phone")
        await small.goto(f"{base}/admin/events/pycon2026/invites")
        await shot(small, "invites-phone")
        await phone.close()
        await context.close()

    assert pdf.startswith(b"%PDF")
    assert {b.path for b in await db.list_booths("pycon2026")} == {
        "pycon2026/main/en",
        "pycon2026/main/de",
        "pycon2026/hall-b/pt-br",
    }
    assert len(await db.list_invites(event_slug="pycon2026")) == 3
