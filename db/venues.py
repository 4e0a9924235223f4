"""Events, rooms and booths: the venue's structure."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from db.errors import AlreadyExists, NotFound
from db.models import Booth, Event, Room

MAIN_ROOM_SLUG = "main"
MAIN_ROOM_NAME = "Main room"


async def create_event(
    slug: str, display_name: str, listener_code: str | None = None, *, main_room: bool = True
) -> Event:
    """Create an event; unless told otherwise it gets the room `main` at once."""
    if await Event.exists(slug=slug):
        raise AlreadyExists(f"event '{slug}' already exists")
    try:
        async with in_transaction():
            event = await Event.create(
                slug=slug, display_name=display_name, listener_code=listener_code or None
            )
            if main_room:
                await Room.create(event=event, slug=MAIN_ROOM_SLUG, display_name=MAIN_ROOM_NAME)
    except IntegrityError as exc:
        raise AlreadyExists(f"event '{slug}' already exists") from exc
    return event


async def get_event(slug: str) -> Event:
    """The event with this slug, or NotFound."""
    event = await Event.get_or_none(slug=slug)
    if event is None:
        raise NotFound(f"no event '{slug}'")
    return event


async def list_events() -> list[Event]:
    """Every event, oldest first."""
    return await Event.all().order_by("created_at", "id")


async def update_event(
    slug: str, *, display_name: str | None = None, listener_code: str | None = None
) -> Event:
    """Change an event's name or listener code ("" removes the code). Slugs never change."""
    event = await get_event(slug)
    if display_name is not None:
        event.display_name = display_name
    if listener_code is not None:
        event.listener_code = listener_code or None
    await event.save()
    return event


async def delete_event(slug: str) -> None:
    """Delete an event with its rooms, booths, invites, chat, spans and transcripts."""
    event = await get_event(slug)
    await event.delete()


async def create_room(event_slug: str, slug: str, display_name: str) -> Room:
    """Add a room to an event."""
    event = await get_event(event_slug)
    if await Room.exists(event=event, slug=slug):
        raise AlreadyExists(f"room '{event_slug}/{slug}' already exists")
    try:
        return await Room.create(event=event, slug=slug, display_name=display_name)
    except IntegrityError as exc:
        raise AlreadyExists(f"room '{event_slug}/{slug}' already exists") from exc


async def get_room(event_slug: str, slug: str) -> Room:
    """The room `slug` of event `event_slug`, with its event loaded."""
    room = await Room.get_or_none(event__slug=event_slug, slug=slug).prefetch_related("event")
    if room is None:
        raise NotFound(f"no room '{event_slug}/{slug}'")
    return room


async def list_rooms(event_slug: str) -> list[Room]:
    """The rooms of an event, oldest first."""
    return await Room.filter(event__slug=event_slug).order_by("created_at", "id")


async def list_all_rooms() -> list[Room]:
    """Every room of every event, with its event loaded, in one query.

    The change watcher's subscribers (room directory, media paths, floors) read this after
    every change, so it must not cost a query per event.
    """
    return await Room.all().select_related("event").order_by("event_id", "created_at", "id")


async def update_room(event_slug: str, slug: str, display_name: str) -> Room:
    """Rename a room."""
    room = await get_room(event_slug, slug)
    room.display_name = display_name
    await room.save()
    return room


async def set_room_floor(event_slug: str, slug: str, kind: str, value: str = "") -> Room:
    """Set what feeds a room's floor channel (validated by the caller: server/mediamtx/floor_source.py)."""
    room = await get_room(event_slug, slug)
    room.floor_kind = kind
    room.floor_value = value
    await room.save(update_fields=["floor_kind", "floor_value"])
    return room


async def delete_room(event_slug: str, slug: str) -> None:
    """Delete a room with its booths and everything that hangs off them."""
    room = await get_room(event_slug, slug)
    await room.delete()


def booth_path(event_slug: str, room_slug: str, language_code: str) -> str:
    """The booth id, which is also the MediaMTX path name."""
    return f"{event_slug}/{room_slug}/{language_code}"


async def create_booth(
    event_slug: str,
    room_slug: str,
    language_code: str,
    language_name: str,
    *,
    transcription: bool = False,
) -> Booth:
    """Add a language booth to a room."""
    room = await get_room(event_slug, room_slug)
    path = booth_path(event_slug, room_slug, language_code)
    if await Booth.exists(path=path):
        raise AlreadyExists(f"booth '{path}' already exists")
    try:
        return await Booth.create(
            room=room,
            path=path,
            language_code=language_code,
            language_name=language_name,
            transcription=transcription,
        )
    except IntegrityError as exc:
        raise AlreadyExists(f"booth '{path}' already exists") from exc


async def get_booth(booth_id: str) -> Booth:
    """The booth with this id (`event/room/lang`), with its room and event loaded."""
    booth = await Booth.get_or_none(path=booth_id).prefetch_related("room__event")
    if booth is None:
        raise NotFound(f"no booth '{booth_id}'")
    return booth


async def list_booths(event_slug: str | None = None, room_slug: str | None = None) -> list[Booth]:
    """Booths, optionally of one event or one room, in creation order, rooms and events loaded,
    in one query."""
    query = Booth.all()
    if event_slug is not None:
        query = query.filter(room__event__slug=event_slug)
    if room_slug is not None:
        query = query.filter(room__slug=room_slug)
    return await query.order_by("room_id", "created_at", "id").select_related("room__event")


async def update_booth(
    booth_id: str, *, language_name: str | None = None, transcription: bool | None = None
) -> Booth:
    """Change a booth's language name or whether it is captioned."""
    booth = await get_booth(booth_id)
    if language_name is not None:
        booth.language_name = language_name
    if transcription is not None:
        booth.transcription = transcription
    await booth.save()
    return booth


async def delete_booth(booth_id: str) -> None:
    """Delete a booth with its invites, chat, spans and transcripts."""
    booth = await get_booth(booth_id)
    await booth.delete()
