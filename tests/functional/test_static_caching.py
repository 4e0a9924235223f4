"""HTTP caching of the listener page and the static files (versioned URLs, validators)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import db
from server.http.templating import STATIC_DIR, static_url, static_version
from tests.harness.app import make_config, make_services
from tests.server_support import browser, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


async def test_the_listener_page_links_assets_that_are_cached_for_good(tmp_path: Path) -> None:
    await db.create_event("demo", "Demo")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as phone:
        page = await phone.get("/listen/demo/main")
        html = await page.text()
        assets = ASSET_RE.findall(html)
        replies = {url: await phone.get(url) for url in assets}
        # A script imports its neighbours by relative URL: they are versioned alike.
        imported = await phone.get(static_url("js/socket.js"))
        for reply in [*replies.values(), imported]:
            await reply.read()  # releases the connection: an unread response leaks it
    assert set(assets) == {
        static_url("css/base.css"),
        static_url("css/listen.css"),
        static_url("js/listen.js"),
        static_url("js/socket.js"),  # module preloads: no round trip per import level
        static_url("js/whip.js"),
    }
    for url, reply in replies.items():
        assert reply.status == 200, url
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    assert imported.status == 200
    assert imported.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert page.headers["Cache-Control"] == "no-cache"


async def test_the_listener_page_revalidates_with_its_etag(tmp_path: Path) -> None:
    await db.create_event("demo", "Demo")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as phone:
        first = await phone.get("/listen/demo/main")
        await first.read()  # releases the connection: an unread response leaks it
        tag = first.headers["ETag"]
        again = await phone.get("/listen/demo/main", headers={"If-None-Match": tag})
        again_body = await again.read()
        await db.create_booth("demo", "main", "fr", "Français")
        changed = await phone.get("/listen/demo/main", headers={"If-None-Match": tag})
        changed_html = await changed.text()
    assert (first.status, again.status, again_body) == (200, 304, b"")
    assert again.headers["ETag"] == tag
    assert changed.status == 200 and "Français" in changed_html
    assert changed.headers["ETag"] != tag


async def test_unversioned_and_unknown_assets_are_not_cached_for_good(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        plain = await client.get("/static/css/base.css")
        validator = plain.headers.get("ETag")
        revalidated = await client.get(
            "/static/css/base.css",
            headers={"If-None-Match": validator}
            if validator
            else {"If-Modified-Since": plain.headers["Last-Modified"]},
        )
        missing = await client.get(f"/static/{static_version()}/css/nope.css")
        for reply in (plain, revalidated, missing):
            await reply.read()  # releases the connection: an unread response leaks it
    assert plain.status == 200 and plain.headers["Cache-Control"] == "no-cache"
    assert revalidated.status == 304
    assert missing.status == 404 and "immutable" not in missing.headers.get("Cache-Control", "")


async def test_the_version_follows_the_contents_of_the_static_folder() -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", static_version())
    assert static_url("css/base.css") == f"/static/{static_version()}/css/base.css"


async def test_styles_and_scripts_travel_gzipped(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        script = await client.get(static_url("js/listen.js"), headers={"Accept-Encoding": "gzip"})
        body = await script.read()  # aiohttp decompresses
        raw = await client.get(static_url("js/listen.js"), headers={"Accept-Encoding": "identity"})
        page = await client.get("/", headers={"Accept-Encoding": "gzip"})
        for reply in (raw, page):
            await reply.read()  # releases the connection: an unread response leaks it
    assert script.headers["Content-Encoding"] == "gzip"
    assert body == (STATIC_DIR / "js" / "listen.js").read_bytes()
    assert "Content-Encoding" not in raw.headers
    assert "Content-Encoding" not in page.headers  # pages are never compressed
