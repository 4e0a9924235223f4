"""The HTTP core over a real loopback server: health, home, login, logout, CSRF, errors, headers."""

from __future__ import annotations

from pathlib import Path

import pytest

import db
from server.http.templating import static_url
from server.keys import MEDIA
from tests.harness.app import make_config, make_services
from tests.harness.clock import FakeClock
from tests.server_support import (
    PASSWORD,
    browser,
    create_account,
    form_token,
    origin_of,
    post_login,
    serve,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]


def cookie_header(response: object, name: str) -> str:
    """The Set-Cookie header that sets `name`."""
    headers = response.headers.getall("Set-Cookie", [])  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no Set-Cookie for {name} in {headers}"
    return str(found[0])


# -- health and home ----------------------------------------------------------------------------


async def test_health_reports_version_database_and_disabled_mediamtx(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 200
    assert body == {
        "ok": True,
        "version": "0.1.0",
        "db": "ok",
        "mediamtx": "disabled",
        "captions": {"enabled": False, "booths": [], "state": "disabled"},
        "floors": [],
    }


async def test_health_reports_mediamtx_missing_while_no_supervisor_runs(tmp_path: Path) -> None:
    # A binary that is not there: a real `mediamtx` on PATH must not change the answer.
    absent = str(tmp_path / "no-mediamtx")
    config = make_config(tmp_path, mediamtx={"enabled": True, "binary": absent})
    async with serve(config, make_services()) as server, browser(server) as client:
        body = await (await client.get("/healthz")).json()
    assert body["mediamtx"] == "missing"


async def test_health_reports_the_state_the_supervisor_publishes(tmp_path: Path) -> None:
    # No real binary: one on PATH would start on the default (fixed) ports.
    absent = str(tmp_path / "no-mediamtx")
    config = make_config(tmp_path, mediamtx={"enabled": True, "binary": absent})
    async with serve(config, make_services()) as server, browser(server) as client:
        supervisor = server.app[MEDIA].supervisor
        body = await (await client.get("/healthz")).json()
    assert supervisor is not None
    assert (body["mediamtx"], body["mediamtx_reason"]) == ("missing", supervisor.reason)
    assert supervisor.reason.startswith("no mediamtx binary")


async def test_home_lists_events_with_links_to_their_rooms(tmp_path: Path) -> None:
    await db.create_event("pycon", "PyCon 2026")
    await db.create_room("pycon", "hall-b", "Hall B")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/")
        html = await response.text()
    assert response.status == 200
    assert "PyCon 2026" in html
    assert 'href="/listen/pycon/main"' in html
    assert 'href="/listen/pycon/hall-b"' in html


# -- login --------------------------------------------------------------------------------------


async def test_login_page_sets_an_httponly_lax_csrf_cookie(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/login")
        await response.read()
    header = cookie_header(response, "csrf")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


async def test_good_credentials_redirect_with_an_httponly_lax_user_cookie(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await post_login(client, server, "Alice@Example.org", PASSWORD)
    assert response.status == 303
    assert response.headers["Location"] == "/"
    header = cookie_header(response, "user_token")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Max-Age=43200" in header
    assert "Secure" not in header  # plain HTTP: a Secure cookie would never come back


async def test_login_follows_a_local_next_path(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await post_login(
            client, server, "alice@example.org", PASSWORD, next="/console/pycon"
        )
    assert response.headers["Location"] == "/console/pycon"


async def test_login_ignores_a_next_that_leaves_the_site(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await post_login(
            client, server, "alice@example.org", PASSWORD, next="//evil.example/x"
        )
    assert response.headers["Location"] == "/"


async def test_signed_in_user_is_named_on_the_home_page(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        await post_login(client, server, "alice@example.org", PASSWORD)
        html = await (await client.get("/")).text()
    assert "Signed in as alice" in html


async def test_wrong_password_is_refused_with_403(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await post_login(client, server, "alice@example.org", "wrong")
        html = await response.text()
    assert response.status == 403
    assert "do not match an active account" in html
    assert "user_token" not in response.cookies


async def test_unknown_account_and_deactivated_account_get_the_same_403_as_a_wrong_password(
    tmp_path: Path,
) -> None:
    await create_account("alice@example.org")
    await create_account("bob@example.org", active=False)
    headers = {"Accept": "application/json"}
    answers = []
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        for email, password in [
            ("alice@example.org", "wrong"),
            ("nobody@example.org", PASSWORD),
            ("bob@example.org", PASSWORD),
        ]:
            token = await form_token(client)
            response = await client.post(
                "/login",
                data={"email": email, "password": password, "csrf_token": token},
                headers={**headers, "Origin": origin_of(server)},
            )
            answers.append((response.status, await response.json()))
    assert answers[0][0] == 403
    assert answers[0] == answers[1] == answers[2]


async def test_five_failures_from_one_address_block_that_address_only(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server:
        async with browser(server, from_address="127.0.0.1") as attacker:
            for n in range(5):
                failed = await post_login(attacker, server, f"guess{n}@example.org", "x")
                assert failed.status == 403
            blocked = await post_login(attacker, server, "alice@example.org", PASSWORD)
        async with browser(server, from_address="127.0.0.2") as colleague:
            allowed = await post_login(colleague, server, "alice@example.org", PASSWORD)
    assert blocked.status == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert allowed.status == 303


async def test_five_failures_on_one_account_block_it_from_every_address(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server:
        for n in range(2, 7):
            async with browser(server, from_address=f"127.0.0.{n}") as attacker:
                failed = await post_login(attacker, server, "alice@example.org", "x")
                assert failed.status == 403
        async with browser(server, from_address="127.0.0.9") as owner:
            blocked = await post_login(owner, server, "alice@example.org", PASSWORD)
    assert blocked.status == 429
    assert "Retry-After" in blocked.headers


async def test_a_blocked_account_may_sign_in_again_after_the_window(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    clock = FakeClock()
    config, services = make_config(tmp_path), make_services(clock)
    async with serve(config, services) as server, browser(server) as client:
        for _ in range(5):
            await post_login(client, server, "alice@example.org", "x")
        assert (await post_login(client, server, "alice@example.org", PASSWORD)).status == 429
        clock.advance(301)
        response = await post_login(client, server, "alice@example.org", PASSWORD)
    assert response.status == 303


# -- logout and CSRF ----------------------------------------------------------------------------


async def test_logout_clears_both_cookies_and_goes_home(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        await post_login(client, server, "alice@example.org", PASSWORD)
        token = await form_token(client, "/")
        response = await client.post(
            "/logout",
            data={"csrf_token": token},
            headers={"Origin": origin_of(server)},
            allow_redirects=False,
        )
        home = await (await client.get("/")).text()
    assert response.status == 303
    assert response.headers["Location"] == "/"
    for name in ("user_token", "session_token"):
        assert "Max-Age=0" in cookie_header(response, name)
    assert "Signed in as" not in home


async def test_a_form_without_its_csrf_token_is_refused(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        await form_token(client)
        response = await client.post(
            "/login",
            data={"email": "alice@example.org", "password": PASSWORD},
            headers={"Origin": origin_of(server)},
            allow_redirects=False,
        )
    assert response.status == 403
    assert "user_token" not in response.cookies


async def test_a_token_from_another_browser_is_refused(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server:
        async with browser(server) as other:
            foreign_token = await form_token(other)
        async with browser(server) as client:
            await form_token(client)
            response = await client.post(
                "/login",
                data={
                    "email": "alice@example.org",
                    "password": PASSWORD,
                    "csrf_token": foreign_token,
                },
                headers={"Origin": origin_of(server)},
                allow_redirects=False,
            )
    assert response.status == 403


async def test_a_form_posted_from_a_foreign_origin_is_refused(tmp_path: Path) -> None:
    await create_account("alice@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        token = await form_token(client)
        response = await client.post(
            "/login",
            data={"email": "alice@example.org", "password": PASSWORD, "csrf_token": token},
            headers={"Origin": "http://evil.example", "Accept": "application/json"},
            allow_redirects=False,
        )
        body = await response.json()
    assert response.status == 403
    assert body["error"] == "csrf_origin"


async def test_a_form_with_neither_origin_nor_referer_is_refused(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        token = await form_token(client, "/login")
        response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 403


async def test_a_same_origin_referer_stands_in_for_a_missing_origin(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        token = await form_token(client, "/login")
        response = await client.post(
            "/logout",
            data={"csrf_token": token},
            headers={"Referer": f"{origin_of(server)}/login"},
            allow_redirects=False,
        )
    assert response.status == 303


# -- errors and headers -------------------------------------------------------------------------


async def test_unknown_page_is_an_html_page_for_browsers(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/no/such/page", headers={"Accept": "text/html"})
        html = await response.text()
    assert response.status == 404
    assert response.content_type == "text/html"
    assert "Not Found" in html
    assert f'href="{static_url("css/base.css")}"' in html


async def test_unknown_page_is_json_for_json_clients(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/no/such/page", headers={"Accept": "application/json"})
        body = await response.json()
    assert response.status == 404
    assert body["error"] == "not_found"
    assert body["message"]


async def test_wrong_method_is_405_with_the_allowed_methods(tmp_path: Path) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.put("/login", headers={"Accept": "application/json"})
        body = await response.json()
    assert response.status == 405
    assert "POST" in response.headers["Allow"]
    assert body["error"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/", "/static/css/base.css", "/no/such/page"])
async def test_every_response_carries_the_security_headers(tmp_path: Path, path: str) -> None:
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get(path)
        await response.read()
    csp = response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "media-src 'self' blob:" in csp
    assert "connect-src 'self' ws: wss:" in csp


async def test_health_reports_a_database_without_the_schema_as_an_error(tmp_path: Path) -> None:
    await db.close_db()
    await db.init_db("sqlite://:memory:", generate_schemas=False)
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.get("/healthz")
        body = await response.json()
    assert response.status == 503
    assert body["ok"] is False
    assert body["db"] == "error"
