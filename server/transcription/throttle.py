"""Coalesce partial captions so a listener gets at most a few updates a second.

Pure and clock-driven: the caller passes the time. A partial that comes too soon after the
last one is held, and replaced by any newer partial; a final or clear drops it, because
the final carries the same words and it must not arrive after the final it precedes.
"""

from __future__ import annotations

from server.transcription.aggregator import Caption


class PartialThrottle:
    """Lets through at most one partial per `min_interval_seconds`; finals always pass."""

    def __init__(self, min_interval_seconds: float = 0.25) -> None:
        self.min_interval_seconds = min_interval_seconds
        self._last_partial_at: float | None = None
        self._held: Caption | None = None

    def offer(self, caption: Caption, now: float) -> list[Caption]:
        """Captions to send now for `caption` (it may be held back if it is a partial)."""
        if caption.status != "partial":
            self._held = None
            return [caption]
        if (
            self._last_partial_at is None
            or now - self._last_partial_at >= self.min_interval_seconds
        ):
            self._held = None
            self._last_partial_at = now
            return [caption]
        self._held = caption
        return []

    def due(self, now: float) -> list[Caption]:
        """The held partial, once its turn has come."""
        if self._held is None or self._last_partial_at is None:
            return []
        if now - self._last_partial_at < self.min_interval_seconds:
            return []
        held, self._held = self._held, None
        self._last_partial_at = now
        return [held]

    def drop(self) -> None:
        """Forget a held partial (the stream is stopping)."""
        self._held = None
