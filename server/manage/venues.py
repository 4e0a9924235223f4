"""Events, rooms and booths, validated the same way for the CLI, the console and the web admin."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import db
from server.identity import (
    LANGUAGE_NAME_MAX,
    RoomKey,
    validate_display_name,
    validate_event_slug,
    validate_language_code,
    validate_listener_code,
    validate_room_slug,
)
from server.manage.errors import user_errors
from server.mediamtx.floor_source import (
    FloorSource,
    floor_source,
    parse_floor_spec,
    stored_floor_source,
)

if TYPE_CHECKING:
    from db.models import Booth, Event, Room


async def add_event(slug: str, name: str, listener_code: str | None = None) -> Event:
    """Create an event (it gets the room `main`), or raise SetupError."""
    with user_errors():
        event_slug = validate_event_slug(slug)
        display_name = validate_display_name(name, "event name")
        code = validate_listener_code(listener_code)
        return await db.create_event(event_slug, display_name, code)


async def add_room(event: str, slug: str, name: str) -> Room:
    """Add a room to an existing event, or raise SetupError."""
    with user_errors():
        event_slug = validate_event_slug(event)
        room_slug = validate_room_slug(slug)
        display_name = validate_display_name(name, "room name")
        return await db.create_room(event_slug, room_slug, display_name)


async def add_booth(
    booth_room: str, lang: str, language_name: str, transcription: bool = False
) -> Booth:
    """Add a language booth to the room `EVENT/ROOM`, or raise SetupError."""
    with user_errors():
        room = RoomKey.parse(booth_room)
        code = validate_language_code(lang)
        name = validate_display_name(language_name, "language name", LANGUAGE_NAME_MAX)
        return await db.create_booth(room.event, room.slug, code, name, transcription=transcription)


async def set_floor(
    room_key: str, kind: str, value: str = "", *, base: Path | None = None
) -> FloorSource:
    """Set the floor source of the room `EVENT/ROOM` from a kind and its value, or SetupError.

    A relative file path is taken from `base` (the working directory when None).
    """
    with user_errors():
        RoomKey.parse(room_key)  # the room is named first, as the command line has it
        source = floor_source(kind, value, base=base)
    return await store_floor(room_key, source)


async def store_floor(room_key: str, source: FloorSource) -> FloorSource:
    """Set the floor source of `EVENT/ROOM` to one already validated, or raise SetupError."""
    with user_errors():
        room = RoomKey.parse(room_key)
        await db.set_room_floor(room.event, room.slug, source.kind, source.value)
        return source


async def floor_of(room_key: str) -> FloorSource:
    """The floor source of the room `EVENT/ROOM` as stored, or raise SetupError."""
    with user_errors():
        room = RoomKey.parse(room_key)
        record = await db.get_room(room.event, room.slug)
    return stored_floor_source(record.floor_kind, record.floor_value)


async def set_floor_spec(room_key: str, spec: str, *, base: Path | None = None) -> FloorSource:
    """Set the floor source of `EVENT/ROOM` from a spec like `device:alsa:hw:1,0`."""
    with user_errors():
        source = parse_floor_spec(spec, base=base)
    return await set_floor(room_key, source.kind, source.value, base=base)
