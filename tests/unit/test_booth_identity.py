"""Identity rules (docs/design.md §2): slugs, language codes, booth ids, floor channels, emails."""

from __future__ import annotations

import pytest

from server.identity import (
    BoothId,
    RoomKey,
    is_floor_channel,
    validate_display_name,
    validate_email,
    validate_event_slug,
    validate_language_code,
    validate_listener_code,
    validate_room_slug,
)


@pytest.mark.parametrize("slug", ["pycon2026", "hall-b", "a", "x1-y2-z3", "a" * 40])
def test_valid_event_slugs_are_accepted(slug: str) -> None:
    assert validate_event_slug(slug) == slug


def test_slug_is_stripped_and_lowercased_before_validation() -> None:
    assert validate_event_slug("  PyCon2026 ") == "pycon2026"


@pytest.mark.parametrize("slug", ["-a", "a-", "a--b", "a_b", "a b", "ä", "a/b", "a.b"])
def test_slug_breaking_the_pattern_names_the_rule(slug: str) -> None:
    with pytest.raises(ValueError, match="lowercase letters and digits in groups"):
        validate_event_slug(slug)


def test_slug_longer_than_40_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="too long.*at most 40 characters"):
        validate_room_slug("a" * 41)


def test_empty_slug_is_refused() -> None:
    with pytest.raises(ValueError, match="room slug is empty"):
        validate_room_slug("   ")


def test_non_text_slug_is_refused() -> None:
    with pytest.raises(ValueError, match="must be text"):
        validate_event_slug(42)


@pytest.mark.parametrize("code", ["en", "deu", "pt-br", "zh-hant", "sr-latn-rs", "es-419"])
def test_valid_language_codes_are_accepted(code: str) -> None:
    assert validate_language_code(code) == code


def test_language_code_is_lowercased() -> None:
    assert validate_language_code(" PT-BR ") == "pt-br"


@pytest.mark.parametrize("code", ["e", "engl", "en_", "en-", "en-x", "en-abcdefghi", "1en", "e1"])
def test_language_code_breaking_the_pattern_names_the_rule(code: str) -> None:
    with pytest.raises(ValueError, match="2 or 3 lowercase letters"):
        validate_language_code(code)


def test_language_code_longer_than_16_characters_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        validate_language_code("en-abcdefgh-abcdefgh")


def test_floor_is_reserved_as_a_language_code() -> None:
    with pytest.raises(ValueError, match="reserved"):
        validate_language_code("Floor")


def test_booth_id_parses_into_event_room_and_language() -> None:
    booth = BoothId.parse("PyCon2026/Main/EN")
    assert booth == BoothId(RoomKey("pycon2026", "main"), "en")
    assert (booth.event, booth.room.slug, booth.language) == ("pycon2026", "main", "en")
    assert str(booth) == booth.path == "pycon2026/main/en"
    assert booth.room == RoomKey("pycon2026", "main")
    assert str(booth.room) == booth.room.path == "pycon2026/main"


def test_floor_channel_is_the_room_followed_by_floor() -> None:
    assert RoomKey("pycon2026", "main").floor == "pycon2026/main/floor"
    assert BoothId.parse("pycon2026/hall-b/de").floor == "pycon2026/hall-b/floor"
    assert is_floor_channel("pycon2026/main/floor")
    assert not is_floor_channel("pycon2026/main/fr")


def test_room_of_a_channel_is_read_from_booth_ids_and_floor_channels() -> None:
    assert RoomKey.of_channel("pycon/main/en") == RoomKey("pycon", "main")
    assert RoomKey.of_channel("pycon/main/floor") == RoomKey("pycon", "main")
    assert RoomKey("pycon", "main").booth("de") == BoothId.of("pycon/main/de")


@pytest.mark.parametrize("text", ["pycon/main", "pycon/main/en/x", "pycon//en", ""])
def test_a_stored_booth_id_with_the_wrong_shape_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="event/room/lang"):
        BoothId.of(text)


@pytest.mark.parametrize("text", ["pycon/main", "pycon/main/en/x", "pycon"])
def test_booth_id_with_wrong_number_of_parts_shows_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="EVENT/ROOM/LANG"):
        BoothId.parse(text)


def test_booth_id_with_a_bad_part_names_that_part() -> None:
    with pytest.raises(ValueError, match="room slug"):
        BoothId.parse("pycon/hall_b/en")


def test_booth_id_cannot_be_the_floor_channel() -> None:
    with pytest.raises(ValueError, match="reserved"):
        BoothId.parse("pycon/main/floor")


def test_room_key_parses_event_and_room() -> None:
    room = RoomKey.parse("PyCon/Hall-B")
    assert (room.event, room.slug) == ("pycon", "hall-b")


def test_room_key_needs_two_parts() -> None:
    with pytest.raises(ValueError, match="EVENT/ROOM"):
        RoomKey.parse("pycon")


def test_display_name_collapses_whitespace() -> None:
    assert validate_display_name("  Main \n Hall ") == "Main Hall"


def test_display_name_longer_than_its_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 100"):
        validate_display_name("x" * 101, "language name", 100)


def test_email_is_normalised() -> None:
    assert validate_email(" Ana@Example.ORG ") == "ana@example.org"


@pytest.mark.parametrize("email", ["ana", "ana@", "@example.org", "a b@c.org", "a@b..org"])
def test_invalid_email_names_the_rule(email: str) -> None:
    with pytest.raises(ValueError, match="an address like 'name@example.org'"):
        validate_email(email)


def test_empty_listener_code_means_no_code() -> None:
    assert validate_listener_code("") is None
    assert validate_listener_code(None) is None


def test_listener_code_must_be_4_to_32_letters_or_digits() -> None:
    assert validate_listener_code("AB12") == "ab12"
    with pytest.raises(ValueError, match="4 to 32 letters or digits"):
        validate_listener_code("12")
