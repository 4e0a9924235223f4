"""Transcript export: SRT, WebVTT and plain text. Pure functions over final segments.

A segment is anything with `seq`, `text`, `started_at` and `ended_at`: a stored
TranscriptSegment (datetimes) or a final `Caption` (stream seconds). Cues are written in
`seq` order. Cue times are measured from `origin`: by default the first segment's start, so
a transcript starts at 00:00:00; pass ``origin=0.0`` to keep stream seconds as they are
(what `captions check` shows), or a datetime such as the session's start. Times before the
origin become zero, and an end before its start is raised to the start.

SRT and WebVTT cues follow broadcast subtitle conventions:
- at most `MAX_LINES` (2) lines of at most `MAX_LINE_CHARS` (42) characters, wrapped at
  spaces (a single longer word keeps its own line); a longer segment becomes several cues,
  its time shared in proportion to their length;
- times never go back: a cue starts no earlier than the one before it, and a cue ends no
  later than the next one starts, so cues never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

Moment = float | datetime


class TranscriptLike(Protocol):
    """What the exporters read from a segment."""

    @property
    def seq(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def started_at(self) -> Moment: ...

    @property
    def ended_at(self) -> Moment: ...


def _seconds_since(moment: Moment, origin: Moment) -> float:
    if isinstance(moment, datetime) and isinstance(origin, datetime):
        return max(0.0, (moment - origin).total_seconds())
    if isinstance(moment, datetime) or isinstance(origin, datetime):
        raise TypeError("segment times and origin must both be datetimes or both be seconds")
    return max(0.0, float(moment) - float(origin))


def format_timestamp(seconds: float, *, decimal: str = ".") -> str:
    """`HH:MM:SS.mmm` (WebVTT) or, with ``decimal=","``, `HH:MM:SS,mmm` (SRT)."""
    millis = round(max(seconds, 0.0) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


MAX_LINE_CHARS = 42
MAX_LINES = 2


def _segments(
    segments: Iterable[TranscriptLike], origin: Moment | None
) -> list[tuple[float, float, str]]:
    """(start, end, text) per segment in `seq` order, times in seconds from the origin."""
    ordered: Sequence[TranscriptLike] = sorted(segments, key=lambda segment: segment.seq)
    if not ordered:
        return []
    base = ordered[0].started_at if origin is None else origin
    rows = []
    for segment in ordered:
        text = " ".join(segment.text.split())
        if not text:
            continue
        start = _seconds_since(segment.started_at, base)
        end = max(start, _seconds_since(segment.ended_at, base))
        rows.append((start, end, text))
    return rows


def wrap_lines(text: str, width: int = MAX_LINE_CHARS) -> list[str]:
    """Words into lines of at most `width` characters, breaking only at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _cues(
    segments: Iterable[TranscriptLike], origin: Moment | None
) -> list[tuple[float, float, str]]:
    """Subtitle cues: ≤ 2 lines × 42 characters, monotonic, never overlapping."""
    cues: list[tuple[float, float, str]] = []
    for start, end, text in _segments(segments, origin):
        lines = wrap_lines(text)
        blocks = [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]
        total = sum(len(" ".join(block)) for block in blocks)
        position = start
        for block in blocks:
            share = (end - start) * len(" ".join(block)) / total
            cues.append((position, position + share, "\n".join(block)))
            position += share
    settled: list[tuple[float, float, str]] = []
    for start, end, text in cues:
        if settled:
            previous_start, previous_end, previous_text = settled[-1]
            start = max(start, previous_start)
            settled[-1] = (previous_start, min(previous_end, start), previous_text)
        settled.append((start, max(end, start), text))
    return settled


def to_srt(segments: Iterable[TranscriptLike], origin: Moment | None = None) -> str:
    """SubRip: numbered cues with `HH:MM:SS,mmm --> HH:MM:SS,mmm` times."""
    blocks = [
        f"{number}\n{format_timestamp(start, decimal=',')} --> "
        f"{format_timestamp(end, decimal=',')}\n{text}\n"
        for number, (start, end, text) in enumerate(_cues(segments, origin), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(segments: Iterable[TranscriptLike], origin: Moment | None = None) -> str:
    """WebVTT: a `WEBVTT` header, then cues with `HH:MM:SS.mmm --> HH:MM:SS.mmm` times."""
    blocks = ["WEBVTT\n"]
    blocks += [
        f"{format_timestamp(start)} --> {format_timestamp(end)}\n{_vtt_escape(text)}\n"
        for start, end, text in _cues(segments, origin)
    ]
    return "\n".join(blocks)


def to_txt(segments: Iterable[TranscriptLike]) -> str:
    """Plain text: one segment per line, in `seq` order, without times."""
    return "".join(f"{text}\n" for _start, _end, text in _segments(segments, None))


def _vtt_escape(text: str) -> str:
    # "-->" would end a cue's text early; & and < start entities and tags in WebVTT.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")
