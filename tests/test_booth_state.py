"""Booth state machine: presence, grace periods, failover, restore, media and notifications."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from server.booth_state import (
    Alert,
    BoothChange,
    BoothRegistry,
    Forbidden,
    Identity,
    InvalidAction,
    SpanClosed,
    SpanOpened,
    UnknownBooth,
)
from tests.booth_support import (
    ADAM,
    ANA,
    BEN,
    CAT,
    DE,
    EN,
    FR,
    GRACE,
    HALL_EN,
    START,
    TESS,
    Booths,
    make_booths,
)


@pytest.fixture
def booths() -> Booths:
    return make_booths()


def alert_kinds(booths: Booths, booth_id: str = EN) -> list[str]:
    return [e.kind for e in booths.effects(booth_id) if isinstance(e, Alert)]


# ---------------------------------------------------------------- joining


def test_first_interpreter_to_join_goes_on_air_and_opens_a_span(booths: Booths) -> None:
    state = booths.registry.join(EN, ANA)

    assert state["active_id"] == ANA.participant_id
    assert state["on_air_since"] == START
    assert booths.effects() == [SpanOpened(EN, ANA.participant_id, "Ana", START)]


def test_second_interpreter_joins_passive_without_span_effects(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.clear()

    state = booths.registry.join(EN, BEN)

    assert state["active_id"] == ANA.participant_id
    assert booths.effects() == []


@pytest.mark.parametrize("controller", [TESS, ADAM])
def test_technicians_and_admins_never_go_on_air_by_joining(
    booths: Booths, controller: Identity
) -> None:
    state = booths.registry.join(EN, controller)

    assert state["active_id"] is None
    assert booths.effects() == []


def test_interpreter_joining_after_a_technician_still_goes_on_air(booths: Booths) -> None:
    booths.registry.join(EN, TESS)

    assert booths.registry.join(EN, ANA)["active_id"] == ANA.participant_id


def test_snapshot_carries_every_contract_field_with_participants_in_join_order(
    booths: Booths,
) -> None:
    booths.registry.join(DE, BEN)
    booths.registry.join(DE, TESS)
    booths.registry.join(DE, ANA)

    assert booths.registry.snapshot(DE) == {
        "booth_id": DE,
        "language_code": "de",
        "language_name": "Deutsch",
        "transcription": True,
        "participants": [
            {"participant_id": "invite:2", "display_name": "Ben", "role": "interpreter",
             "connected": True, "relay": "floor"},
            {"participant_id": "user:1", "display_name": "Tess", "role": "technician",
             "connected": True, "relay": "floor"},
            {"participant_id": "invite:1", "display_name": "Ana", "role": "interpreter",
             "connected": True, "relay": "floor"},
        ],
        "active_id": "invite:2",
        "on_air_since": START,
        "on_air": True,
        "muted": False,
        "handover": {"state": "idle", "from": None, "to": None},
        "ingest": False,
        "listeners": 0,
        "relay_label": "floor",
    }  # fmt: skip


def test_join_with_an_unknown_role_is_invalid(booths: Booths) -> None:
    stranger = Identity("invite:7", "Sam", "listener")

    booths.refused(InvalidAction, lambda: booths.registry.join(EN, stranger))


def test_participant_returns_the_identity_in_a_slot_or_none(booths: Booths) -> None:
    booths.registry.join(EN, TESS)

    assert booths.registry.participant(EN, TESS.participant_id) == TESS
    assert booths.registry.participant(EN, "invite:404") is None


# ---------------------------------------------------------------- disconnect and grace


def test_active_socket_dropping_alerts_at_once_and_keeps_the_mic(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()

    booths.registry.disconnect(EN, ANA.participant_id)

    state = booths.registry.snapshot(EN)
    assert state["active_id"] == ANA.participant_id
    assert state["participants"][0]["connected"] is False
    assert alert_kinds(booths) == ["active_disconnected"]
    assert not any(isinstance(e, SpanClosed | SpanOpened) for e in booths.effects())


def test_passive_socket_dropping_raises_no_alert(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()

    booths.registry.disconnect(EN, BEN.participant_id)

    assert booths.registry.snapshot(EN)["participants"][1]["connected"] is False
    assert booths.effects() == []


def test_reconnect_within_grace_keeps_the_slot_and_the_mic(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, ANA.participant_id)
    booths.clock.advance(GRACE - 1)
    booths.registry.tick()
    booths.clear()

    state = booths.registry.join(EN, ANA)

    assert state["active_id"] == ANA.participant_id
    assert state["on_air_since"] == START
    assert [p["participant_id"] for p in state["participants"]] == ["invite:1", "invite:2"]
    assert state["participants"][0]["connected"] is True
    assert booths.effects() == []


def test_slot_is_kept_at_exactly_the_grace_period_and_removed_after_it(booths: Booths) -> None:
    booths.registry.join(EN, TESS)
    booths.registry.disconnect(EN, TESS.participant_id)

    booths.clock.advance(GRACE)
    booths.registry.tick()
    assert booths.registry.participant(EN, TESS.participant_id) == TESS

    booths.clock.advance(0.5)
    booths.registry.tick()
    assert booths.registry.participant(EN, TESS.participant_id) is None


def test_active_disconnected_past_grace_passes_the_mic_to_the_partner(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, ANA.participant_id)
    booths.clear()
    expiry = booths.clock.advance(GRACE + 1)

    booths.registry.tick()

    state = booths.registry.snapshot(EN)
    assert state["active_id"] == BEN.participant_id
    assert state["on_air_since"] == expiry
    assert [p["participant_id"] for p in state["participants"]] == [BEN.participant_id]
    closed, opened, alert = booths.effects()
    assert closed == SpanClosed(EN, ANA.participant_id, expiry)
    assert opened == SpanOpened(EN, BEN.participant_id, "Ben", expiry)
    assert isinstance(alert, Alert)
    assert alert.kind == "mic_passed"
    assert "Ben" in alert.message


def test_rejoining_after_grace_does_not_reclaim_the_mic_even_before_tick(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, ANA.participant_id)
    booths.clock.advance(GRACE + 1)

    state = booths.registry.join(EN, ANA)

    assert state["active_id"] == BEN.participant_id
    assert [p["participant_id"] for p in state["participants"]] == ["invite:2", "invite:1"]


def test_disconnect_after_an_explicit_leave_is_ignored(booths: Booths) -> None:
    booths.registry.join(EN, BEN)
    booths.registry.leave(EN, BEN.participant_id)
    booths.clear()

    booths.registry.disconnect(EN, BEN.participant_id)

    assert booths.changes == []


def test_tick_with_nothing_expired_notifies_nobody(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.disconnect(EN, ANA.participant_id)
    booths.clock.advance(5)
    booths.clear()

    booths.registry.tick()

    assert booths.changes == []


# ---------------------------------------------------------------- leaving and failover


def test_failover_picks_the_interpreter_who_has_waited_longest(booths: Booths) -> None:
    booths.registry.join(EN, TESS)
    booths.registry.join(EN, ANA)  # on air from START
    booths.clock.advance(1)
    booths.registry.join(EN, BEN)  # waiting since START + 1
    booths.clock.advance(1)
    booths.registry.join(EN, CAT)  # waiting since START + 2
    booths.clock.advance(10)
    booths.registry.set_active(EN, TESS.participant_id, BEN.participant_id)  # Ana waits from +12

    booths.registry.leave(EN, BEN.participant_id)

    assert booths.registry.snapshot(EN)["active_id"] == CAT.participant_id


def test_failover_skips_interpreters_whose_socket_is_down(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.join(EN, CAT)
    booths.registry.disconnect(EN, BEN.participant_id)

    booths.registry.leave(EN, ANA.participant_id)

    assert booths.registry.snapshot(EN)["active_id"] == CAT.participant_id


def test_active_leaving_passes_the_mic_with_spans_and_an_alert(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()
    now = booths.clock.advance(30)

    booths.registry.leave(EN, ANA.participant_id)

    assert booths.effects()[:2] == [
        SpanClosed(EN, ANA.participant_id, now),
        SpanOpened(EN, BEN.participant_id, "Ben", now),
    ]
    assert alert_kinds(booths) == ["mic_passed"]


def test_active_leaving_an_empty_booth_closes_the_span_and_alerts(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, TESS)
    booths.clear()
    now = booths.clock.advance(30)

    booths.registry.leave(EN, ANA.participant_id)

    state = booths.registry.snapshot(EN)
    assert state["active_id"] is None
    assert state["on_air_since"] is None
    assert booths.effects()[0] == SpanClosed(EN, ANA.participant_id, now)
    assert alert_kinds(booths) == ["booth_empty"]


def test_passive_interpreter_leaving_leaves_the_mic_alone(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()

    booths.registry.leave(EN, BEN.participant_id)

    assert booths.registry.snapshot(EN)["active_id"] == ANA.participant_id
    assert booths.effects() == []
    assert booths.changed_booths() == [EN]


def test_interpreter_reconnecting_to_an_emptied_booth_goes_on_air(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, BEN.participant_id)
    booths.registry.leave(EN, ANA.participant_id)
    assert booths.registry.snapshot(EN)["active_id"] is None

    assert booths.registry.join(EN, BEN)["active_id"] == BEN.participant_id


def test_leaving_a_booth_one_is_not_in_is_invalid(booths: Booths) -> None:
    booths.refused(InvalidAction, lambda: booths.registry.leave(EN, ANA.participant_id))


# ---------------------------------------------------------------- restore after restart


def test_restored_interpreter_rejoining_in_time_keeps_the_open_span(booths: Booths) -> None:
    since = START - 600
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", since)
    booths.registry.join(EN, BEN)
    booths.clock.advance(GRACE - 5)
    booths.registry.tick()

    state = booths.registry.join(EN, ANA)

    assert state["active_id"] == ANA.participant_id
    assert state["on_air_since"] == since
    assert not any(isinstance(e, SpanOpened | SpanClosed) for e in booths.effects())


def test_restored_interpreter_missing_the_grace_period_loses_the_mic(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)
    booths.registry.join(EN, BEN)
    booths.clear()
    expiry = booths.clock.advance(GRACE + 1)

    booths.registry.tick()

    assert booths.registry.snapshot(EN)["active_id"] == BEN.participant_id
    assert booths.effects()[:2] == [
        SpanClosed(EN, ANA.participant_id, expiry),
        SpanOpened(EN, BEN.participant_id, "Ben", expiry),
    ]


def test_restored_interpreter_alone_past_grace_empties_the_booth(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)
    booths.clear()
    booths.clock.advance(GRACE + 1)

    booths.registry.tick()

    assert booths.registry.snapshot(EN)["active_id"] is None
    assert [type(e) for e in booths.effects()] == [SpanClosed, Alert]
    assert alert_kinds(booths) == ["booth_empty"]


def test_restore_emits_no_span_and_shows_the_interpreter_disconnected(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)

    state = booths.registry.snapshot(EN)
    assert state["participants"][0]["connected"] is False
    assert booths.effects() == []
    assert booths.changed_booths() == [EN]


def test_restore_into_a_booth_with_someone_on_air_is_invalid(booths: Booths) -> None:
    booths.registry.join(EN, BEN)

    booths.refused(
        InvalidAction,
        lambda: booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 60),
    )


# ---------------------------------------------------------------- media and audience


def test_on_air_ignores_ingest_until_media_is_tracked(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    assert booths.registry.is_on_air(EN)

    booths.registry.set_media_tracking(True)
    assert not booths.registry.is_on_air(EN)

    booths.registry.set_ingest(EN, True)
    assert booths.registry.is_on_air(EN)
    assert booths.registry.snapshot(EN)["on_air"] is True


def test_booth_without_an_active_interpreter_is_never_on_air(booths: Booths) -> None:
    booths.registry.set_ingest(EN, True)

    assert not booths.registry.is_on_air(EN)


def test_media_tracking_notifies_only_booths_whose_on_air_changed(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(FR, BEN)
    booths.registry.set_ingest(FR, True)
    booths.clear()

    booths.registry.set_media_tracking(True)

    assert booths.changed_booths() == [EN]


def test_listener_count_is_reported_and_a_negative_count_is_invalid(booths: Booths) -> None:
    booths.registry.set_listeners(FR, 12)

    assert booths.registry.snapshot(FR)["listeners"] == 12
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
    ],
    ids=["ingest", "listeners", "media", "rejoin", "set_active", "mute", "relay"],
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
    assert [c.snapshot["listeners"] for c in second] == [3]


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

    assert booths.registry.snapshot(EN)["active_id"] == ANA.participant_id
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
    assert booths.changes[0].snapshot["active_id"] is None


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
