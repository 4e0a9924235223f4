"""The pages in real headless Chromium against the real app (docs/design.md §8).

Interpreters other than the page's own are driven by aiohttp websocket clients. MediaMTX is not
running, so WHIP/WHEP attempts get 503 and the pages show that they are retrying; everything
these tests check travels over the websockets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    Browser,
    Locator,
    Page,
    Response,
    ViewportSize,
    expect,
)

import db
from server.http.templating import static_url
from server.ws import broadcast_caption
from tests.harness.app import Kiosk
from tests.pages_support import ENGLISH, GERMAN, booth_client, chromium, page_kiosk, user_cookie
from tests.screenshots import screenshot_dir

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 860}
LISTENER_BUDGET = 150 * 1024
WAIT_MS = 15_000
METER_ABOVE_SILENCE = (
    "() => Number(document.querySelector('.bx-meter').getAttribute('aria-valuenow')) > 20"
)

pytestmark = [pytest.mark.anyio, pytest.mark.browser]
expect.set_options(timeout=WAIT_MS)


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
    """The real app on loopback with a fresh SQLite file and the demo room."""
    async with page_kiosk(tmp_path) as running:
        yield running


async def open_page(browser: Browser, url: str, viewport: ViewportSize) -> Page:
    """A fresh browser context (own cookies and storage) on `url`."""
    context = await browser.new_context(viewport=viewport)
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(url)
    return page


async def interpreter_page(browser: Browser, kiosk: Kiosk, name: str) -> Page:
    """An interpreter who redeemed an invite in the browser and landed on the console."""
    invite = await db.create_invite_token(ENGLISH, "interpreter", label=name)
    page = await open_page(browser, f"{kiosk.base_url}/join/{invite.token}", LAPTOP)
    await expect(page).to_have_url(f"{kiosk.base_url}/interpreter/{ENGLISH}")
    await expect(page.locator("#interpreter")).to_have_attribute("data-joined", "true")
    return page


async def partner_token(kiosk: Kiosk, name: str) -> str:
    """A booth token for a second interpreter of the English booth, as `/join` would mint."""
    invite = await db.create_invite_token(ENGLISH, "interpreter", label=name)
    return kiosk.booth_token(f"invite:{invite.id}", ENGLISH, name)


def english_button(page: Page) -> Locator:
    """The English channel button of the listener page."""
    return page.locator(f'[data-channel="{ENGLISH}"]')


@asynccontextmanager
async def listening_to_english(browser: Browser, kiosk: Kiosk) -> AsyncIterator[Page]:
    """A phone's listener page on English while Ana is in the booth, counted by the server."""
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ana")) as ana:
        await ana.join()
        await expect(english_button(page)).to_have_attribute("data-on-air", "true")
        await english_button(page).click()
        # The page says which channel it selected; wait until the server has counted it, so
        # that captions broadcast next reach it.
        await ana.wait_state(lambda s: s["listeners"] >= 1)
        yield page
    await page.context.close()


async def test_listener_page_lists_the_floor_and_every_booth(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    channels = page.locator("#channels [data-channel]")
    await expect(channels).to_have_count(3)
    await expect(channels).to_contain_text(["Floor", "English", "Deutsch"])
    await expect(english_button(page)).to_have_attribute("data-on-air", "false")
    await page.context.close()


async def test_listener_page_flips_to_on_air_when_an_interpreter_joins(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    await expect(english_button(page)).to_contain_text("off air")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ana")) as ana:
        await ana.join()
        await expect(english_button(page)).to_have_attribute("data-on-air", "true")
        await expect(english_button(page)).to_contain_text("on air")
    await page.context.close()


async def test_listener_page_follows_a_handover_between_two_interpreters(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    await english_button(page).click()
    async with (
        booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ana")) as ana,
        booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben,
    ):
        await ana.join()
        await ben.join()
        await expect(english_button(page)).to_have_attribute("data-on-air", "true")
        await ana.send("booth:mute", muted=True)
        await expect(english_button(page)).to_contain_text("muted")
        await ana.send("booth:mute", muted=False)
        await ben.send("booth:handover:request")
        await expect(english_button(page)).to_contain_text("switching interpreters")
        await ana.send("booth:handover:accept")
        await ana.wait_state(lambda s: s["active_id"] == ben.participant_id)
        await expect(english_button(page)).to_contain_text("on air")
        await ben.send("booth:leave")
        await ana.wait_state(lambda s: s["active_id"] == ana.participant_id)
        await ana.send("booth:leave")
        await expect(english_button(page)).to_contain_text("off air")
        await expect(page.locator("#status-text")).to_contain_text("off air")
    await page.context.close()


async def test_interpreter_page_shows_the_partners_request_banner(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    await expect(page.locator("#air-text")).to_have_text("You are on air")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben:
        await ben.join()
        await expect(page.locator("#participants")).to_contain_text("Ben")
        await ben.send("booth:handover:request")
        banner = page.locator("#banner")
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("Ben asks for the mic")
        await expect(page.locator("#banner-accept")).to_be_visible()
        await expect(page.locator("#banner-decline")).to_be_visible()
        # For the screenshot: a chat line, and the level meter caught while the fake mic beeps.
        await ben.send("booth:chat", text="Ready when you are, slide 14 is mine.")
        await expect(page.locator("#chat-log")).to_contain_text("slide 14")
        await page.locator("h1").click()  # lets the audio context (level meter) start
        await page.wait_for_function(METER_ABOVE_SILENCE, timeout=WAIT_MS)
        await page.screenshot(path=screenshot_dir() / "interpreter.png")
        await page.locator("#banner-accept").click()
        await ben.wait_state(lambda s: s["active_id"] == ben.participant_id)
        await expect(page.locator("#air-text")).to_have_text("Ben is on air")
        await expect(banner).to_be_hidden()
    await page.context.close()


async def test_interpreter_page_offers_the_mic_and_the_partner_sees_it(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben:
        await ben.join()
        offer = page.locator("#ho-offer")
        await expect(offer).to_be_enabled()
        await offer.click()
        state = await ben.wait_state(lambda s: s["handover"]["state"] == "offered")
        assert state["handover"]["from"] != ben.participant_id
        await expect(page.locator("#banner")).to_contain_text("You offered the mic")
        await expect(page.locator("#ho-cancel")).to_be_enabled()
    await page.context.close()


async def test_interpreter_page_sends_chat_and_shows_the_partners_reply(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben:
        await ben.join()
        await page.locator("#chat-input").fill("Slides are on 12")
        await page.locator("#chat-form button").click()
        received = await ben.receive_until("booth:chat")
        assert received["message"]["body"] == "Slides are on 12"
        await ben.send("booth:chat", text="Thanks!")
        await expect(page.locator("#chat-log")).to_contain_text("Thanks!")
    await page.context.close()


async def test_cough_button_mutes_the_booth_while_held(browser: Browser, kiosk: Kiosk) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben:
        await ben.join()
        cough = page.locator("#cough")
        await cough.hover()
        await page.mouse.down()
        await ben.wait_state(lambda s: s["muted"] is True)
        await expect(page.locator("#air-text")).to_have_text("You are on air · muted")
        await page.mouse.up()
        await ben.wait_state(lambda s: s["muted"] is False)
    await page.context.close()


async def test_holding_space_works_the_cough_button(browser: Browser, kiosk: Kiosk) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    async with booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben:
        await ben.join()
        await page.locator("h1").click()  # focus on the page, not on a control
        await page.keyboard.down("Space")
        await ben.wait_state(lambda s: s["muted"] is True)
        await expect(page.locator("#cough")).to_have_attribute("aria-pressed", "true")
        await page.keyboard.up("Space")
        await ben.wait_state(lambda s: s["muted"] is False)
    await page.context.close()


async def test_level_meter_follows_the_microphone(browser: Browser, kiosk: Kiosk) -> None:
    page = await interpreter_page(browser, kiosk, "Ana")
    await expect(page.locator("#mic-select")).to_contain_text("Fake")
    await page.locator("h1").click()  # the gesture that lets the audio context run
    # Chromium's fake microphone beeps; the meter must rise above silence at some point.
    await page.wait_for_function(METER_ABOVE_SILENCE, timeout=WAIT_MS)
    await page.context.close()


async def test_console_sets_the_active_interpreter_of_a_booth(
    browser: Browser, kiosk: Kiosk
) -> None:
    user_id, token = await user_cookie(kiosk, "tess@example.org")
    await db.add_membership(user_id, "demo", "technician")
    context = await browser.new_context(viewport=LAPTOP)
    await context.add_cookies([{"name": "user_token", "value": token, "url": kiosk.base_url}])
    page = await context.new_page()
    async with (
        booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ana")) as ana,
        booth_client(kiosk, ENGLISH, await partner_token(kiosk, "Ben")) as ben,
    ):
        await ana.join()
        await ben.join()
        await page.goto(f"{kiosk.base_url}/console/demo")
        card = page.locator(f'[data-booth-id="{ENGLISH}"]')
        await expect(card.locator('[data-field="active"]')).to_have_text("Ana")
        await card.locator('[data-field="choose"]').select_option(ben.participant_id)
        await card.locator('[data-action="set-active"]').click()
        await ana.wait_state(lambda s: s["active_id"] == ben.participant_id)
        await expect(card.locator('[data-field="active"]')).to_have_text("Ben")
        await card.locator('[data-action="mute"]').click()
        await ana.wait_state(lambda s: s["muted"] is True)
        await expect(card.locator('[data-field="pill"]')).to_have_text("MUTED")
    await context.close()


async def test_captions_panel_shows_partial_and_final_captions(
    browser: Browser, kiosk: Kiosk
) -> None:
    async with listening_to_english(browser, kiosk) as page:
        await expect(page.locator("#captions")).to_be_visible()
        broadcast_caption(kiosk.app, ENGLISH, "partial", "Welcome to the", 1)
        await expect(page.locator("#captions-partial")).to_have_text("Welcome to the")
        broadcast_caption(kiosk.app, ENGLISH, "final", "Welcome to the opening keynote.", 2)
        await expect(page.locator("#captions-text")).to_have_text("Welcome to the opening keynote.")
        await expect(page.locator("#captions-partial")).to_have_text("")
        await page.screenshot(path=screenshot_dir() / "listener.png")
        broadcast_caption(kiosk.app, ENGLISH, "clear", "", 3)
        await expect(page.locator("#captions-text")).to_have_text("")


async def test_a_sentence_settled_in_two_finals_reads_as_one_paragraph(
    browser: Browser, kiosk: Kiosk
) -> None:
    async with listening_to_english(browser, kiosk) as page:
        # As the service sends them when drafts settle words while the speaker talks on.
        finals = [
            *("This is the acoustic", "corpus."),
            # A phrase decoded alone ends in a full stop Whisper put at the cut.
            *("This is me talking really slow and slightly.", "lower in intensity."),
            *("And here's the long", "pause", "Then Ana", "spoke of pens vs.", "ink..."),
            "and paper.",
        ]
        for seq, text in enumerate(finals, 1):
            broadcast_caption(kiosk.app, ENGLISH, "final", text, seq)
        # A new sentence, or a final that starts with a capital (a name), starts a paragraph;
        # an abbreviation keeps its full stop, and "..." stays.
        await expect(page.locator("#captions-text p")).to_have_text(
            [
                "This is the acoustic corpus.",
                "This is me talking really slow and slightly lower in intensity.",
                "And here's the long pause",
                "Then Ana spoke of pens vs. ink... and paper.",
            ]
        )


async def test_the_caption_box_fills_the_screen_and_a_language_without_captions_says_so(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    captions = page.locator("#captions")
    await english_button(page).click()
    await expect(captions).to_have_attribute("data-empty", "waiting")
    box = await captions.bounding_box()
    assert box is not None
    # The room captions will take, down to the bottom of the screen (less the margins).
    assert PHONE["height"] - 60 <= box["y"] + box["height"] <= PHONE["height"], box
    await page.locator(f'[data-channel="{GERMAN}"]').click()
    await expect(captions).to_have_text("")  # the note is the box's ::before content
    await expect(captions).to_have_attribute("data-empty", "none")
    note = await captions.evaluate("e => getComputedStyle(e, '::before').content")
    assert note == '"No live captions for this language."'
    box = await captions.bounding_box()
    assert box is not None and box["height"] < 100, box  # one line, not an empty screen
    await page.context.close()


async def test_captions_can_be_switched_off_and_the_choice_is_remembered(
    browser: Browser, kiosk: Kiosk
) -> None:
    page = await open_page(browser, f"{kiosk.base_url}/listen/demo/main", PHONE)
    await english_button(page).click()
    await expect(page.locator("#captions")).to_be_visible()
    await page.locator(".lp-switch").click()
    await expect(page.locator("#captions")).to_be_hidden()
    await page.reload()
    await expect(page.locator("#captions-toggle")).not_to_be_checked()
    await english_button(page).click()
    await expect(page.locator("#captions")).to_be_hidden()
    await page.context.close()


async def test_listener_page_with_a_code_asks_for_it_before_listing_channels(
    browser: Browser, tmp_path: Path
) -> None:
    async with page_kiosk(tmp_path, listener_code="4711") as coded:
        page = await open_page(browser, f"{coded.base_url}/listen/demo/main", PHONE)
        await expect(page.locator("#player")).to_be_hidden()
        await page.locator("#code-input").fill("0000")
        await page.locator("#code-form button").click()
        await expect(page.locator("#code-error")).to_contain_text("wrong")
        await page.locator("#code-input").fill("4711")
        await page.locator("#code-form button").click()
        await expect(page.locator("#player")).to_be_visible()
        await expect(page.locator("#listen")).to_have_attribute("data-socket", "open")
        await page.context.close()


async def test_listener_page_and_its_assets_weigh_under_150_kb(
    browser: Browser, kiosk: Kiosk
) -> None:
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    sizes: dict[str, int] = {}

    async def record(response: Response) -> None:
        if urlsplit(response.url).netloc == urlsplit(kiosk.base_url).netloc and response.ok:
            sizes[urlsplit(response.url).path] = len(await response.body())

    page.on("response", record)
    await page.goto(f"{kiosk.base_url}/listen/demo/main", wait_until="networkidle")
    await expect(page.locator("#listen")).to_have_attribute("data-socket", "open")
    assert "/listen/demo/main" in sizes
    assets = {static_url("js/listen.js"), static_url("js/whip.js"), static_url("css/listen.css")}
    assert assets <= set(sizes)
    assert sum(sizes.values()) <= LISTENER_BUDGET, sizes
    await context.close()
