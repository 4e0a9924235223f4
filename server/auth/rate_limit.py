"""Failure counting for logins and listener codes: pure, with an injected clock.

A key (a client address, an account) is blocked once it has `max_failures` failures inside the
sliding `window_seconds`; it is free again when the oldest of those failures leaves the window.
Keys are kept only while they have recent failures, and their number is capped, so a flood of
made-up accounts cannot grow memory without bound.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

DEFAULT_MAX_KEYS = 50_000


class FailureLimiter:
    """Counts failures per key in a sliding window and says how long a key must wait."""

    def __init__(
        self,
        *,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float],
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("max_failures must be at least 1 and window_seconds positive")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        # Oldest-touched keys first, so the cap evicts the stalest ones.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str) -> float:
        """Seconds `key` must wait before its next attempt; 0 when it may try now."""
        now = self._clock()
        times = self._recent(key, now)
        if times is None or len(times) < self.max_failures:
            return 0.0
        # The attempt is allowed again when enough failures have aged out of the window.
        unblocking = times[len(times) - self.max_failures]
        return max(0.0, unblocking + self.window_seconds - now)

    def retry_after_any(self, keys: Iterable[str]) -> float:
        """The longest wait among `keys`; 0 when none of them is blocked."""
        return max((self.retry_after(key) for key in keys), default=0.0)

    def record_failure(self, *keys: str) -> None:
        """Count one failure against each key."""
        now = self._clock()
        for key in keys:
            times = self._recent(key, now) or deque()
            times.append(now)
            # Only the newest max_failures matter for blocking; older ones need not be kept.
            while len(times) > self.max_failures:
                times.popleft()
            self._failures[key] = times
            self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def try_reserve(self, *keys: str) -> float:
        """Count one attempt against every key now, unless one of them is blocked.

        Returns 0 when the attempt was counted, else the seconds to wait (nothing counted).
        Checking and counting happen in one step, with no await in between, so concurrent
        requests cannot all pass the check before any of them is counted; a request that then
        succeeds gives its attempt back with `release`.
        """
        wait = self.retry_after_any(keys)
        if wait == 0:
            self.record_failure(*keys)
        return wait

    def release(self, *keys: str) -> None:
        """Give back one reserved attempt of each key: the attempt turned out to be good."""
        for key in keys:
            times = self._failures.get(key)
            if times:
                times.pop()
            if not times:
                self._failures.pop(key, None)

    def reset(self, *keys: str) -> None:
        """Forget the failures of these keys (after a successful login)."""
        for key in keys:
            self._failures.pop(key, None)

    def tracked_keys(self) -> int:
        """How many keys currently have failures on record."""
        return len(self._failures)


def retry_after_header(seconds: float) -> str:
    """The Retry-After value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
