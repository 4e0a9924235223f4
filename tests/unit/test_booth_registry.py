"""Booth registry: booths and rooms, media and audience, and change notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from server.booth.state import (
    BoothChange,
    BoothRegistry,
    Forbidden,
    Identity,
    InvalidAction,
    SpanClosed,
    UnknownBooth,
)
from tests.booth_support import (
    ANA,
    BEN,
    DE,
    EN,
    FR,
    HALL_EN,
    START,
    TESS,
    Booths,
    make_booths,
)


@pytest.fixture
def booths() -> Booths:
    return make_booths()


# ---------------------------------------------------------------- media and audience


def test_on_air_ignores_ingest_until_media_is_tracked(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    assert booths.registry.is_on_air(EN)

    booths.registry.set_media_tracking(True)
    assert not booths.registry.is_on_air(EN)

    booths.registry.set_ingest(EN, True)
    assert booths.registry.is_on_air(EN)
    assert booths.registry.snapshot(EN).on_air is True


def test_booth_without_an_active_interpreter_is_never_on_air(booths: Booths) -> None:
    booths.registry.set_ingest(EN, True)

    assert not booths.registry.is_on_air(EN)


def test_media_tracking_changes_the_media_word_of_every_booth(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(FR, BEN)
    booths.registry.set_ingest(FR, True)
    booths.clear()

    booths.registry.set_media_tracking(True)

    assert set(booths.changed_booths()) == set(booths.registry.booth_ids())
    assert [booths.registry.is_on_air(b) for b in (EN, FR)] == [False, True]
    assert [booths.registry.snapshot(b).media for b in (EN, FR)] == [
        "not-sending",
        "sending",
    ]


def test_with_the_media_server_down_nobody_is_on_air(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.set_ingest(EN, True)
    booths.registry.set_media_server("running")
    assert booths.registry.is_on_air(EN)

    booths.registry.set_media_server("down")

    snapshot = booths.registry.snapshot(EN)
    assert (snapshot.on_air, snapshot.media, snapshot.active_id) == (
        False,
        "no-server",
        ANA.participant_id,
    )
    booths.registry.set_media_server("running")
    assert booths.registry.is_on_air(EN)


def test_with_media_disabled_the_kiosk_cannot_tell_and_says_so(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    assert booths.registry.snapshot(EN).media == "untracked"
    booths.refused(InvalidAction, lambda: booths.registry.set_media_server("crashed"))  # type: ignore[arg-type]


def test_listener_count_is_reported_and_a_negative_count_is_invalid(booths: Booths) -> None:
    booths.registry.set_listeners(FR, 12)

    assert booths.registry.snapshot(FR).listeners == 12
    booths.refused(InvalidAction, lambda: booths.registry.set_listeners(FR, -1))


# ---------------------------------------------------------------- notifications


@pytest.mark.parametrize(
    "repeat",
    [
        lambda r: r.set_ingest(EN, False),
        lambda r: r.set_listeners(EN, 0),
        lambda r: r.set_media_tracking(False),
        lambda r: r.join(EN, ANA),
        lambda r: r.set_active(EN, TESS.participant_id, ANA.participant_id),
        lambda r: r.set_muted(EN, ANA.participant_id, False),
        lambda r: r.set_relay(EN, ANA.participant_id, "floor"),
        lambda r: r.update_booth(EN, language_name="English", transcription=False),
        lambda r: r.update_booth(EN),
    ],
    ids=[
        "ingest",
        "listeners",
        "media",
        "rejoin",
        "set_active",
        "mute",
        "relay",
        "update_booth",
        "update_nothing",
    ],
)
def test_setting_the_same_value_again_notifies_nobody(
    booths: Booths, repeat: Callable[[BoothRegistry], object]
) -> None:
    booths.registry.join(EN, TESS)
    booths.registry.join(EN, ANA)
    booths.clear()

    repeat(booths.registry)

    assert booths.changes == []


def test_each_real_change_reaches_every_subscriber_once(booths: Booths) -> None:
    second: list[BoothChange] = []
    booths.registry.subscribe(second.append)

    booths.registry.set_listeners(EN, 3)

    assert booths.changes == second
    assert [c.snapshot.listeners for c in second] == [3]


def test_a_failing_subscriber_breaks_neither_the_registry_nor_the_others(
    booths: Booths, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(change: BoothChange) -> None:
        raise RuntimeError("subscriber bug")

    booths.registry.subscribe(explode)
    later: list[BoothChange] = []
    booths.registry.subscribe(later.append)

    with caplog.at_level(logging.ERROR):
        booths.registry.join(EN, ANA)

    assert booths.registry.snapshot(EN).active_id == ANA.participant_id
    assert len(later) == 1
    assert "subscriber" in caplog.text


def test_unsubscribe_stops_notifications(booths: Booths) -> None:
    seen: list[BoothChange] = []
    unsubscribe = booths.registry.subscribe(seen.append)

    unsubscribe()
    booths.registry.set_listeners(EN, 3)

    assert seen == []


# ---------------------------------------------------------------- booths


def test_booths_are_listed_per_room(booths: Booths) -> None:
    assert booths.registry.room_booth_ids("conf", "main") == [EN, FR, DE]
    assert booths.registry.room_booth_ids("conf", "hall") == [HALL_EN]
    assert booths.registry.booth_ids() == [EN, FR, DE, HALL_EN]


def test_adding_a_booth_announces_it(booths: Booths) -> None:
    booths.registry.add_booth("conf/main/pt-br", "pt-br", "Português")

    assert booths.registry.has_booth("conf/main/pt-br")
    assert booths.changed_booths() == ["conf/main/pt-br"]


@pytest.mark.parametrize(
    ("booth_id", "language_code"),
    [(EN, "en"), ("conf/main", "main"), ("conf/main/it", "es"), ("a//b", "b")],
    ids=["duplicate", "two-parts", "language-mismatch", "empty-part"],
)
def test_adding_a_malformed_or_duplicate_booth_is_invalid(
    booths: Booths, booth_id: str, language_code: str
) -> None:
    booths.refused(InvalidAction, lambda: booths.registry.add_booth(booth_id, language_code, "X"))


def test_removing_a_booth_closes_its_open_span_and_announces_it(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.clear()

    booths.registry.remove_booth(EN)

    assert not booths.registry.has_booth(EN)
    assert booths.effects() == [SpanClosed(EN, ANA.participant_id, START)]
    assert booths.changes[0].snapshot.active_id is None


def test_editing_a_booth_announces_its_new_name_and_caption_switch_once(booths: Booths) -> None:
    booths.registry.update_booth(EN, language_name="English (UK)", transcription=True)

    assert booths.changed_booths() == [EN]
    change = booths.changes[0]
    assert (change.snapshot.language_name, change.snapshot.transcription) == (
        "English (UK)",
        True,
    )
    assert change.effects == ()
    assert booths.registry.snapshot(EN) == change.snapshot


def test_editing_only_the_name_keeps_the_caption_switch(booths: Booths) -> None:
    booths.registry.update_booth(DE, language_name="German")

    snapshot = booths.registry.snapshot(DE)
    assert (snapshot.language_name, snapshot.transcription) == ("German", True)


def test_switching_captions_off_keeps_the_name(booths: Booths) -> None:
    booths.registry.update_booth(DE, transcription=False)

    snapshot = booths.registry.snapshot(DE)
    assert (snapshot.language_name, snapshot.transcription) == ("Deutsch", False)


def test_editing_an_on_air_booth_keeps_its_interpreter_on_air_and_its_siblings_quiet(
    booths: Booths,
) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(FR, BEN)
    booths.registry.set_relay(FR, BEN.participant_id, EN)
    booths.clear()

    booths.registry.update_booth(EN, language_name="English (UK)")

    assert booths.changed_booths() == [EN]
    snapshot = booths.registry.snapshot(EN)
    assert (snapshot.active_id, snapshot.on_air_since) == (ANA.participant_id, START)
    assert snapshot.relay_label == "+"  # FR still takes relay from it


@pytest.mark.parametrize(
    "action",
    [
        lambda r: r.snapshot("x/y/z"),
        lambda r: r.join("x/y/z", ANA),
        lambda r: r.leave("x/y/z", "invite:1"),
        lambda r: r.disconnect("x/y/z", "invite:1"),
        lambda r: r.offer("x/y/z", "invite:1"),
        lambda r: r.request("x/y/z", "invite:1"),
        lambda r: r.accept("x/y/z", "invite:1"),
        lambda r: r.decline("x/y/z", "invite:1"),
        lambda r: r.cancel("x/y/z", "invite:1"),
        lambda r: r.set_active("x/y/z", "user:1", "invite:1"),
        lambda r: r.set_muted("x/y/z", "user:1", True),
        lambda r: r.set_relay("x/y/z", "user:1", "floor"),
        lambda r: r.set_ingest("x/y/z", True),
        lambda r: r.set_listeners("x/y/z", 1),
        lambda r: r.is_on_air("x/y/z"),
        lambda r: r.participant("x/y/z", "invite:1"),
        lambda r: r.restore_on_air("x/y/z", "invite:1", "Ana", 0.0),
        lambda r: r.remove_booth("x/y/z"),
        lambda r: r.update_booth("x/y/z", language_name="X"),
    ],
)
def test_every_call_on_an_unknown_booth_raises_not_found(
    booths: Booths, action: Callable[[BoothRegistry], object]
) -> None:
    error = booths.refused(UnknownBooth, lambda: action(booths.registry))

    assert error.code == "not_found"


def test_error_codes_match_the_protocol() -> None:
    assert Forbidden("no").code == "forbidden"
    assert InvalidAction("no").code == "invalid"
    assert UnknownBooth("no").code == "not_found"
    assert Forbidden("because").message == "because"


def test_while_mediamtx_runs_a_pages_report_does_not_make_a_booth_on_air(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.set_media_server("running")

    booths.registry.set_ingest(EN, True, from_page=True)
    assert not booths.registry.is_on_air(EN)

    booths.registry.set_ingest(EN, True)  # MediaMTX's paths/list says online
    assert booths.registry.is_on_air(EN)


def test_a_participant_in_every_snapshot_shows_what_changed_since_the_last(
    booths: Booths,
) -> None:
    # Participant snapshots are reused while nothing they show changed: each change must show.
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    assert [p.connected for p in booths.registry.snapshot(EN).participants] == [True, True]

    booths.registry.disconnect(EN, BEN.participant_id)
    assert [p.connected for p in booths.registry.snapshot(EN).participants] == [True, False]

    booths.registry.join(EN, BEN)
    booths.registry.set_relay(EN, BEN.participant_id, FR)
    ben = booths.registry.snapshot(EN).participants[1]
    assert (ben.connected, ben.relay) == (True, FR)

    booths.registry.join(EN, Identity(BEN.participant_id, "Ben B.", BEN.role))  # a new name
    ben = booths.registry.snapshot(EN).participants[1]
    assert (ben.display_name, ben.connected, ben.relay) == ("Ben B.", True, FR)
