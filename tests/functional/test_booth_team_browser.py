"""One multi-use invite without a label, opened in two Chromium browser contexts.

Each context is its own browser profile (own cookies and storage), as two interpreters' laptops
are. Both are asked their name, both say "Ana", and the booth shows them apart; then they hand
the mic over with the page's buttons, and a reload keeps the person and the name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

import db
from tests.harness.app import Kiosk
from tests.pages_support import ENGLISH, chromium, page_kiosk
from tests.screenshots import screenshot_dir

LAPTOP: ViewportSize = {"width": 1280, "height": 820}
WAIT_MS = 15_000

pytestmark = [pytest.mark.anyio, pytest.mark.browser]
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
async def kiosk(tmp_path: Path) -> AsyncIterator[Kiosk]:
    """The real app on loopback with a fresh SQLite file and the demo room."""
    async with page_kiosk(tmp_path) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium with a fake microphone."""
    async with chromium() as launched:
        yield launched


async def open_invite(browser: Browser, kiosk: Kiosk, token: str) -> Page:
    """A new browser profile that opens the invite link and lands on the booth page."""
    context = await browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(f"{kiosk.base_url}/join/{token}")
    await expect(page).to_have_url(f"{kiosk.base_url}/interpreter/{ENGLISH}")
    return page


async def give_name(page: Page, name: str) -> None:
    """Answer the name prompt and wait until the page has joined the booth."""
    dialog = page.locator("#name-dialog")
    await expect(dialog).to_be_visible()
    # Nothing is sent before the name: the booth must not show "Interpreter" in between.
    await expect(page.locator("#interpreter")).not_to_have_attribute("data-joined", "true")
    await dialog.get_by_label("Your name").fill(name)
    await dialog.get_by_role("button", name="Join the booth").click()
    await expect(dialog).to_have_count(0)
    await expect(page.locator("#interpreter")).to_have_attribute("data-joined", "true")


async def test_two_people_on_one_invite_name_themselves_and_hand_over(
    browser: Browser, kiosk: Kiosk
) -> None:
    invite = await db.create_invite_token(ENGLISH, "interpreter", max_uses=2)
    first = await open_invite(browser, kiosk, invite.token)
    await expect(first.locator("#name-dialog")).to_be_visible()
    await first.screenshot(path=screenshot_dir() / "interpreter-name-prompt.png")
    await give_name(first, "Ana")
    second = await open_invite(browser, kiosk, invite.token)
    await give_name(second, "  Ana ")

    people = first.locator("#participants .bx-person-name")
    await expect(people).to_have_text(["Ana (you)", "Ana (2)"])
    await expect(second.locator("#participants .bx-person-name")).to_have_text(
        ["Ana", "Ana (2) (you)"]
    )
    await expect(first.locator("#air-text")).to_have_text("You are on air")

    await second.locator("#ho-request").click()
    await expect(first.locator("#banner")).to_contain_text("Ana (2) asks for the mic")
    await first.locator("#banner-accept").click()
    await expect(second.locator("#air-text")).to_have_text("You are on air")
    await expect(first.locator("#air-text")).to_have_text("Ana (2) is on air")
    await second.screenshot(path=screenshot_dir() / "interpreter-team-handover.png")

    # A reload is a reconnect: same person, no second prompt, no third slot.
    await first.reload()
    await expect(first.locator("#interpreter")).to_have_attribute("data-joined", "true")
    await expect(first.locator("#name-dialog")).to_have_count(0)
    await expect(people).to_have_text(["Ana (you)", "Ana (2)"])
    await expect(second.locator("#participants .bx-person-name")).to_have_text(
        ["Ana", "Ana (2) (you)"]
    )
    assert (await db.get_invite(invite.token)).uses == 2
    for page in (first, second):
        await page.context.close()


async def test_a_labelled_invite_asks_for_no_name(browser: Browser, kiosk: Kiosk) -> None:
    invite = await db.create_invite_token(ENGLISH, "interpreter", label="Ben")
    page = await open_invite(browser, kiosk, invite.token)
    await expect(page.locator("#interpreter")).to_have_attribute("data-joined", "true")
    await expect(page.locator("#name-dialog")).to_have_count(0)
    await expect(page.locator("#participants .bx-person-name")).to_have_text(["Ben (you)"])
    await page.context.close()
