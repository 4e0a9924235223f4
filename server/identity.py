"""Identity rules for slugs, language codes and booth ids (docs/design.md §2).

Every function normalises (strips, lowercases) and then validates; a bad value raises a
ValueError whose message names the rule it broke, so the CLI, the forms and the console can show
it as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def validate_display_name(value: object, what: str = "name", max_length: int = NAME_MAX) -> str:
    """Return the display name with its whitespace collapsed; 1 to `max_length` characters."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
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
class BoothId:
    """A parsed booth id `{event}/{room}/{lang}`."""

    event: str
    room: str
    language: str

    def __str__(self) -> str:
        return f"{self.event}/{self.room}/{self.language}"

    @property
    def room_key(self) -> str:
        """`{event}/{room}`: the room this booth belongs to."""
        return f"{self.event}/{self.room}"

    @property
    def floor_channel(self) -> str:
        """The floor channel of this booth's room."""
        return floor_channel(self.event, self.room)


def parse_booth_id(value: object) -> BoothId:
    """Parse and validate `event/room/lang`, or raise ValueError naming the broken rule."""
    text = _normalise(value, "booth id")
    parts = text.split("/")
    if len(parts) != 3:
        raise ValueError(
            f"booth id '{text}' must have the form EVENT/ROOM/LANG, like 'pycon2026/main/en'"
        )
    return BoothId(
        validate_event_slug(parts[0]),
        validate_room_slug(parts[1]),
        validate_language_code(parts[2]),
    )


def parse_room_key(value: object) -> tuple[str, str]:
    """Parse and validate `event/room`, or raise ValueError."""
    text = _normalise(value, "room")
    parts = text.split("/")
    if len(parts) != 2:
        raise ValueError(f"room '{text}' must have the form EVENT/ROOM, like 'pycon2026/main'")
    return validate_event_slug(parts[0]), validate_room_slug(parts[1])


def floor_channel(event: str, room: str) -> str:
    """The floor channel's path: `{event}/{room}/floor`."""
    return f"{event}/{room}/{FLOOR}"
