"""The one fake clock of the test suite."""

from __future__ import annotations

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

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds`; returns the new time."""
        self.now += seconds
        return self.now
