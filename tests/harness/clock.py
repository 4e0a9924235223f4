"""The one fake clock of the test suite."""

from __future__ import annotations

import asyncio
import time

FROZEN_NOW = 1_790_000_000.0
"""A fixed instant for tests whose output shows times (screens, snapshots): nothing moves."""


class FakeClock:
    """Time that moves only when the test says so; callable like `time.time`.

    Without `start` it begins at the real current time: tokens stamped by this clock are then
    checked against real time elsewhere (cookies, JWT expiry) without surprises.
    """

    def __init__(self, start: float | None = None) -> None:
        """Begin at `start` (seconds since the epoch), or at the real time now."""
        self.now = time.time() if start is None else float(start)
        self.waits: list[float] = []
        """Every `sleep` asked for, in order (the supervisor's backoff waits, for one)."""
        self._held = False

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds`; returns the new time."""
        self.now += seconds
        return self.now

    def hold(self) -> None:
        """From now on a `sleep` lasts until its task is cancelled: nothing after it happens."""
        self._held = True

    async def sleep(self, seconds: float) -> None:
        """An injectable `asyncio.sleep`: records the wait, moves time on and returns at once
        (or, after `hold()`, waits until cancelled)."""
        self.waits.append(seconds)
        self.now += seconds
        if self._held:
            await asyncio.Event().wait()
        await asyncio.sleep(0)
