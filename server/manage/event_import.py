"""`event import`: an event with its rooms and booths from one TOML document, all or nothing.

Everything is validated first, into a plan of plain values; only a valid plan touches the
database, and then inside one transaction, so one bad booth leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import db
from db.venues import MAIN_ROOM_SLUG
from server.identity import (
    LANGUAGE_NAME_MAX,
    validate_display_name,
    validate_event_slug,
    validate_language_code,
    validate_listener_code,
    validate_room_slug,
)
from server.manage.errors import SetupError, user_errors
from server.mediamtx.floor_source import NO_SOURCE, FloorSource, parse_floor_spec

if TYPE_CHECKING:
    from db.models import Event

EVENT_KEYS = {"slug", "name", "listener_code"}
ROOM_KEYS = {"slug", "name", "floor", "booths"}
BOOTH_KEYS = {"lang", "name", "transcription"}


@dataclass(frozen=True)
class BoothPlan:
    """A booth to create."""

    lang: str
    name: str
    transcription: bool


@dataclass(frozen=True)
class RoomPlan:
    """A room to create (or, for `main`, to name) with its booths."""

    slug: str
    name: str
    booths: tuple[BoothPlan, ...]
    floor: FloorSource = NO_SOURCE


@dataclass(frozen=True)
class EventPlan:
    """A whole validated import."""

    slug: str
    name: str
    listener_code: str | None
    rooms: tuple[RoomPlan, ...]


def _table(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SetupError(f"{where} must be a table")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise SetupError(f"{where}: unknown key '{unknown[0]}'; expected {', '.join(sorted(keys))}")
    return value


def _required(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise SetupError(f"{where}: '{key}' is missing")
    return table[key]


def _booth(raw: Any, where: str) -> BoothPlan:
    table = _table(raw, where, BOOTH_KEYS)
    with user_errors(f"{where}: "):
        lang = validate_language_code(_required(table, "lang", where))
        name = validate_display_name(
            _required(table, "name", where), "language name", LANGUAGE_NAME_MAX
        )
    transcription = table.get("transcription", False)
    if not isinstance(transcription, bool):
        raise SetupError(f"{where}: transcription must be true or false")
    return BoothPlan(lang, name, transcription)


def _room(raw: Any, where: str, base: Path | None) -> RoomPlan:
    table = _table(raw, where, ROOM_KEYS)
    with user_errors(f"{where}: "):
        slug = validate_room_slug(_required(table, "slug", where))
        name = validate_display_name(_required(table, "name", where), "room name")
        floor = parse_floor_spec(table["floor"], base=base) if "floor" in table else NO_SOURCE
    booths_raw = table.get("booths", [])
    if not isinstance(booths_raw, list):
        raise SetupError(f"{where}: booths must be a list of tables")
    booths = tuple(_booth(b, f"{where}.booths[{i}]") for i, b in enumerate(booths_raw, 1))
    seen: set[str] = set()
    for booth in booths:
        if booth.lang in seen:
            raise SetupError(f"{where}: language '{booth.lang}' appears twice")
        seen.add(booth.lang)
    return RoomPlan(slug, name, booths, floor)


def plan_event_import(data: dict[str, Any], *, base: Path | None = None) -> EventPlan:
    """Validate a parsed import document into a plan, or raise SetupError naming the place.

    A relative `floor = "file:…"` is taken from `base`, the import file's folder.
    """
    _table(data, "the file", {"event", "rooms"})
    event = _table(_required(data, "event", "the file"), "[event]", EVENT_KEYS)
    with user_errors("[event]: "):
        slug = validate_event_slug(_required(event, "slug", "[event]"))
        name = validate_display_name(_required(event, "name", "[event]"), "event name")
        code = validate_listener_code(event.get("listener_code"))
    rooms_raw = data.get("rooms", [])
    if not isinstance(rooms_raw, list):
        raise SetupError("rooms must be written as [[rooms]] tables")
    rooms = tuple(_room(r, f"rooms[{i}]", base) for i, r in enumerate(rooms_raw, 1))
    seen: set[str] = set()
    for room in rooms:
        if room.slug in seen:
            raise SetupError(f"rooms: room '{room.slug}' appears twice")
        seen.add(room.slug)
    return EventPlan(slug, name, code, rooms)


async def import_event(data: dict[str, Any], *, base: Path | None = None) -> Event:
    """Create an event with its rooms and booths from a parsed TOML document, all or nothing.

    The event gets its room `main` like every new event; a `main` room in the file names it.
    """
    plan = plan_event_import(data, base=base)
    with user_errors():
        async with db.transaction():
            event = await db.create_event(plan.slug, plan.name, plan.listener_code)
            for room in plan.rooms:
                if room.slug == MAIN_ROOM_SLUG:
                    await db.update_room(plan.slug, room.slug, room.name)
                else:
                    await db.create_room(plan.slug, room.slug, room.name)
                if room.floor.kind != NO_SOURCE.kind:
                    await db.set_room_floor(plan.slug, room.slug, room.floor.kind, room.floor.value)
                for booth in room.booths:
                    await db.create_booth(
                        plan.slug,
                        room.slug,
                        booth.lang,
                        booth.name,
                        transcription=booth.transcription,
                    )
    return event
