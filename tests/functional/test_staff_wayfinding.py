"""Staff find their way: links after signing in, a sign-in link on 403, the console on a phone.

Over real HTTP against the real app, and in real headless Chromium for the flows a person
clicks through and for the layout at a phone's width.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

import db
from tests.harness.app import Kiosk
from tests.pages_support import ENGLISH, chromium, page_kiosk, user_cookie
from tests.screenshots import screenshot_dir
from tests.server_support import password_hash

PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT_MS = 15_000
HREF_RE = re.compile(r'href="([^"]+)"')

pytestmark = [pytest.mark.anyio, pytest.mark.browser]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so one browser serves every test of this module."""
    return "asyncio"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Debian Chromium for the module."""
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def kiosk(tmp_path: Path) -> AsyncIterator[Kiosk]:
    """The real app on loopback with the demo room (event `demo`, booths en and de)."""
    async with page_kiosk(tmp_path) as running:
        yield running


async def staff_user(email: str, *, admin: bool = False, technician_of: str = "") -> int:
    """An account with the password "pw", optionally admin or technician of an event."""
    user = await db.create_user(email, password_hash("pw"), email.split("@")[0].title())
    if admin:
        user.is_admin = True
        await user.save()
    if technician_of:
        await db.add_membership(user.id, technician_of, "technician")
    return user.id


async def home_links(kiosk: Kiosk, cookies: dict[str, str]) -> list[str]:
    async with (
        aiohttp.ClientSession(cookies=cookies) as session,
        session.get(kiosk.base_url + "/") as response,
    ):
        assert response.status == 200
        return HREF_RE.findall(await response.text())


# --- over HTTP ---------------------------------------------------------------------------


async def test_home_shows_an_admin_the_panel_and_every_console(kiosk: Kiosk) -> None:
    _, token = await user_cookie(kiosk, "root@example.org", is_admin=True)
    links = await home_links(kiosk, {"user_token": token})
    assert "/admin" in links and "/console/demo" in links


async def test_home_shows_a_technician_the_panel_and_their_console(kiosk: Kiosk) -> None:
    await db.create_event("other", "Other Conference")
    user_id, token = await user_cookie(kiosk, "tech@example.org")
    await db.add_membership(user_id, "demo", "technician")
    links = await home_links(kiosk, {"user_token": token})
    assert "/admin" in links and "/console/demo" in links
    assert "/console/other" not in links


async def test_home_shows_an_interpreter_their_booth_and_no_staff_pages(kiosk: Kiosk) -> None:
    user_id, token = await user_cookie(kiosk, "ana@example.org")
    await db.add_membership(user_id, "demo", "interpreter", ENGLISH)
    links = await home_links(kiosk, {"user_token": token})
    assert f"/interpreter/{ENGLISH}" in links
    assert "/admin" not in links and not any(link.startswith("/console/") for link in links)


async def test_home_shows_strangers_only_the_sign_in_link(kiosk: Kiosk) -> None:
    links = await home_links(kiosk, {})
    assert "/login" in links
    assert "/admin" not in links and not any(link.startswith("/console/") for link in links)


async def test_the_403_page_links_to_sign_in_and_back(kiosk: Kiosk) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(kiosk.base_url + "/admin/events/demo?tab=rooms", allow_redirects=False) as got,
    ):
        assert got.status == 403
        body = await got.text()
    assert "Sign in first" in body
    sign_in = next(link for link in HREF_RE.findall(body) if link.startswith("/login"))
    target = urlsplit(sign_in.replace("&amp;", "&"))
    assert parse_qs(target.query)["next"] == ["/admin/events/demo?tab=rooms"]


async def test_a_json_403_stays_json(kiosk: Kiosk) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(kiosk.base_url + "/admin", headers={"Accept": "application/json"}) as got,
    ):
        assert got.status == 403
        assert (await got.json())["error"] == "forbidden"


# --- in Chromium ---------------------------------------------------------------------------


async def new_page(browser: Browser, viewport: ViewportSize = PHONE) -> Page:
    context = await browser.new_context(viewport=viewport)
    context.set_default_timeout(WAIT_MS)
    return await context.new_page()


async def sign_in(page: Page, email: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("pw")
    await page.get_by_role("button", name="Sign in").click()


async def test_staff_sign_in_leads_to_the_admin_and_the_web_console(
    browser: Browser, kiosk: Kiosk
) -> None:
    await staff_user("tech@example.org", technician_of="demo")
    page = await new_page(browser)
    await page.goto(kiosk.base_url + "/")
    await page.get_by_role("link", name="Staff sign in").click()
    await sign_in(page, "tech@example.org")
    await expect(page.get_by_text("Signed in as Tech")).to_be_visible()
    await page.screenshot(path=str(screenshot_dir() / "home-signed-in-phone.png"), full_page=True)
    await expect(page.get_by_role("link", name="Admin panel")).to_be_visible()
    await page.get_by_role("link", name="Web console · demo").click()
    await expect(page).to_have_url(kiosk.base_url + "/console/demo")
    await expect(page.locator(".cx-card")).to_have_count(2)
    await page.context.close()


async def test_the_403_page_signs_in_and_returns_to_the_page(
    browser: Browser, kiosk: Kiosk
) -> None:
    await staff_user("root@example.org", admin=True)
    page = await new_page(browser)
    response = await page.goto(kiosk.base_url + "/admin")
    assert response is not None and response.status == 403
    await page.screenshot(path=str(screenshot_dir() / "forbidden-phone.png"), full_page=True)
    await page.get_by_role("link", name="Sign in").click()
    await sign_in(page, "root@example.org")
    await expect(page).to_have_url(kiosk.base_url + "/admin")
    await page.context.close()


async def test_the_web_console_fits_a_390_px_phone(browser: Browser, kiosk: Kiosk) -> None:
    await staff_user("tech@example.org", technician_of="demo")
    page = await new_page(browser)
    await page.goto(kiosk.base_url + "/login?next=/console/demo")
    await sign_in(page, "tech@example.org")
    await expect(page).to_have_url(kiosk.base_url + "/console/demo")
    await expect(page.locator(".cx-card")).to_have_count(2)
    await page.screenshot(path=str(screenshot_dir() / "console-phone.png"), full_page=True)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    # Every control sits inside its card, the "Open" link included.
    overflowing = await page.evaluate(
        """() => [...document.querySelectorAll('.cx-card')].flatMap(card => {
            const box = card.getBoundingClientRect();
            return [...card.querySelectorAll('button, a, select')]
                .filter(el => el.getBoundingClientRect().right > box.right + 0.5)
                .map(el => el.textContent.trim());
        })"""
    )
    assert overflowing == []
    await page.context.close()
