"""Setup operations shared by the CLI, the console and the web admin (server/manage)."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

import db
from db.models import Booth, Event, Room
from server.auth.credentials import verify_password
from server.config import load_config
from server.manage import (
    SetupError,
    add_booth,
    add_event,
    add_room,
    add_user,
    create_invite,
    import_event,
    init_kiosk,
    invite_url,
    list_invite_rows,
    revoke_invite,
)

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "event": {"slug": "pycon2026", "name": "PyCon 2026"},
        "rooms": [
            {
                "slug": "main",
                "name": "Main Hall",
                "booths": [{"lang": "en", "name": "English"}, {"lang": "de", "name": "Deutsch"}],
            },
            {"slug": "hall-b", "name": "Hall B", "booths": [{"lang": "fr", "name": "Français"}]},
        ],
    }
    document.update(changes)
    return document


async def _counts() -> tuple[int, int, int]:
    return (await Event.all().count(), await Room.all().count(), await Booth.all().count())


async def test_add_event_normalises_and_creates_the_main_room(memory_db: None) -> None:
    event = await add_event(" PyCon2026 ", "  PyCon   2026 ", "1234")
    assert (event.slug, event.display_name, event.listener_code) == (
        "pycon2026",
        "PyCon 2026",
        "1234",
    )
    assert [r.slug for r in await db.list_rooms("pycon2026")] == ["main"]


async def test_add_event_refuses_a_bad_slug_with_the_identity_message(memory_db: None) -> None:
    with pytest.raises(SetupError, match="event slug 'py_con' is not valid; it must be lowercase"):
        await add_event("py_con", "PyCon")
    assert await _counts() == (0, 0, 0)


async def test_add_event_refuses_a_duplicate(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    with pytest.raises(SetupError, match="event 'pycon' already exists"):
        await add_event("pycon", "PyCon")


async def test_add_room_and_booth(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    room = await add_room("pycon", "Hall-B", "Hall B")
    booth = await add_booth("pycon/hall-b", "PT-BR", "Português", transcription=True)
    assert room.slug == "hall-b"
    assert (booth.path, booth.transcription) == ("pycon/hall-b/pt-br", True)


async def test_add_booth_refuses_the_floor_and_unknown_rooms(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    with pytest.raises(SetupError, match="reserved"):
        await add_booth("pycon/main", "floor", "Floor")
    with pytest.raises(SetupError, match="no room 'pycon/nope'"):
        await add_booth("pycon/nope", "en", "English")


async def test_add_booth_refuses_a_language_name_wider_than_its_column(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    with pytest.raises(SetupError, match="language name is longer than 100"):
        await add_booth("pycon/main", "en", "E" * 101)


async def test_add_user_hashes_the_password(memory_db: None) -> None:
    user = await add_user("Ana@Example.org", "long enough", "Ana", is_admin=True)
    assert user.email == "ana@example.org" and user.is_admin
    assert verify_password("long enough", user.password_hash)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("ana", "long enough", "email 'ana' is not valid"),
        ("ana@example.org", "short", "password must be at least 8 characters"),
    ],
)
async def test_add_user_refuses_bad_input(
    memory_db: None, email: str, password: str, message: str
) -> None:
    with pytest.raises(SetupError, match=message):
        await add_user(email, password)
    assert await db.list_users() == []


async def test_add_user_refuses_a_taken_email_in_any_case(memory_db: None) -> None:
    await add_user("ana@example.org", "long enough")
    with pytest.raises(SetupError, match="user 'ana@example.org' already exists"):
        await add_user("ANA@example.org", "long enough")


async def test_import_creates_event_rooms_and_booths(memory_db: None) -> None:
    await import_event(_document())
    rooms = await db.list_rooms("pycon2026")
    assert [(r.slug, r.display_name) for r in rooms] == [
        ("main", "Main Hall"),
        ("hall-b", "Hall B"),
    ]
    assert [b.path for b in await db.list_booths("pycon2026")] == [
        "pycon2026/main/en",
        "pycon2026/main/de",
        "pycon2026/hall-b/fr",
    ]


async def test_import_without_a_main_room_still_gets_one(memory_db: None) -> None:
    await import_event(_document(rooms=[{"slug": "hall-b", "name": "Hall B"}]))
    assert [r.slug for r in await db.list_rooms("pycon2026")] == ["main", "hall-b"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"event": {"slug": "Py_Con", "name": "x"}},
            r"\[event\]: event slug 'py_con' is not valid",
        ),
        ({"event": {"name": "x"}}, r"\[event\]: 'slug' is missing"),
        ({"event": {"slug": "p", "name": "x", "year": 1}}, "unknown key 'year'"),
        (
            {"rooms": [{"slug": "a", "name": "A"}, {"slug": "a", "name": "A"}]},
            "room 'a' appears twice",
        ),
        (
            {"rooms": [{"slug": "a", "name": "A", "booths": [{"lang": "en", "name": "E"}] * 2}]},
            r"rooms\[1\]: language 'en' appears twice",
        ),
        (
            {"rooms": [{"slug": "a", "name": "A", "booths": [{"lang": "floor", "name": "F"}]}]},
            r"rooms\[1\].booths\[1\]: language code 'floor' is reserved",
        ),
        ({"rooms": {"slug": "a"}}, r"\[\[rooms\]\]"),
        (
            {
                "rooms": [
                    {
                        "slug": "a",
                        "name": "A",
                        "booths": [{"lang": "en", "name": "E", "transcription": "yes"}],
                    }
                ]
            },
            "transcription must be true or false",
        ),
    ],
)
async def test_import_refuses_any_bad_part_and_creates_nothing(
    memory_db: None, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(SetupError, match=message):
        await import_event(_document(**changes))
    assert await _counts() == (0, 0, 0)


async def test_import_of_an_existing_event_is_refused(memory_db: None) -> None:
    await import_event(_document())
    with pytest.raises(SetupError, match="event 'pycon2026' already exists"):
        await import_event(_document())
    assert await _counts() == (1, 2, 3)


async def test_import_rolls_back_when_the_database_fails_half_way(memory_db: None) -> None:
    # A trigger makes the last booth fail inside the database, after the event, both rooms and
    # two booths were written: the transaction must take all of them back.
    await Tortoise.get_connection("default").execute_script(
        "CREATE TRIGGER no_french BEFORE INSERT ON booth WHEN NEW.language_code = 'fr' "
        "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END;"
    )
    with pytest.raises(SetupError):
        await import_event(_document())
    assert await _counts() == (0, 0, 0)


async def test_invite_gets_its_lifetime_uses_and_label(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    await add_booth("pycon/main", "en", "English")
    invite = await create_invite("pycon/main/en", "interpreter", 0.5, 3, " Ana ", now=T0)
    assert invite.expires_at == T0 + timedelta(minutes=30)
    assert (invite.max_uses, invite.label) == (3, "Ana")


@pytest.mark.parametrize(
    ("role", "hours", "uses", "message"),
    [
        ("listener", 1.0, 1, "role must be one of interpreter, technician"),
        ("interpreter", 0.0, 1, "hours must be a number above 0"),
        ("interpreter", float("nan"), 1, "hours must be a number above 0"),
        ("interpreter", 9000.0, 1, "at most 8760"),
        ("interpreter", 1.0, 0, "uses must be a whole number from 1"),
    ],
)
async def test_invite_with_bad_options_is_refused(
    memory_db: None, role: str, hours: float, uses: int, message: str
) -> None:
    await add_event("pycon", "PyCon")
    await add_booth("pycon/main", "en", "English")
    with pytest.raises(SetupError, match=message):
        await create_invite("pycon/main/en", role, hours, uses)
    assert await db.list_invites() == []


async def test_invite_for_an_unknown_booth_is_refused(memory_db: None) -> None:
    with pytest.raises(SetupError, match="no booth 'pycon/main/en'"):
        await create_invite("pycon/main/en", "interpreter", 1.0)


async def test_invite_can_be_revoked_by_a_prefix_of_its_token(memory_db: None) -> None:
    await add_event("pycon", "PyCon")
    await add_booth("pycon/main", "en", "English")
    invite = await create_invite("pycon/main/en", "interpreter", 1.0)
    token, was_active = await revoke_invite(invite.token[:8])
    again = await revoke_invite(invite.token)
    rows = await list_invite_rows("pycon/main/en")
    assert (token, was_active, again) == (invite.token, True, (invite.token, False))
    assert [r.status for r in rows] == ["revoked"]


async def test_revoking_needs_a_prefix_that_matches_exactly_one_token(memory_db: None) -> None:
    with pytest.raises(SetupError, match="at least its first 6 characters"):
        await revoke_invite("abc")
    with pytest.raises(SetupError, match="no invite with a token starting 'abcdefg'"):
        await revoke_invite("abcdefg")


async def test_invite_url_is_the_secure_url_and_the_token(tmp_path: Path) -> None:
    config_file = tmp_path / "kiosk.toml"
    config_file.write_text('[kiosk]\nsecure_url = "https://kiosk.local:8443/"\n')
    assert invite_url(load_config(config_file), "abc") == "https://kiosk.local:8443/join/abc"


async def test_init_sets_up_a_fresh_folder_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "site" / "kiosk.toml"
    first = await init_kiosk(path)
    secrets_before = first.secrets_path.read_bytes()
    cert_before = first.certificate.read_bytes() if first.certificate else b""
    second = await init_kiosk(path)
    assert first.config_created and first.secrets_created and first.certificate_created
    assert first.migrations_applied and first.data_dir == tmp_path / "site" / "data"
    assert not (second.config_created or second.secrets_created or second.certificate_created)
    assert second.migrations_applied == ()
    assert second.secrets_path.read_bytes() == secrets_before
    assert second.certificate is not None and second.certificate.read_bytes() == cert_before
    assert stat.S_IMODE(first.secrets_path.stat().st_mode) == 0o600


async def test_init_makes_no_certificate_when_tls_is_off(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[server]\ntls = "off"\n')
    report = await init_kiosk(path)
    assert report.certificate is None
    assert not (tmp_path / "data" / "tls").exists()
