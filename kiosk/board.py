"""What the dashboard shows, computed from booth snapshots: rows, alerts and coalescing.

Plain Python with no Textual: the booth runtime subscriber only records the newest snapshot of a
booth and marks it dirty; a timer in the app drains the dirty set at most ten times a second,
so a burst of changes to one booth costs one repaint.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from server.booth.models import (
    HANDOVER_OFFERED,
    HANDOVER_REQUESTED,
    MEDIA_NO_SERVER,
    Alert,
    BoothChange,
    BoothSnapshot,
)
from server.identity import BoothId, Role

MEDIAMTX_DOWN_STATES = frozenset({"stopped", "missing"})
RECENT_ALERTS = 5

# What the On air column adds after the name while someone has the mic but is not on air.
MEDIA_WORDS = {"no-server": "no media server", "not-sending": "not sending"}


@dataclass(frozen=True)
class BoothRow:
    """One dashboard row: every cell already formatted as text."""

    booth_id: str
    room: str
    language: str
    on_air: str
    time_on_mic: str
    over_shift: bool
    handover: str
    muted: str
    ingest: str
    listeners: str
    captions: str


@dataclass(frozen=True)
class ConsoleAlert:
    """A problem the technician should see now, derived from state or raised by the registry."""

    booth_id: str
    kind: str
    message: str


def room_of(booth_id: str) -> str:
    """`event/room` of a booth id."""
    return BoothId.of(booth_id).room.path


def event_of(booth_id: str) -> str:
    """The event slug of a booth id."""
    return BoothId.of(booth_id).event


def participant_name(snapshot: BoothSnapshot, participant_id: str | None) -> str:
    """Display name of a participant in a snapshot, or the id when they are not listed."""
    if participant_id is None:
        return ""
    participant = snapshot.participant(participant_id)
    return participant_id if participant is None else participant.display_name


def format_duration(seconds: float) -> str:
    """`h:mm:ss` or `m:ss`, never negative."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def handover_text(snapshot: BoothSnapshot) -> str:
    """`offered A → B`, `requested by B`, or an empty string when idle."""
    handover = snapshot.handover
    if handover.state == HANDOVER_OFFERED:
        target = participant_name(snapshot, handover.to_id) or "anyone"
        return f"offered {participant_name(snapshot, handover.from_id)} → {target}"
    if handover.state == HANDOVER_REQUESTED:
        return f"requested by {participant_name(snapshot, handover.from_id)}"
    return ""


def captions_text(snapshot: BoothSnapshot, transcribing: bool) -> str:
    """`live` while captions run, `on` for a booth marked for captions, else `off`."""
    if not snapshot.transcription:
        return "off"
    return "live" if transcribing else "on"


def booth_row(
    snapshot: BoothSnapshot, now: float, shift_minutes: int, transcribing: bool = False
) -> BoothRow:
    """Format one booth's snapshot for the dashboard at time `now`.

    `transcribing` says whether the booth's live captions are running (from /healthz).
    """
    active = snapshot.active_id
    on_mic = 0.0
    if active is not None and snapshot.on_air_since is not None:
        on_mic = now - snapshot.on_air_since
    name = participant_name(snapshot, active)
    if active is not None and not _connected(snapshot, active):
        name += " (lost)"
    elif active is not None and not snapshot.on_air and snapshot.media in MEDIA_WORDS:
        # "On air" only when the stream arrives; otherwise the row says what is wrong.
        name += f" ({MEDIA_WORDS[snapshot.media]})"
    return BoothRow(
        booth_id=snapshot.booth_id,
        room=room_of(snapshot.booth_id),
        language=f"{snapshot.language_code} {snapshot.language_name}",
        on_air=name or "—",
        time_on_mic=format_duration(on_mic) if active is not None else "",
        over_shift=active is not None and on_mic >= shift_minutes * 60,
        handover=handover_text(snapshot),
        muted="muted" if snapshot.muted else "",
        ingest=ingest_text(snapshot),
        listeners=str(snapshot.listeners),
        captions=captions_text(snapshot, transcribing),
    )


def ingest_text(snapshot: BoothSnapshot) -> str:
    """The Ingest column: is the booth's stream arriving in MediaMTX?"""
    if snapshot.media == MEDIA_NO_SERVER:
        return "no server"
    return "online" if snapshot.ingest else "off"


def _connected(snapshot: BoothSnapshot, participant_id: str) -> bool:
    participant = snapshot.participant(participant_id)
    return participant is not None and participant.connected


def state_alerts(snapshot: BoothSnapshot) -> list[ConsoleAlert]:
    """Alerts that hold while the booth is in this state (they clear when it recovers)."""
    booth_id = snapshot.booth_id
    active = snapshot.active_id
    alerts: list[ConsoleAlert] = []
    if active is not None and not _connected(snapshot, active):
        name = participant_name(snapshot, active)
        alerts.append(ConsoleAlert(booth_id, "disconnected", f"{name} (on air) disconnected"))
    interpreters = [p for p in snapshot.participants if p.role == Role.INTERPRETER and p.connected]
    if not interpreters and active is None:
        alerts.append(ConsoleAlert(booth_id, "empty", "nobody in the booth"))
    if active is not None and not snapshot.on_air:
        if snapshot.media == MEDIA_NO_SERVER:
            alerts.append(ConsoleAlert(booth_id, "publisher", "no media server: nobody hears it"))
        else:
            alerts.append(ConsoleAlert(booth_id, "publisher", "not sending: no stream arrives"))
    return alerts


class BoothBoard:
    """The newest snapshot of every booth, which booths changed, and the recent event alerts."""

    def __init__(self) -> None:
        """Start empty: nothing known, nothing dirty."""
        self._snapshots: dict[str, BoothSnapshot] = {}
        self._dirty: set[str] = set()
        self._removed: set[str] = set()
        self.recent_alerts: deque[Alert] = deque(maxlen=RECENT_ALERTS)
        self.changes_seen = 0

    def load(self, snapshots: Iterable[BoothSnapshot]) -> None:
        """Take a full set of snapshots (at start-up or after a resync); all become dirty."""
        for snapshot in snapshots:
            self._snapshots[snapshot.booth_id] = snapshot
            self._dirty.add(snapshot.booth_id)

    def record(self, change: BoothChange, still_exists: bool = True) -> None:
        """Registry subscriber body: keep the newest snapshot and mark the booth dirty."""
        self.changes_seen += 1
        if still_exists:
            self._snapshots[change.booth_id] = change.snapshot
            self._removed.discard(change.booth_id)
        else:
            self._snapshots.pop(change.booth_id, None)
            self._removed.add(change.booth_id)
        self._dirty.add(change.booth_id)
        for effect in change.effects:
            if isinstance(effect, Alert):
                self.recent_alerts.append(effect)

    @property
    def dirty(self) -> bool:
        """True when some booth changed since the last drain."""
        return bool(self._dirty)

    def drain(self) -> tuple[set[str], set[str]]:
        """The booths changed and removed since the last call; both sets are reset."""
        changed, removed = self._dirty - self._removed, set(self._removed)
        self._dirty.clear()
        self._removed.clear()
        return changed, removed

    def snapshot(self, booth_id: str) -> BoothSnapshot | None:
        """The newest snapshot of one booth, if known."""
        return self._snapshots.get(booth_id)

    def booth_ids(self, event: str | None = None) -> list[str]:
        """Known booths (of one event), grouped by room in the order they were first seen."""
        ids = [bid for bid in self._snapshots if event is None or event_of(bid) == event]
        rooms: dict[str, list[str]] = {}
        for bid in ids:
            rooms.setdefault(room_of(bid), []).append(bid)
        return [bid for group in rooms.values() for bid in group]

    def events(self) -> list[str]:
        """Event slugs that have booths, in first-seen order."""
        return list(dict.fromkeys(event_of(bid) for bid in self._snapshots))

    def alerts(self, event: str | None, mediamtx_state: str) -> list[ConsoleAlert]:
        """Every alert holding now for one event, MediaMTX first."""
        alerts: list[ConsoleAlert] = []
        if mediamtx_state in MEDIAMTX_DOWN_STATES:
            alerts.append(ConsoleAlert("", "mediamtx", f"MediaMTX {mediamtx_state}"))
        for bid in self.booth_ids(event):
            alerts.extend(state_alerts(self._snapshots[bid]))
        return alerts
