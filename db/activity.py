"""What happens in a booth: chat, on-air spans and transcript segments."""

from __future__ import annotations

from datetime import datetime

from db.connection import utcnow
from db.errors import NotFound
from db.models import Booth, ChatMessage, OnAirSpan, TranscriptSegment

CHAT_HISTORY = 100


async def _booth(booth_id: str) -> Booth:
    booth = await Booth.get_or_none(path=booth_id)
    if booth is None:
        raise NotFound(f"no booth '{booth_id}'")
    return booth


async def append_chat(
    booth_id: str, sender_id: str, sender_name: str, body: str, *, sent_at: datetime | None = None
) -> ChatMessage:
    """Store one chat message of a booth."""
    booth = await _booth(booth_id)
    return await ChatMessage.create(
        booth=booth,
        sender_id=sender_id,
        sender_name=sender_name,
        body=body,
        sent_at=sent_at or utcnow(),
    )


async def recent_chat(booth_id: str, limit: int = CHAT_HISTORY) -> list[ChatMessage]:
    """The last `limit` messages of a booth, oldest first."""
    newest = await ChatMessage.filter(booth__path=booth_id).order_by("-sent_at", "-id").limit(limit)
    return list(reversed(newest))


async def open_span(
    booth_id: str, participant_id: str, display_name: str, started_at: datetime
) -> OnAirSpan:
    """Record that an interpreter went on air."""
    booth = await _booth(booth_id)
    return await OnAirSpan.create(
        booth=booth,
        participant_id=participant_id,
        display_name=display_name,
        started_at=started_at,
    )


async def close_span(booth_id: str, participant_id: str, ended_at: datetime) -> int:
    """Close the open span(s) of this interpreter in this booth; returns how many were closed."""
    return await OnAirSpan.filter(
        booth__path=booth_id, participant_id=participant_id, ended_at__isnull=True
    ).update(ended_at=ended_at)


async def open_spans() -> list[OnAirSpan]:
    """Spans still open, e.g. after a restart; booths loaded."""
    return await OnAirSpan.filter(ended_at__isnull=True).prefetch_related("booth")


async def recent_spans(booth_id: str, limit: int) -> list[OnAirSpan]:
    """The last `limit` on-air spans of a booth, oldest first, in one query."""
    newest = (
        await OnAirSpan.filter(booth__path=booth_id).order_by("-started_at", "-id").limit(limit)
    )
    return list(reversed(newest))


async def list_spans(
    booth_id: str, *, since: datetime | None = None, until: datetime | None = None
) -> list[OnAirSpan]:
    """The on-air log of a booth, oldest first."""
    query = OnAirSpan.filter(booth__path=booth_id)
    if since is not None:
        query = query.filter(started_at__gte=since)
    if until is not None:
        query = query.filter(started_at__lt=until)
    return await query.order_by("started_at", "id")


async def add_transcript_segment(
    booth_id: str, seq: int, text: str, started_at: datetime, ended_at: datetime
) -> TranscriptSegment:
    """Store one final caption."""
    booth = await _booth(booth_id)
    return await TranscriptSegment.create(
        booth=booth, seq=seq, text=text, started_at=started_at, ended_at=ended_at
    )


async def last_transcript_seq() -> int:
    """The highest caption `seq` stored for any booth, or 0 when there is none."""
    newest = await TranscriptSegment.all().order_by("-seq").first()
    return newest.seq if newest is not None else 0


async def list_transcript(booth_id: str) -> list[TranscriptSegment]:
    """A booth's transcript in spoken order."""
    return await TranscriptSegment.filter(booth__path=booth_id).order_by("started_at", "seq")


async def recent_transcript(booth_id: str, limit: int) -> list[TranscriptSegment]:
    """The last `limit` transcript segments of a booth in spoken order, in one query."""
    newest = (
        await TranscriptSegment.filter(booth__path=booth_id)
        .order_by("-started_at", "-seq")
        .limit(limit)
    )
    return list(reversed(newest))
