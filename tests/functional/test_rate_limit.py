"""FailureLimiter: a sliding window per key, driven by a fake clock."""

from __future__ import annotations

from server.auth.rate_limit import FailureLimiter, retry_after_header
from tests.harness.clock import FakeClock


def limiter(clock: FakeClock, max_keys: int = 100) -> FailureLimiter:
    """Three failures in sixty seconds block a key."""
    return FailureLimiter(max_failures=3, window_seconds=60, clock=clock, max_keys=max_keys)


def test_a_key_below_the_limit_may_try_at_once() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    limits.record_failure("a")
    limits.record_failure("a")
    assert limits.retry_after("a") == 0


def test_a_key_at_the_limit_waits_until_its_oldest_failure_leaves_the_window() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    for _ in range(3):
        limits.record_failure("a")
        clock.advance(10)
    assert limits.retry_after("a") == 30  # first failure at 1000, window 60, now 1030


def test_the_block_lifts_when_the_window_has_passed() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    for _ in range(3):
        limits.record_failure("a")
    clock.advance(60)
    assert limits.retry_after("a") == 0


def test_keys_are_counted_separately() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    for _ in range(3):
        limits.record_failure("a")
    assert limits.retry_after("b") == 0


def test_the_longest_wait_among_keys_counts() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    for _ in range(3):
        limits.record_failure("a")
    clock.advance(20)
    for _ in range(3):
        limits.record_failure("b")
    assert limits.retry_after_any(["a", "b", "c"]) == 60


def test_reset_forgets_a_key() -> None:
    clock = FakeClock(1000)
    limits = limiter(clock)
    for _ in range(3):
        limits.record_failure("a")
    limits.reset("a")
    assert limits.retry_after("a") == 0


def test_the_number_of_tracked_keys_is_capped() -> None:
    limits = limiter(FakeClock(1000), max_keys=10)
    for n in range(50):
        limits.record_failure(f"account:{n}")
    assert limits.tracked_keys() == 10


def test_retry_after_header_rounds_up_to_whole_seconds() -> None:
    assert retry_after_header(0.2) == "1"
    assert retry_after_header(41.5) == "42"
