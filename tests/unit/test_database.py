"""The data layer of docs/design.md §3: CRUD, cascades, invites and their redemption, activity."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

import db
from db.models import ChatMessage, InviteToken, Membership, OnAirSpan, Room, TranscriptSegment

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


async def _booth(path: str = "pycon/main/en") -> str:
    event, room, lang = path.split("/")
    if not await db.models.Event.exists(slug=event):
        await db.create_event(event, event.title())
    if not await Room.exists(event__slug=event, slug=room):
        await db.create_room(event, room, room.title())
    booth = await db.create_booth(event, room, lang, lang.upper())
    return booth.path


async def test_new_event_gets_the_room_main(memory_db: None) -> None:
    event = await db.create_event("pycon", "PyCon")
    rooms = await db.list_rooms("pycon")
    assert event.id is not None
    assert [r.slug for r in rooms] == ["main"]


async def test_event_slug_is_unique(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon")
    with pytest.raises(db.AlreadyExists, match="event 'pycon' already exists"):
        await db.create_event("pycon", "Again")


async def test_unknown_event_is_not_found(memory_db: None) -> None:
    with pytest.raises(db.NotFound, match="no event 'nope'"):
        await db.get_event("nope")


async def test_update_event_changes_name_and_listener_code(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon", listener_code="1234")
    await db.update_event("pycon", display_name="PyCon 26", listener_code="")
    event = await db.get_event("pycon")
    assert (event.display_name, event.listener_code) == ("PyCon 26", None)


async def test_events_are_listed_oldest_first(memory_db: None) -> None:
    for slug in ("b", "a", "c"):
        await db.create_event(slug, slug)
    assert [e.slug for e in await db.list_events()] == ["b", "a", "c"]


async def test_room_slug_is_unique_within_its_event_only(memory_db: None) -> None:
    await db.create_event("one", "One")
    await db.create_event("two", "Two")
    await db.create_room("one", "hall-b", "Hall B")
    await db.create_room("two", "hall-b", "Hall B")
    with pytest.raises(db.AlreadyExists, match="room 'one/hall-b' already exists"):
        await db.create_room("one", "hall-b", "Again")


async def test_room_of_unknown_event_is_refused(memory_db: None) -> None:
    with pytest.raises(db.NotFound):
        await db.create_room("nope", "main", "Main")


async def test_room_can_be_renamed(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon")
    await db.update_room("pycon", "main", "Main Hall")
    assert (await db.get_room("pycon", "main")).display_name == "Main Hall"


async def test_booth_id_is_event_room_language(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon")
    booth = await db.create_booth("pycon", "main", "en", "English", transcription=True)
    loaded = await db.get_booth("pycon/main/en")
    assert booth.path == "pycon/main/en" == str(loaded)
    assert loaded.transcription is True
    assert loaded.room.event.slug == "pycon"


async def test_booth_language_is_unique_within_its_room(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon")
    await db.create_booth("pycon", "main", "en", "English")
    with pytest.raises(db.AlreadyExists, match="booth 'pycon/main/en' already exists"):
        await db.create_booth("pycon", "main", "en", "English again")


async def test_booth_of_unknown_room_is_refused(memory_db: None) -> None:
    await db.create_event("pycon", "PyCon")
    with pytest.raises(db.NotFound, match="no room 'pycon/hall-x'"):
        await db.create_booth("pycon", "hall-x", "en", "English")


async def test_booths_are_listed_by_event_and_room(memory_db: None) -> None:
    await _booth("pycon/main/en")
    await _booth("pycon/hall-b/de")
    await _booth("other/main/fr")
    assert [b.path for b in await db.list_booths("pycon")] == ["pycon/main/en", "pycon/hall-b/de"]
    assert [b.path for b in await db.list_booths("pycon", "hall-b")] == ["pycon/hall-b/de"]


async def test_update_booth_changes_name_and_captions(memory_db: None) -> None:
    await _booth()
    await db.update_booth("pycon/main/en", language_name="English (UK)", transcription=True)
    booth = await db.get_booth("pycon/main/en")
    assert (booth.language_name, booth.transcription) == ("English (UK)", True)


async def _populate_booth(path: str) -> None:
    user = await db.create_user("ana@example.org", "hash")
    await db.add_membership(user.id, path.split("/")[0], "interpreter", path)
    await db.create_invite_token(path, "interpreter")
    await db.append_chat(path, "p1", "Ana", "hello")
    await db.open_span(path, "p1", "Ana", T0)
    await db.add_transcript_segment(path, 1, "Hello", T0, T0 + timedelta(seconds=2))


async def test_deleting_an_event_deletes_everything_below_it(memory_db: None) -> None:
    path = await _booth()
    await _populate_booth(path)
    await db.delete_event("pycon")
    for model in (Room, db.models.Booth, InviteToken, ChatMessage, OnAirSpan, TranscriptSegment):
        assert await model.all().count() == 0, model.__name__
    assert await Membership.all().count() == 0
    assert await db.find_user_by_email("ana@example.org") is not None


async def test_deleting_a_room_keeps_the_event_and_its_other_rooms(memory_db: None) -> None:
    await _booth("pycon/main/en")
    await _booth("pycon/hall-b/de")
    await db.delete_room("pycon", "hall-b")
    assert [r.slug for r in await db.list_rooms("pycon")] == ["main"]
    assert [b.path for b in await db.list_booths()] == ["pycon/main/en"]


async def test_deleting_a_booth_deletes_its_invites_and_activity(memory_db: None) -> None:
    path = await _booth()
    await _populate_booth(path)
    await db.delete_booth(path)
    assert await InviteToken.all().count() == 0
    assert await ChatMessage.all().count() == 0
    assert [r.slug for r in await db.list_rooms("pycon")] == ["main"]


async def test_user_email_is_stored_lowercased_and_found_in_any_case(memory_db: None) -> None:
    user = await db.create_user(" Ana@Example.ORG ", "hash", "Ana")
    assert user.email == "ana@example.org"
    found = await db.find_user_by_email("ANA@example.org")
    assert found is not None and found.id == user.id


async def test_user_email_is_unique(memory_db: None) -> None:
    await db.create_user("ana@example.org", "hash")
    with pytest.raises(db.AlreadyExists):
        await db.create_user("ANA@example.org", "hash")


async def test_user_without_a_name_is_named_after_the_email(memory_db: None) -> None:
    user = await db.create_user("ana@example.org", "hash")
    assert user.display_name == "ana"


async def test_user_can_be_deactivated_and_get_a_new_password(memory_db: None) -> None:
    user = await db.create_user("ana@example.org", "old")
    await db.set_user_active(user.id, False)
    await db.set_password_hash(user.id, "new")
    reloaded = await db.get_user(user.id)
    assert (reloaded.is_active, reloaded.password_hash) == (False, "new")


async def test_invite_token_has_at_least_128_random_url_safe_bits(memory_db: None) -> None:
    path = await _booth()
    tokens = {(await db.create_invite_token(path, "interpreter")).token for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128
        assert token.replace("-", "").replace("_", "").isalnum()


async def test_invite_defaults_to_one_use(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter")
    assert (invite.max_uses, invite.uses, invite.expires_at) == (1, 0, None)


async def test_invite_expires_after_its_hours(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "technician", hours=1.5, now=T0)
    assert invite.expires_at == T0 + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "listener"}, "role must be one of"),
        ({"role": "interpreter", "max_uses": 0}, "uses must be at least 1"),
        ({"role": "interpreter", "hours": 0}, "hours must be more than 0"),
    ],
)
async def test_invite_with_bad_options_is_refused(
    memory_db: None, kwargs: dict[str, object], message: str
) -> None:
    path = await _booth()
    with pytest.raises(ValueError, match=message):
        await db.create_invite_token(path, **kwargs)  # type: ignore[arg-type]


async def test_redeeming_counts_a_use_and_loads_the_booth(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter", max_uses=2)
    redeemed = await db.redeem_invite_token(invite.token)
    assert redeemed.uses == 1
    assert redeemed.booth.path == path
    assert redeemed.booth.room.event.slug == "pycon"


async def test_redeeming_an_unknown_token_says_it_does_not_exist(memory_db: None) -> None:
    with pytest.raises(db.InviteNotFound):
        await db.redeem_invite_token("no-such-token")


async def test_redeeming_a_used_token_says_it_is_used_up(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter")
    await db.redeem_invite_token(invite.token)
    with pytest.raises(db.InviteUsedUp):
        await db.redeem_invite_token(invite.token)


async def test_redeeming_a_revoked_token_says_it_was_revoked(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter", max_uses=5)
    await db.revoke_invite_token(invite.token)
    with pytest.raises(db.InviteRevoked):
        await db.redeem_invite_token(invite.token)


async def test_redeeming_an_expired_token_says_it_expired(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter", hours=1, now=T0)
    with pytest.raises(db.InviteExpired):
        await db.redeem_invite_token(invite.token, now=T0 + timedelta(hours=1))


async def test_failed_redemption_uses_nothing(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter", hours=1, now=T0)
    with pytest.raises(db.InviteExpired):
        await db.redeem_invite_token(invite.token, now=T0 + timedelta(hours=2))
    assert (await db.get_invite(invite.token)).uses == 0


async def test_revoking_twice_keeps_the_first_time(memory_db: None) -> None:
    path = await _booth()
    invite = await db.create_invite_token(path, "interpreter")
    await db.revoke_invite_token(invite.token, now=T0)
    again = await db.revoke_invite_token(invite.token, now=T0 + timedelta(hours=1))
    assert again.revoked_at == T0


async def test_invite_status_names_the_state(memory_db: None) -> None:
    path = await _booth()
    active = await db.create_invite_token(path, "interpreter", hours=1, now=T0)
    assert db.invite_status(active, T0) == "active"
    assert db.invite_status(active, T0 + timedelta(hours=2)) == "expired"
    await db.redeem_invite_token(active.token, now=T0)
    assert db.invite_status(await db.get_invite(active.token), T0) == "used"
    await db.revoke_invite_token(active.token)
    assert db.invite_status(await db.get_invite(active.token), T0) == "revoked"


async def test_invites_are_listed_newest_first_per_booth_or_event(memory_db: None) -> None:
    en = await _booth("pycon/main/en")
    de = await _booth("pycon/main/de")
    fr = await _booth("other/main/fr")
    first = await db.create_invite_token(en, "interpreter")
    second = await db.create_invite_token(de, "interpreter")
    await db.create_invite_token(fr, "interpreter")
    assert [i.token for i in await db.list_invites(event_slug="pycon")] == [
        second.token,
        first.token,
    ]
    assert [i.token for i in await db.list_invites(booth_id=en)] == [first.token]


async def test_recent_chat_returns_the_last_messages_oldest_first(memory_db: None) -> None:
    path = await _booth()
    for n in range(5):
        await db.append_chat(path, "p1", "Ana", f"m{n}", sent_at=T0 + timedelta(seconds=n))
    assert [m.body for m in await db.recent_chat(path, limit=3)] == ["m2", "m3", "m4"]


async def test_chat_of_unknown_booth_is_refused(memory_db: None) -> None:
    with pytest.raises(db.NotFound):
        await db.append_chat("pycon/main/xx", "p1", "Ana", "hi")


async def test_on_air_span_stays_open_until_closed(memory_db: None) -> None:
    path = await _booth()
    await db.open_span(path, "p1", "Ana", T0)
    assert [s.participant_id for s in await db.open_spans()] == ["p1"]
    closed = await db.close_span(path, "p1", T0 + timedelta(minutes=30))
    spans = await db.list_spans(path)
    assert closed == 1
    assert await db.open_spans() == []
    assert spans[0].ended_at == T0 + timedelta(minutes=30)


async def test_transcript_is_in_spoken_order(memory_db: None) -> None:
    path = await _booth()
    await db.add_transcript_segment(path, 2, "second", T0 + timedelta(seconds=5), T0)
    await db.add_transcript_segment(path, 1, "first", T0, T0 + timedelta(seconds=4))
    assert [s.text for s in await db.list_transcript(path)] == ["first", "second"]


async def test_secret_is_stored_replaced_and_listed(memory_db: None) -> None:
    await db.put_secret("smtp", "token-1")
    await db.put_secret("smtp", "token-2")
    assert await db.get_secret("smtp") == "token-2"
    assert await db.secret_names() == ["smtp"]


async def test_unknown_secret_is_not_found(memory_db: None) -> None:
    with pytest.raises(db.NotFound):
        await db.get_secret("nope")


async def test_models_describe_themselves(memory_db: None) -> None:
    path = await _booth()
    user = await db.create_user("ana@example.org", "hash")
    assert str(await db.get_event("pycon")) == "pycon"
    assert str(await db.get_booth(path)) == path
    assert str(user) == "ana@example.org"
