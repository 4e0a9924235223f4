"""Users and their memberships in events."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from db.errors import AlreadyExists, NotFound
from db.models import Booth, Event, Membership, User

MEMBERSHIP_ROLES = ("technician", "interpreter")


async def create_user(
    email: str, password_hash: str, display_name: str = "", *, is_admin: bool = False
) -> User:
    """Create a user. The caller hashes the password; the email is stored lowercased."""
    email = email.strip().lower()
    if await User.exists(email=email):
        raise AlreadyExists(f"user '{email}' already exists")
    try:
        return await User.create(
            email=email,
            password_hash=password_hash,
            display_name=display_name or email.split("@")[0],
            is_admin=is_admin,
        )
    except IntegrityError as exc:
        raise AlreadyExists(f"user '{email}' already exists") from exc


async def get_user(user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


async def find_user_by_email(email: str) -> User | None:
    """The user with this email (any case), or None."""
    return await User.get_or_none(email=email.strip().lower())


async def list_users() -> list[User]:
    """Every user, by email."""
    return await User.all().order_by("email")


async def user_activity() -> dict[int, bool]:
    """Every user id with whether the account is active: one query, for the access view."""
    rows = await User.all().values_list("id", "is_active")
    return {int(user_id): bool(active) for user_id, active in rows}


async def set_user_active(user_id: int, active: bool) -> User:
    """Activate or deactivate a user; a deactivated user cannot log in."""
    user = await get_user(user_id)
    user.is_active = active
    await user.save(update_fields=["is_active"])
    return user


async def set_password_hash(user_id: int, password_hash: str) -> User:
    """Replace a user's password hash."""
    user = await get_user(user_id)
    user.password_hash = password_hash
    await user.save(update_fields=["password_hash"])
    return user


async def add_membership(
    user_id: int, event_slug: str, role: str, booth_id: str | None = None
) -> Membership:
    """Make a user technician of an event, or interpreter of one of its booths."""
    if role not in MEMBERSHIP_ROLES:
        raise ValueError(f"role must be one of {', '.join(MEMBERSHIP_ROLES)}, not '{role}'")
    if role == "interpreter" and not booth_id:
        raise ValueError("an interpreter membership needs a booth")
    user = await get_user(user_id)
    event = await Event.get_or_none(slug=event_slug)
    if event is None:
        raise NotFound(f"no event '{event_slug}'")
    booth = None
    if booth_id:
        booth = await Booth.get_or_none(path=booth_id, room__event=event)
        if booth is None:
            raise NotFound(f"no booth '{booth_id}' in event '{event_slug}'")
    if await Membership.exists(user=user, event=event, role=role, booth=booth):
        raise AlreadyExists(f"{user.email} is already {role} of {booth_id or event_slug}")
    return await Membership.create(user=user, event=event, role=role, booth=booth)


async def list_memberships(
    *, user_id: int | None = None, event_slug: str | None = None
) -> list[Membership]:
    """Memberships of a user or of an event, with user, event and booth loaded."""
    query = Membership.all()
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if event_slug is not None:
        query = query.filter(event__slug=event_slug)
    return await query.order_by("id").prefetch_related("user", "event", "booth")


async def get_event_membership(event_id: int, membership_id: int) -> Membership:
    """The membership `membership_id` if it is in the event, user and booth loaded, or NotFound."""
    membership = await Membership.get_or_none(id=membership_id, event_id=event_id).select_related(
        "user", "booth"
    )
    if membership is None:
        raise NotFound(f"no membership with id {membership_id}")
    return membership


async def delete_membership(membership_id: int) -> None:
    """Remove one membership."""
    deleted = await Membership.filter(id=membership_id).delete()
    if not deleted:
        raise NotFound(f"no membership with id {membership_id}")
