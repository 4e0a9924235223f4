"""`POST /listen/{event}/{room}/token`: listener tokens, and the listener code when there is one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.auth.credentials import decode_token
from tests.harness.app import make_config, make_services
from tests.server_support import browser, seed_booth, serve

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]


async def test_a_room_without_a_code_gives_a_listener_token_for_that_room(tmp_path: Path) -> None:
    await seed_booth()
    services = make_services()
    async with serve(make_config(tmp_path), services) as server, browser(server) as client:
        response = await client.post("/listen/pycon/main/token")
        body = await response.json()
    assert response.status == 200
    claims = decode_token(body["token"], key=services.secrets.jwt_key, expected_type="listener")
    assert claims["scope"] == "pycon/main"
    assert body["whep_base"] == "/media/pycon/main"
    assert datetime.fromisoformat(body["expires_at"]) == datetime.fromtimestamp(claims["exp"], UTC)


async def test_the_right_listener_code_gives_a_token(tmp_path: Path) -> None:
    await seed_booth(code="4711")
    services = make_services()
    async with serve(make_config(tmp_path), services) as server, browser(server) as client:
        response = await client.post("/listen/pycon/main/token", data={"code": "4711"})
        body = await response.json()
    assert response.status == 200
    claims = decode_token(body["token"], key=services.secrets.jwt_key, expected_type="listener")
    assert claims["scope"] == "pycon/main"


async def test_a_missing_listener_code_is_refused_with_403(tmp_path: Path) -> None:
    await seed_booth(code="4711")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.post("/listen/pycon/main/token")
        body = await response.json()
    assert response.status == 403
    assert body["error"] == "listener_code"
    assert "token" not in body


async def test_a_wrong_listener_code_is_refused_with_403(tmp_path: Path) -> None:
    await seed_booth(code="4711")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.post("/listen/pycon/main/token", json={"code": "1234"})
        body = await response.json()
    assert response.status == 403
    assert body["message"] == "That listener code is wrong."


async def test_many_wrong_codes_from_one_address_are_answered_with_429(tmp_path: Path) -> None:
    await seed_booth(code="4711")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        statuses = []
        for guess in range(11):
            response = await client.post("/listen/pycon/main/token", data={"code": str(guess)})
            statuses.append(response.status)
    assert statuses[:10] == [403] * 10
    assert statuses[10] == 429
    assert "Retry-After" in response.headers


async def test_an_unknown_room_is_404(tmp_path: Path) -> None:
    await seed_booth()
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.post("/listen/pycon/nowhere/token")
        body = await response.json()
    assert response.status == 404
    assert body["error"] == "not_found"


async def test_a_token_request_from_a_foreign_page_is_refused(tmp_path: Path) -> None:
    await seed_booth()
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        response = await client.post(
            "/listen/pycon/main/token", headers={"Origin": "http://evil.example"}
        )
    assert response.status == 403
