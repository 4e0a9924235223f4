"""The on-air log of a booth as interpreters are paid by it: spans, per-person and booth totals.

Pure: spans in, totals out. A span still open is counted up to `now`, which the caller passes, so
the figures of a live booth grow while the page is reloaded and tests can fix the moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class SpanLike(Protocol):
    """What the log reads from a stored OnAirSpan."""

    @property
    def participant_id(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def started_at(self) -> datetime: ...

    @property
    def ended_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class LogRow:
    """One stretch on the mic."""

    participant_id: str
    display_name: str
    started_at: datetime
    ended_at: datetime | None
    duration: timedelta

    @property
    def on_air(self) -> bool:
        """True while this stretch has not ended."""
        return self.ended_at is None


@dataclass(frozen=True)
class PersonTotal:
    """Everything one interpreter did in the booth."""

    participant_id: str
    display_name: str
    spans: int
    total: timedelta


@dataclass(frozen=True)
class OnAirLog:
    """A booth's log: rows oldest first, totals per person (most time first) and overall."""

    rows: tuple[LogRow, ...]
    people: tuple[PersonTotal, ...]
    total: timedelta


def summarise_spans(spans: Iterable[SpanLike], now: datetime) -> OnAirLog:
    """Rows and totals of the given spans; an open span runs until `now`."""
    rows = []
    for span in sorted(spans, key=lambda s: s.started_at):
        end = span.ended_at if span.ended_at is not None else now
        duration = max(end - span.started_at, timedelta(0))
        rows.append(
            LogRow(span.participant_id, span.display_name, span.started_at, span.ended_at, duration)
        )
    by_person: dict[str, PersonTotal] = {}
    for row in rows:
        before = by_person.get(row.participant_id)
        by_person[row.participant_id] = PersonTotal(
            participant_id=row.participant_id,
            # The newest name wins: people fix typos in their display name between shifts.
            display_name=row.display_name,
            spans=(before.spans if before else 0) + 1,
            total=(before.total if before else timedelta(0)) + row.duration,
        )
    people = sorted(by_person.values(), key=lambda p: (-p.total, p.display_name.lower()))
    total = sum((row.duration for row in rows), timedelta(0))
    return OnAirLog(tuple(rows), tuple(people), total)


def format_duration(duration: timedelta) -> str:
    """`H:MM:SS`, hours unbounded: what a pay sheet shows."""
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
