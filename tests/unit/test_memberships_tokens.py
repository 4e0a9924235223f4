"""Memberships, and how a token becomes a Principal (server/auth/principals.py)."""

from __future__ import annotations

import pytest

import db
from server.auth.credentials import (
    create_booth_token,
    create_listener_token,
    create_user_token,
    decode_token,
    new_signing_key,
)
from server.auth.principals import NotAuthenticated, principal_from_claims, principal_from_token

pytestmark = pytest.mark.anyio
KEY = new_signing_key()


@pytest.fixture
async def venue(memory_db: None) -> None:
    """Two events; pycon has booths en and de in main."""
    await db.create_event("pycon", "PyCon")
    await db.create_event("other", "Other")
    await db.create_booth("pycon", "main", "en", "English")
    await db.create_booth("pycon", "main", "de", "Deutsch")
    await db.create_booth("other", "main", "fr", "Français")


async def _user(email: str = "ana@example.org", *, is_admin: bool = False) -> int:
    return (await db.create_user(email, "hash", "Ana", is_admin=is_admin)).id


async def test_technician_membership_covers_an_event(venue: None) -> None:
    user_id = await _user()
    membership = await db.add_membership(user_id, "pycon", "technician")
    assert (membership.role, membership.booth_id) == ("technician", None)


async def test_interpreter_membership_needs_a_booth(venue: None) -> None:
    user_id = await _user()
    with pytest.raises(ValueError, match="needs a booth"):
        await db.add_membership(user_id, "pycon", "interpreter")


async def test_membership_role_must_be_technician_or_interpreter(venue: None) -> None:
    user_id = await _user()
    with pytest.raises(ValueError, match="role must be one of technician, interpreter"):
        await db.add_membership(user_id, "pycon", "admin")


async def test_interpreter_booth_must_belong_to_the_event(venue: None) -> None:
    user_id = await _user()
    with pytest.raises(db.NotFound, match="no booth 'other/main/fr' in event 'pycon'"):
        await db.add_membership(user_id, "pycon", "interpreter", "other/main/fr")


async def test_same_membership_twice_is_refused(venue: None) -> None:
    user_id = await _user()
    await db.add_membership(user_id, "pycon", "interpreter", "pycon/main/en")
    with pytest.raises(db.AlreadyExists):
        await db.add_membership(user_id, "pycon", "interpreter", "pycon/main/en")


async def test_memberships_are_listed_per_user_and_per_event(venue: None) -> None:
    ana, bob = await _user(), await _user("bob@example.org")
    await db.add_membership(ana, "pycon", "interpreter", "pycon/main/en")
    await db.add_membership(bob, "other", "technician")
    assert [m.event.slug for m in await db.list_memberships(user_id=ana)] == ["pycon"]
    assert [m.user.email for m in await db.list_memberships(event_slug="other")] == [
        "bob@example.org"
    ]


async def test_membership_can_be_removed(venue: None) -> None:
    user_id = await _user()
    membership = await db.add_membership(user_id, "pycon", "technician")
    await db.delete_membership(membership.id)
    assert await db.list_memberships(user_id=user_id) == []
    with pytest.raises(db.NotFound):
        await db.delete_membership(membership.id)


async def test_user_token_gives_the_roles_of_the_users_memberships(venue: None) -> None:
    user_id = await _user()
    await db.add_membership(user_id, "pycon", "interpreter", "pycon/main/en")
    await db.add_membership(user_id, "other", "technician")
    token = create_user_token(user_id, "ana@example.org", "Ana", False, key=KEY)
    principal = await principal_from_token(token, key=KEY)
    assert principal.participant_id == f"user:{user_id}"
    assert principal.interpreter_booths == {"pycon/main/en"}
    assert principal.technician_events == {"other"}
    assert principal.is_admin is False


async def test_admin_flag_comes_from_the_database_not_the_token(venue: None) -> None:
    user_id = await _user(is_admin=False)
    token = create_user_token(user_id, "ana@example.org", "Ana", True, key=KEY)
    assert (await principal_from_token(token, key=KEY)).is_admin is False


async def test_removed_membership_takes_effect_at_once(venue: None) -> None:
    user_id = await _user()
    membership = await db.add_membership(user_id, "pycon", "technician")
    token = create_user_token(user_id, "ana@example.org", "Ana", False, key=KEY)
    await db.delete_membership(membership.id)
    assert (await principal_from_token(token, key=KEY)).technician_events == frozenset()


async def test_deactivated_user_is_refused(venue: None) -> None:
    user_id = await _user()
    token = create_user_token(user_id, "ana@example.org", "Ana", False, key=KEY)
    await db.set_user_active(user_id, False)
    with pytest.raises(NotAuthenticated, match="deactivated"):
        await principal_from_token(token, key=KEY)


async def test_deleted_user_is_refused(venue: None) -> None:
    token = create_user_token(999, "ghost@example.org", "Ghost", True, key=KEY)
    with pytest.raises(NotAuthenticated, match="no longer exists"):
        await principal_from_token(token, key=KEY)


async def test_interpreter_invite_session_is_scoped_to_its_booth(venue: None) -> None:
    invite = await db.create_invite_token("pycon/main/en", "interpreter")
    token = create_booth_token(
        f"invite:{invite.id}", "pycon/main/en", "interpreter", "Ana", key=KEY
    )
    principal = await principal_from_token(token, key=KEY)
    assert principal.interpreter_booths == {"pycon/main/en"}
    assert principal.technician_events == frozenset()
    assert principal.display_name == "Ana"


async def test_technician_invite_session_covers_the_event(venue: None) -> None:
    invite = await db.create_invite_token("pycon/main/en", "technician")
    token = create_booth_token(
        f"invite:{invite.id}", "pycon/main/en", "technician", "Tess", key=KEY
    )
    principal = await principal_from_token(token, key=KEY)
    assert principal.technician_events == {"pycon"}


async def test_session_of_a_revoked_invite_is_refused(venue: None) -> None:
    invite = await db.create_invite_token("pycon/main/en", "interpreter")
    token = create_booth_token(
        f"invite:{invite.id}", "pycon/main/en", "interpreter", "Ana", key=KEY
    )
    await db.revoke_invite_token(invite.token)
    with pytest.raises(NotAuthenticated, match="revoked"):
        await principal_from_token(token, key=KEY)


async def test_session_of_a_deleted_invite_is_refused(venue: None) -> None:
    invite = await db.create_invite_token("pycon/main/en", "interpreter")
    token = create_booth_token(
        f"invite:{invite.id}", "pycon/main/en", "interpreter", "Ana", key=KEY
    )
    await db.delete_booth("pycon/main/en")
    with pytest.raises(NotAuthenticated):
        await principal_from_token(token, key=KEY)


async def test_listener_token_is_a_listener_of_its_room(venue: None) -> None:
    claims = decode_token(create_listener_token("pycon", "main", key=KEY), key=KEY)
    principal = await principal_from_claims(claims)
    assert principal.listener_rooms == {"pycon/main"}
    assert principal.interpreter_booths == frozenset()


async def test_invalid_token_is_not_authenticated(venue: None) -> None:
    with pytest.raises(NotAuthenticated, match="signature"):
        await principal_from_token("a.b.c", key=KEY)


@pytest.mark.usefixtures("memory_db")
async def test_booth_token_with_a_malformed_invite_subject_is_refused_not_a_crash() -> None:
    key = new_signing_key()
    token = create_booth_token("invite:abc", "ev/main/en", "interpreter", "X", key=key)
    with pytest.raises(NotAuthenticated):
        await principal_from_token(token, key=key)
