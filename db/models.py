"""Tortoise ORM models: the kiosk's persistent data (docs/design.md §3)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    """A conference: the unit that technicians and invites belong to."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)
    display_name = fields.CharField(max_length=200)
    listener_code = fields.CharField(max_length=32, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    rooms: fields.ReverseRelation[Room]
    memberships: fields.ReverseRelation[Membership]

    def __str__(self) -> str:
        return self.slug


class Room(Model):
    """A hall of an event; listeners pick a room by its poster."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="rooms", on_delete=fields.CASCADE
    )
    event_id: int
    slug = fields.CharField(max_length=40)
    display_name = fields.CharField(max_length=200)
    # What feeds the room's floor channel (server/mediamtx/floor_source.py): none, page, device, url,
    # file; `floor_value` holds the device, address or file path of the last three.
    floor_kind = fields.CharField(max_length=10, default="none")
    floor_value = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    booths: fields.ReverseRelation[Booth]

    class Meta:
        unique_together = (("event", "slug"),)

    def __str__(self) -> str:
        return f"{self.event_id}/{self.slug}"


class Booth(Model):
    """One target language of a room. `path` is the booth id `{event}/{room}/{lang}`."""

    id = fields.IntField(primary_key=True)
    room: fields.ForeignKeyRelation[Room] = fields.ForeignKeyField(
        "models.Room", related_name="booths", on_delete=fields.CASCADE
    )
    room_id: int
    # Denormalised booth id: one indexed lookup serves URLs, sockets and MediaMTX paths.
    path = fields.CharField(max_length=100, unique=True)
    language_code = fields.CharField(max_length=16)
    language_name = fields.CharField(max_length=100)
    transcription = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        unique_together = (("room", "language_code"),)

    def __str__(self) -> str:
        return self.path


class User(Model):
    """A person who logs in with email and password (admins, technicians, interpreters)."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=200)
    is_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    memberships: fields.ReverseRelation[Membership]

    def __str__(self) -> str:
        return self.email


class Membership(Model):
    """A user's role in an event: technician of the event, or interpreter of one booth."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="memberships", on_delete=fields.CASCADE
    )
    event_id: int
    role = fields.CharField(max_length=20)
    booth: fields.ForeignKeyNullableRelation[Booth] = fields.ForeignKeyField(
        "models.Booth", related_name="memberships", null=True, on_delete=fields.CASCADE
    )
    booth_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.event_id}"


class InviteToken(Model):
    """A link that lets someone into a booth or an event's console without an account."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    booth: fields.ForeignKeyRelation[Booth] = fields.ForeignKeyField(
        "models.Booth", related_name="invites", on_delete=fields.CASCADE
    )
    booth_id: int
    role = fields.CharField(max_length=20)
    label = fields.CharField(max_length=200, default="")
    expires_at = fields.DatetimeField(null=True)
    max_uses = fields.IntField(default=1)
    uses = fields.IntField(default=0)
    revoked_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invites", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"invite {self.id} ({self.role})"


class ChatMessage(Model):
    """A line of booth chat, kept so a restart loses nothing."""

    id = fields.IntField(primary_key=True)
    booth: fields.ForeignKeyRelation[Booth] = fields.ForeignKeyField(
        "models.Booth", related_name="chat", on_delete=fields.CASCADE
    )
    booth_id: int
    sender_id = fields.CharField(max_length=64)
    sender_name = fields.CharField(max_length=200)
    body = fields.TextField()
    sent_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sender_name}: {self.body[:40]}"


class OnAirSpan(Model):
    """A stretch of time one interpreter held the mic; `ended_at` is null while on air."""

    id = fields.IntField(primary_key=True)
    booth: fields.ForeignKeyRelation[Booth] = fields.ForeignKeyField(
        "models.Booth", related_name="spans", on_delete=fields.CASCADE
    )
    booth_id: int
    participant_id = fields.CharField(max_length=64)
    display_name = fields.CharField(max_length=200)
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.display_name} on {self.booth_id} from {self.started_at}"


class TranscriptSegment(Model):
    """One final caption of a booth."""

    id = fields.IntField(primary_key=True)
    booth: fields.ForeignKeyRelation[Booth] = fields.ForeignKeyField(
        "models.Booth", related_name="segments", on_delete=fields.CASCADE
    )
    booth_id: int
    seq = fields.IntField()
    text = fields.TextField()
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.booth_id}#{self.seq}"


class Secret(Model):
    """A named secret, stored only as a Fernet token."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    value = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
