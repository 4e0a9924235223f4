"""The sign-in and listener-code limits hold when the attempts arrive all at once.

The attempt is reserved before the password hash (or the code check) runs, so 200 sign-ins
sent together from one address get their password checked at most five times and the rest
are answered 429 at once. Each test fires the requests concurrently over real HTTP.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from server.http.routes.listener_token import MAX_WRONG_CODES
from server.http.routes.login import MAX_FAILURES
from tests.harness.app import make_config, make_services
from tests.server_support import (
    PASSWORD,
    browser,
    create_account,
    form_token,
    origin_of,
    post_login,
    seed_booth,
    serve,
)

# Slow: hundreds of sign-ins at once, each checked against a real scrypt hash.
pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.usefixtures("memory_db")]

SIMULTANEOUS = 200


async def test_200_simultaneous_sign_ins_check_the_password_at_most_five_times(
    tmp_path: Path,
) -> None:
    await create_account("staff@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        token = await form_token(client)

        async def attempt(n: int) -> int:
            data = {"email": f"guess{n % 7}@example.org", "password": "wrong", "csrf_token": token}
            async with client.post(
                "/login", data=data, headers={"Origin": origin_of(server)}, allow_redirects=False
            ) as response:
                return response.status

        statuses = Counter(await asyncio.gather(*(attempt(n) for n in range(SIMULTANEOUS))))
    assert statuses == {403: MAX_FAILURES, 429: SIMULTANEOUS - MAX_FAILURES}


async def test_a_good_sign_in_gives_its_reserved_attempt_back(tmp_path: Path) -> None:
    await create_account("staff@example.org")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:
        for _ in range(MAX_FAILURES - 1):
            assert (await post_login(client, server, "staff@example.org", "nope")).status == 403
        # Good sign-ins do not use up the address's allowance, however many there are.
        for _ in range(3):
            assert (await post_login(client, server, "staff@example.org", PASSWORD)).status == 303
        assert (await post_login(client, server, "other@example.org", "nope")).status == 403
        assert (await post_login(client, server, "other@example.org", "nope")).status == 429


async def test_simultaneous_wrong_listener_codes_are_counted_before_they_are_checked(
    tmp_path: Path,
) -> None:
    await seed_booth(code="4711")
    async with serve(make_config(tmp_path), make_services()) as server, browser(server) as client:

        async def guess(n: int) -> int:
            async with client.post(
                "/listen/pycon/main/token", data={"code": f"{n:04d}"}
            ) as response:
                return response.status

        statuses = Counter(await asyncio.gather(*(guess(n) for n in range(100))))
    assert statuses == {403: MAX_WRONG_CODES, 429: 100 - MAX_WRONG_CODES}


async def test_sign_ins_from_another_address_are_not_blocked(tmp_path: Path) -> None:
    await create_account("staff@example.org")
    async with serve(make_config(tmp_path), make_services()) as server:
        async with browser(server) as attacker:
            for _ in range(MAX_FAILURES + 1):
                await post_login(attacker, server, "guess@example.org", "nope")
            assert (await post_login(attacker, server, "x@example.org", "nope")).status == 429
        async with browser(server, from_address="127.0.0.2") as colleague:
            response = await post_login(colleague, server, "staff@example.org", PASSWORD)
        assert response.status == 303
