"""Redemption is exactly-once under concurrency, on a real SQLite file (docs/design.md §3)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import db
from db.models import InviteToken

pytestmark = pytest.mark.anyio


async def _redeem_concurrently(token: str, attempts: int) -> list[object]:
    return await asyncio.gather(
        *(db.redeem_invite_token(token) for _ in range(attempts)), return_exceptions=True
    )


async def _invite(max_uses: int) -> str:
    await db.create_event("pycon", "PyCon")
    await db.create_booth("pycon", "main", "en", "English")
    return (await db.create_invite_token("pycon/main/en", "interpreter", max_uses=max_uses)).token


async def test_100_concurrent_redemptions_of_a_single_use_token_succeed_once(
    file_db: Path,
) -> None:
    token = await _invite(max_uses=1)
    results = await _redeem_concurrently(token, 100)
    successes = [r for r in results if not isinstance(r, BaseException)]
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(successes) == 1
    assert all(isinstance(f, db.InviteUsedUp) for f in failures)
    assert (await db.get_invite(token)).uses == 1


async def test_50_concurrent_redemptions_of_a_5_use_token_succeed_5_times(file_db: Path) -> None:
    token = await _invite(max_uses=5)
    results = await _redeem_concurrently(token, 50)
    successes = [r for r in results if not isinstance(r, BaseException)]
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(successes) == 5
    assert all(isinstance(f, db.InviteUsedUp) for f in failures)
    assert (await db.get_invite(token)).uses == 5


async def test_concurrent_redemptions_each_get_their_own_use_number(file_db: Path) -> None:
    token = await _invite(max_uses=5)
    results = await _redeem_concurrently(token, 50)
    # The join route builds the participant id from this number: it must never repeat.
    numbers = sorted(r.uses for r in results if isinstance(r, InviteToken))
    assert numbers == [1, 2, 3, 4, 5]
