"""Identity rules and names: slugs, language codes, rooms, booth ids and floor channels
(docs/design.md §2).

Every function normalises (strips, lowercases) and then validates; a bad value raises a
ValueError whose message names the rule it broke, so the CLI, the forms and the console can show
it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 40
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
LANGUAGE_MAX = 16
FLOOR = "floor"
NAME_MAX = 200
LANGUAGE_NAME_MAX = 100  # the column's width
EMAIL_MAX = 254
EMAIL_RE = re.compile(r"^[^@\s]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
LISTENER_CODE_RE = re.compile(r"^[a-z0-9]{4,32}$")


class Role(StrEnum):
    """The four kinds of people the kiosk serves.

    A StrEnum, so a role is its own wire and database form: frames, tokens and rows carry the
    plain word, and a word read back from them compares equal to the member.
    """

    ADMIN = "admin"
    TECHNICIAN = "technician"
    INTERPRETER = "interpreter"
    LISTENER = "listener"


BOOTH_ROLES = frozenset({Role.INTERPRETER, Role.TECHNICIAN, Role.ADMIN})
"""Who can be a participant of a booth (a listener only listens)."""
CONTROLLER_ROLES = frozenset({Role.TECHNICIAN, Role.ADMIN})
"""Who runs a booth from the console: set anyone active, mute, cancel a handover."""
MEDIA_ROLES = frozenset({Role.INTERPRETER, Role.TECHNICIAN})
"""The roles a booth token carries (an admin's token says technician)."""
INVITE_ROLES = (Role.INTERPRETER, Role.TECHNICIAN)
"""The roles an invite or an event membership gives, in the order forms offer them."""

SLUG_RULE = (
    "lowercase letters and digits in groups joined by single hyphens "
    f"(like 'pycon2026' or 'hall-b'), at most {SLUG_MAX} characters"
)
LANGUAGE_RULE = (
    "2 or 3 lowercase letters, optionally followed by '-' subtags of 2 to 8 letters or digits "
    f"(like 'en' or 'pt-br'), at most {LANGUAGE_MAX} characters"
)


def _normalise(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    return value.strip().lower()


def validate_slug(value: object, what: str = "slug") -> str:
    """Return the normalised slug, or raise ValueError naming the slug rule."""
    slug = _normalise(value, what)
    if not slug:
        raise ValueError(f"{what} is empty; it must be {SLUG_RULE}")
    if len(slug) > SLUG_MAX:
        raise ValueError(f"{what} '{slug}' is too long; it must be {SLUG_RULE}")
    if not SLUG_RE.match(slug):
        raise ValueError(f"{what} '{slug}' is not valid; it must be {SLUG_RULE}")
    return slug


def validate_event_slug(value: object) -> str:
    """Return the normalised event slug, or raise ValueError."""
    return validate_slug(value, "event slug")


def validate_room_slug(value: object) -> str:
    """Return the normalised room slug, or raise ValueError."""
    return validate_slug(value, "room slug")


def validate_language_code(value: object) -> str:
    """Return the normalised language code, or raise ValueError ('floor' is reserved)."""
    code = _normalise(value, "language code")
    if not code:
        raise ValueError(f"language code is empty; it must be {LANGUAGE_RULE}")
    if code == FLOOR:
        raise ValueError("language code 'floor' is reserved for the floor channel")
    if len(code) > LANGUAGE_MAX:
        raise ValueError(f"language code '{code}' is too long; it must be {LANGUAGE_RULE}")
    if not LANGUAGE_RE.match(code):
        raise ValueError(f"language code '{code}' is not valid; it must be {LANGUAGE_RULE}")
    return code


EMAIL_RULE = f"an address like 'name@example.org', at most {EMAIL_MAX} characters"
LISTENER_CODE_RULE = "4 to 32 letters or digits"


def is_encodable(text: str) -> bool:
    """True when `text` can be written as UTF-8 (it holds no lone surrogate).

    JSON's `\\ud800` escapes and undecodable command-line bytes both produce lone surrogates.
    Stored, such a name could never be sent again: every booth update that carried it failed.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_display_name(value: object, what: str = "name", max_length: int = NAME_MAX) -> str:
    """Return the display name with its whitespace collapsed; 1 to `max_length` characters."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    if not is_encodable(value):
        raise ValueError(f"{what} is not valid Unicode text")
    name = " ".join(value.split())
    if not name:
        raise ValueError(f"{what} is empty")
    if len(name) > max_length:
        raise ValueError(f"{what} is longer than {max_length} characters")
    return name


def validate_email(value: object) -> str:
    """Return the normalised (lowercased) email address, or raise ValueError naming the rule."""
    email = _normalise(value, "email")
    if not email:
        raise ValueError(f"email is empty; it must be {EMAIL_RULE}")
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise ValueError(f"email '{email}' is not valid; it must be {EMAIL_RULE}")
    return email


def validate_listener_code(value: object) -> str | None:
    """Return the normalised listener code ("" and None mean no code), or raise ValueError."""
    if value is None:
        return None
    code = _normalise(value, "listener code")
    if not code:
        return None
    if not LISTENER_CODE_RE.match(code):
        raise ValueError(f"listener code '{code}' is not valid; it must be {LISTENER_CODE_RULE}")
    return code


@dataclass(frozen=True)
class RoomKey:
    """A room named by its event: `{event}/{room}`, the scope of a listener and of a floor.

    Build it with `parse` from untrusted text; the constructor itself does not validate, so it
    is for slugs that already passed validation (from the database or a parsed id).
    """

    event: str
    slug: str

    @classmethod
    def parse(cls, value: object) -> RoomKey:
        """Parse and validate `event/room`, or raise ValueError naming the broken rule."""
        text = _normalise(value, "room")
        parts = text.split("/")
        if len(parts) != 2:
            raise ValueError(f"room '{text}' must have the form EVENT/ROOM, like 'pycon2026/main'")
        return cls(validate_event_slug(parts[0]), validate_room_slug(parts[1]))

    @classmethod
    def of_channel(cls, channel: str) -> RoomKey:
        """The room of a known booth id or floor channel (`event/room/…`); no validation."""
        event, room, _ = channel.split("/", 2)
        return cls(event, room)

    @property
    def path(self) -> str:
        """`{event}/{room}`: the string form."""
        return f"{self.event}/{self.slug}"

    @property
    def floor(self) -> str:
        """The room's floor channel, `{event}/{room}/floor`: its MediaMTX path and channel id.

        The one place that builds a floor channel's name.
        """
        return f"{self.event}/{self.slug}/{FLOOR}"

    def booth(self, language: str) -> BoothId:
        """The booth of this room for `language` (not validated)."""
        return BoothId(self, language)

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class BoothId:
    """A booth id `{event}/{room}/{lang}`: a booth's name, its MediaMTX path and token scope.

    Build it with `parse` from untrusted text, or `of` for an id that was validated when it was
    stored (the database, the booth registry).
    """

    room: RoomKey
    language: str

    @classmethod
    def parse(cls, value: object) -> BoothId:
        """Parse and validate `event/room/lang`, or raise ValueError naming the broken rule."""
        text = _normalise(value, "booth id")
        parts = text.split("/")
        if len(parts) != 3:
            raise ValueError(
                f"booth id '{text}' must have the form EVENT/ROOM/LANG, like 'pycon2026/main/en'"
            )
        room = RoomKey(validate_event_slug(parts[0]), validate_room_slug(parts[1]))
        return cls(room, validate_language_code(parts[2]))

    @classmethod
    def of(cls, booth_id: str) -> BoothId:
        """Split a booth id that was validated before; ValueError unless it has three parts."""
        parts = booth_id.split("/")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"booth id {booth_id!r} is not of the form event/room/lang")
        return cls(RoomKey(parts[0], parts[1]), parts[2])

    @property
    def event(self) -> str:
        """The event slug."""
        return self.room.event

    @property
    def path(self) -> str:
        """`{event}/{room}/{lang}`: the string form, also the booth's MediaMTX path."""
        return f"{self.room.event}/{self.room.slug}/{self.language}"

    @property
    def floor(self) -> str:
        """The floor channel of this booth's room."""
        return self.room.floor

    def __str__(self) -> str:
        return self.path


def is_floor_channel(channel: str) -> bool:
    """True for a floor channel `event/room/floor` (a booth's language is never `floor`)."""
    return channel.endswith(f"/{FLOOR}")
