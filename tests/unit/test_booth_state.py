"""Booth state machine: presence, grace periods, failover and restore after a restart."""

from __future__ import annotations

import json

import pytest

from server.booth.state import (
    Alert,
    Identity,
    InvalidAction,
    SpanClosed,
    SpanOpened,
)
from server.ws.protocol import booth_state_json
from tests.booth_support import (
    ADAM,
    ANA,
    BEN,
    CAT,
    DE,
    EN,
    GRACE,
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

    assert state.active_id == ANA.participant_id
    assert state.on_air_since == START
    assert booths.effects() == [SpanOpened(EN, ANA.participant_id, "Ana", START)]


def test_second_interpreter_joins_passive_without_span_effects(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.clear()

    state = booths.registry.join(EN, BEN)

    assert state.active_id == ANA.participant_id
    assert booths.effects() == []


@pytest.mark.parametrize("controller", [TESS, ADAM])
def test_technicians_and_admins_never_go_on_air_by_joining(
    booths: Booths, controller: Identity
) -> None:
    state = booths.registry.join(EN, controller)

    assert state.active_id is None
    assert booths.effects() == []


def test_interpreter_joining_after_a_technician_still_goes_on_air(booths: Booths) -> None:
    booths.registry.join(EN, TESS)

    assert booths.registry.join(EN, ANA).active_id == ANA.participant_id


def test_snapshot_carries_every_contract_field_with_participants_in_join_order(
    booths: Booths,
) -> None:
    booths.registry.join(DE, BEN)
    booths.registry.join(DE, TESS)
    booths.registry.join(DE, ANA)

    # The snapshot is typed; the websocket edge turns it into the contract's JSON, key order too.
    wire = booth_state_json(booths.registry.snapshot(DE))
    expected = {
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
        "media": "untracked",
        "listeners": 0,
        "relay_label": "floor",
    }  # fmt: skip
    assert wire == expected
    assert json.dumps(wire) == json.dumps(expected)


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
    assert state.active_id == ANA.participant_id
    assert state.participants[0].connected is False
    assert alert_kinds(booths) == ["active_disconnected"]
    assert not any(isinstance(e, SpanClosed | SpanOpened) for e in booths.effects())


def test_passive_socket_dropping_raises_no_alert(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()

    booths.registry.disconnect(EN, BEN.participant_id)

    assert booths.registry.snapshot(EN).participants[1].connected is False
    assert booths.effects() == []


def test_reconnect_within_grace_keeps_the_slot_and_the_mic(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, ANA.participant_id)
    booths.clock.advance(GRACE - 1)
    booths.registry.tick()
    booths.clear()

    state = booths.registry.join(EN, ANA)

    assert state.active_id == ANA.participant_id
    assert state.on_air_since == START
    assert [p.participant_id for p in state.participants] == ["invite:1", "invite:2"]
    assert state.participants[0].connected is True
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
    assert state.active_id == BEN.participant_id
    assert state.on_air_since == expiry
    assert [p.participant_id for p in state.participants] == [BEN.participant_id]
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

    assert state.active_id == BEN.participant_id
    assert [p.participant_id for p in state.participants] == ["invite:2", "invite:1"]


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

    assert booths.registry.snapshot(EN).active_id == CAT.participant_id


def test_failover_skips_interpreters_whose_socket_is_down(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.join(EN, CAT)
    booths.registry.disconnect(EN, BEN.participant_id)

    booths.registry.leave(EN, ANA.participant_id)

    assert booths.registry.snapshot(EN).active_id == CAT.participant_id


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
    assert state.active_id is None
    assert state.on_air_since is None
    assert booths.effects()[0] == SpanClosed(EN, ANA.participant_id, now)
    assert alert_kinds(booths) == ["booth_empty"]


def test_passive_interpreter_leaving_leaves_the_mic_alone(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()

    booths.registry.leave(EN, BEN.participant_id)

    assert booths.registry.snapshot(EN).active_id == ANA.participant_id
    assert booths.effects() == []
    assert booths.changed_booths() == [EN]


def test_interpreter_reconnecting_to_an_emptied_booth_goes_on_air(booths: Booths) -> None:
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.registry.disconnect(EN, BEN.participant_id)
    booths.registry.leave(EN, ANA.participant_id)
    assert booths.registry.snapshot(EN).active_id is None

    assert booths.registry.join(EN, BEN).active_id == BEN.participant_id


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

    assert state.active_id == ANA.participant_id
    assert state.on_air_since == since
    assert not any(isinstance(e, SpanOpened | SpanClosed) for e in booths.effects())


def test_restored_interpreter_missing_the_grace_period_loses_the_mic(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)
    booths.registry.join(EN, BEN)
    booths.clear()
    expiry = booths.clock.advance(GRACE + 1)

    booths.registry.tick()

    assert booths.registry.snapshot(EN).active_id == BEN.participant_id
    assert booths.effects()[:2] == [
        SpanClosed(EN, ANA.participant_id, expiry),
        SpanOpened(EN, BEN.participant_id, "Ben", expiry),
    ]


def test_restored_interpreter_alone_past_grace_empties_the_booth(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)
    booths.clear()
    booths.clock.advance(GRACE + 1)

    booths.registry.tick()

    assert booths.registry.snapshot(EN).active_id is None
    assert [type(e) for e in booths.effects()] == [SpanClosed, Alert]
    assert alert_kinds(booths) == ["booth_empty"]


def test_restore_emits_no_span_and_shows_the_interpreter_disconnected(booths: Booths) -> None:
    booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 600)

    state = booths.registry.snapshot(EN)
    assert state.participants[0].connected is False
    assert booths.effects() == []
    assert booths.changed_booths() == [EN]


def test_restore_into_a_booth_with_someone_on_air_is_invalid(booths: Booths) -> None:
    booths.registry.join(EN, BEN)

    booths.refused(
        InvalidAction,
        lambda: booths.registry.restore_on_air(EN, ANA.participant_id, "Ana", START - 60),
    )
