"""The per-connection token bucket, driven by a fake clock."""

from __future__ import annotations

from server.ws.connection import TokenBucket


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refuses() -> None:
    bucket = TokenBucket(rate=20, burst=40, clock=Ticks())
    allowed = [bucket.take() for _ in range(41)]
    assert allowed == [True] * 40 + [False]


def test_bucket_refills_at_its_rate() -> None:
    clock = Ticks()
    bucket = TokenBucket(rate=20, burst=40, clock=clock)
    for _ in range(40):
        bucket.take()
    clock.now += 0.5
    allowed = [bucket.take() for _ in range(11)]
    assert allowed == [True] * 10 + [False]
