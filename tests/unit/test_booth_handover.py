"""Booth state machine: handover, set-active, mute and relay, with every permission denial."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from server.booth.models import Handover
from server.booth.state import (
    BoothRegistry,
    Forbidden,
    Identity,
    InvalidAction,
    SpanClosed,
    SpanOpened,
)
from tests.booth_support import (
    ADAM,
    ANA,
    BEN,
    CAT,
    DE,
    EN,
    FR,
    HALL_EN,
    OUTSIDER,
    TESS,
    Booths,
    make_booths,
)

A, B, C, T = ANA.participant_id, BEN.participant_id, CAT.participant_id, TESS.participant_id


@pytest.fixture
def booths() -> Booths:
    """English booth: Ana on air, Ben and Cat passive, Tess at the console."""
    booths = make_booths()
    for identity in (ANA, BEN, CAT, TESS):
        booths.registry.join(EN, identity)
    booths.clear()
    return booths


def handover(booths: Booths) -> Handover:
    return booths.registry.snapshot(EN).handover


def active(booths: Booths) -> str | None:
    active_id: str | None = booths.registry.snapshot(EN).active_id
    return active_id


# ---------------------------------------------------------------- offers


def test_open_offer_accepted_by_a_passive_interpreter_moves_the_mic(booths: Booths) -> None:
    booths.registry.offer(EN, A)
    assert handover(booths) == Handover("offered", A, None)
    now = booths.clock.advance(5)

    booths.registry.accept(EN, C)

    assert active(booths) == C
    assert handover(booths) == Handover("idle", None, None)
    assert booths.registry.snapshot(EN).on_air_since == now
    assert booths.effects() == [SpanClosed(EN, A, now), SpanOpened(EN, C, "Cat", now)]


def test_named_offer_may_be_accepted_only_by_its_target(booths: Booths) -> None:
    booths.registry.offer(EN, A, to=B)

    booths.refused(Forbidden, lambda: booths.registry.accept(EN, C))
    booths.registry.accept(EN, B)

    assert active(booths) == B


def test_declined_offer_returns_to_idle_and_the_mic_stays(booths: Booths) -> None:
    booths.registry.offer(EN, A, to=B)
    booths.clear()

    booths.registry.decline(EN, B)

    assert handover(booths).state == "idle"
    assert active(booths) == A
    assert booths.effects() == []


@pytest.mark.parametrize("actor", [B, T], ids=["passive", "technician"])
def test_only_the_active_interpreter_may_offer(booths: Booths, actor: str) -> None:
    booths.refused(Forbidden, lambda: booths.registry.offer(EN, actor))


@pytest.mark.parametrize(
    "target",
    [A, T, "invite:404"],
    ids=["self", "technician", "unknown"],
)
def test_offer_to_someone_who_cannot_take_the_mic_is_invalid(booths: Booths, target: str) -> None:
    booths.refused(InvalidAction, lambda: booths.registry.offer(EN, A, to=target))


def test_offer_to_a_disconnected_interpreter_is_invalid(booths: Booths) -> None:
    booths.registry.disconnect(EN, B)

    booths.refused(InvalidAction, lambda: booths.registry.offer(EN, A, to=B))


# ---------------------------------------------------------------- requests


def test_request_accepted_by_the_active_interpreter_moves_the_mic(booths: Booths) -> None:
    booths.registry.request(EN, B)
    assert handover(booths) == Handover("requested", B, A)

    booths.registry.accept(EN, A)

    assert active(booths) == B
    assert handover(booths).state == "idle"


@pytest.mark.parametrize("actor", [C, T, B], ids=["other-passive", "technician", "requester"])
def test_only_the_active_interpreter_may_answer_a_request(booths: Booths, actor: str) -> None:
    booths.registry.request(EN, B)

    booths.refused(Forbidden, lambda: booths.registry.accept(EN, actor))
    booths.refused(Forbidden, lambda: booths.registry.decline(EN, actor))


def test_declined_request_keeps_the_mic_with_the_active_interpreter(booths: Booths) -> None:
    booths.registry.request(EN, B)

    booths.registry.decline(EN, A)

    assert active(booths) == A
    assert handover(booths).state == "idle"


@pytest.mark.parametrize("actor", [A, T], ids=["active", "technician"])
def test_only_a_passive_interpreter_may_request(booths: Booths, actor: str) -> None:
    booths.refused(Forbidden, lambda: booths.registry.request(EN, actor))


def test_a_disconnected_interpreter_may_not_request(booths: Booths) -> None:
    booths.registry.disconnect(EN, B)

    booths.refused(Forbidden, lambda: booths.registry.request(EN, B))


def test_accepting_a_request_whose_requester_dropped_is_invalid(booths: Booths) -> None:
    booths.registry.request(EN, B)
    booths.registry.disconnect(EN, B)

    booths.refused(InvalidAction, lambda: booths.registry.accept(EN, A))


# ---------------------------------------------------------------- one handover at a time


@pytest.mark.parametrize(
    "second",
    [lambda r: r.offer(EN, A), lambda r: r.request(EN, C)],
    ids=["offer", "request"],
)
@pytest.mark.parametrize(
    "first",
    [lambda r: r.offer(EN, A, to=B), lambda r: r.request(EN, B)],
    ids=["after-offer", "after-request"],
)
def test_a_second_handover_while_one_is_pending_is_invalid(
    booths: Booths,
    first: Callable[[BoothRegistry], None],
    second: Callable[[BoothRegistry], None],
) -> None:
    first(booths.registry)

    booths.refused(InvalidAction, lambda: second(booths.registry))


@pytest.mark.parametrize(
    "answer",
    [
        lambda r: r.accept(EN, B),
        lambda r: r.decline(EN, B),
        lambda r: r.cancel(EN, A),
    ],
    ids=["accept", "decline", "cancel"],
)
def test_answering_when_nothing_is_pending_is_invalid(
    booths: Booths, answer: Callable[[BoothRegistry], None]
) -> None:
    booths.refused(InvalidAction, lambda: answer(booths.registry))


# ---------------------------------------------------------------- cancel


def test_the_initiator_may_cancel(booths: Booths) -> None:
    booths.registry.request(EN, B)

    booths.registry.cancel(EN, B)

    assert handover(booths).state == "idle"


@pytest.mark.parametrize("actor", [A, C], ids=["counterpart", "bystander"])
def test_nobody_but_the_initiator_or_console_may_cancel(booths: Booths, actor: str) -> None:
    booths.registry.request(EN, B)

    booths.refused(Forbidden, lambda: booths.registry.cancel(EN, actor))


@pytest.mark.parametrize("controller", [TESS, ADAM], ids=["technician", "admin"])
def test_the_console_may_override_and_cancel(booths: Booths, controller: Identity) -> None:
    booths.registry.join(EN, controller)
    booths.registry.offer(EN, A, to=B)

    booths.registry.cancel(EN, controller.participant_id)

    assert handover(booths).state == "idle"


# ---------------------------------------------------------------- what clears a handover


def test_set_active_clears_a_pending_handover(booths: Booths) -> None:
    booths.registry.request(EN, B)

    booths.registry.set_active(EN, T, C)

    assert handover(booths).state == "idle"


def test_requester_leaving_clears_the_request(booths: Booths) -> None:
    booths.registry.request(EN, B)

    booths.registry.leave(EN, B)

    assert handover(booths).state == "idle"
    assert active(booths) == A


def test_bystander_leaving_keeps_an_open_offer(booths: Booths) -> None:
    booths.registry.offer(EN, A)

    booths.registry.leave(EN, C)

    assert handover(booths) == Handover("offered", A, None)


def test_failover_clears_a_pending_offer(booths: Booths) -> None:
    booths.registry.offer(EN, A, to=C)
    booths.registry.disconnect(EN, A)
    booths.clock.advance(30)

    booths.registry.tick()

    assert active(booths) == B
    assert handover(booths).state == "idle"


# ---------------------------------------------------------------- set-active


@pytest.mark.parametrize("controller", [TESS, ADAM], ids=["technician", "admin"])
def test_the_console_may_put_any_connected_interpreter_on_air(
    booths: Booths, controller: Identity
) -> None:
    booths.registry.join(EN, controller)
    booths.clear()
    now = booths.clock.advance(60)

    booths.registry.set_active(EN, controller.participant_id, C)

    assert active(booths) == C
    assert booths.effects() == [SpanClosed(EN, A, now), SpanOpened(EN, C, "Cat", now)]


def test_the_active_interpreter_may_pass_the_mic_directly(booths: Booths) -> None:
    booths.registry.set_active(EN, A, B)

    assert active(booths) == B


def test_a_passive_interpreter_may_not_take_the_mic(booths: Booths) -> None:
    booths.refused(Forbidden, lambda: booths.registry.set_active(EN, B, B))


@pytest.mark.parametrize(
    "target",
    [T, "invite:404"],
    ids=["technician", "unknown"],
)
def test_only_interpreters_in_the_booth_can_be_made_active(booths: Booths, target: str) -> None:
    booths.refused(InvalidAction, lambda: booths.registry.set_active(EN, T, target))


def test_a_disconnected_interpreter_cannot_be_made_active(booths: Booths) -> None:
    booths.registry.disconnect(EN, C)

    booths.refused(InvalidAction, lambda: booths.registry.set_active(EN, T, C))


# ---------------------------------------------------------------- mute


def test_active_interpreter_mutes_and_the_technician_unmutes(booths: Booths) -> None:
    booths.registry.set_muted(EN, A, True)
    assert booths.registry.snapshot(EN).muted is True

    booths.registry.set_muted(EN, T, False)
    assert booths.registry.snapshot(EN).muted is False


def test_a_passive_interpreter_may_not_mute(booths: Booths) -> None:
    booths.refused(Forbidden, lambda: booths.registry.set_muted(EN, B, True))


def test_mute_resets_when_the_mic_changes_hands(booths: Booths) -> None:
    booths.registry.set_muted(EN, A, True)

    booths.registry.set_active(EN, A, B)

    assert booths.registry.snapshot(EN).muted is False


# ---------------------------------------------------------------- outsiders


@pytest.mark.parametrize(
    "action",
    [
        lambda r: r.offer(EN, OUTSIDER),
        lambda r: r.request(EN, OUTSIDER),
        lambda r: r.accept(EN, OUTSIDER),
        lambda r: r.decline(EN, OUTSIDER),
        lambda r: r.cancel(EN, OUTSIDER),
        lambda r: r.set_active(EN, OUTSIDER, B),
        lambda r: r.set_muted(EN, OUTSIDER, True),
        lambda r: r.set_relay(EN, OUTSIDER, FR),
    ],
    ids=["offer", "request", "accept", "decline", "cancel", "set_active", "mute", "relay"],
)
def test_someone_outside_the_booth_may_do_nothing(
    booths: Booths, action: Callable[[BoothRegistry], None]
) -> None:
    booths.registry.offer(EN, A)  # so accept/decline/cancel fail on who, not on state

    error = booths.refused(Forbidden, lambda: action(booths.registry))

    assert error.code == "forbidden"


def test_a_participant_of_another_booth_is_an_outsider_here(booths: Booths) -> None:
    booths.registry.join(FR, Identity("invite:8", "Flo", "interpreter"))

    booths.refused(Forbidden, lambda: booths.registry.set_muted(EN, "invite:8", True))


# ---------------------------------------------------------------- relay


def test_relay_labels_mark_the_relayed_booth_and_its_pivot(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, FR)

    assert booths.registry.snapshot(EN).relay_label == "\u2212"
    assert booths.registry.snapshot(FR).relay_label == "+"
    assert booths.registry.snapshot(DE).relay_label == "floor"
    assert booths.registry.snapshot(EN).participants[0].relay == FR


def test_relay_change_notifies_the_pivot_booth_too(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, FR)

    assert booths.changed_booths() == [EN, FR]


def test_a_passive_interpreters_relay_does_not_label_the_booth(booths: Booths) -> None:
    booths.registry.set_relay(EN, B, FR)

    assert booths.registry.snapshot(EN).relay_label == "floor"
    assert booths.registry.snapshot(FR).relay_label == "floor"


def test_relay_label_follows_the_mic(booths: Booths) -> None:
    booths.registry.set_relay(EN, B, DE)

    booths.registry.set_active(EN, A, B)

    assert booths.registry.snapshot(EN).relay_label == "\u2212"
    assert booths.registry.snapshot(DE).relay_label == "+"


def test_relayed_booth_that_is_also_a_pivot_shows_minus(booths: Booths) -> None:
    booths.registry.join(FR, Identity("invite:8", "Flo", "interpreter"))
    booths.registry.set_relay(EN, A, FR)
    booths.registry.set_relay(FR, "invite:8", DE)

    assert booths.registry.snapshot(FR).relay_label == "\u2212"
    assert booths.registry.snapshot(DE).relay_label == "+"


def test_returning_to_floor_clears_the_labels(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, FR)

    booths.registry.set_relay(EN, A, "floor")

    assert booths.registry.snapshot(EN).relay_label == "floor"
    assert booths.registry.snapshot(FR).relay_label == "floor"


@pytest.mark.parametrize(
    "source",
    [EN, HALL_EN, "conf/main/zz", "Floor", ""],
    ids=["itself", "other-room", "unknown-booth", "wrong-case", "empty"],
)
def test_relay_from_anything_but_floor_or_a_sibling_booth_is_invalid(
    booths: Booths, source: str
) -> None:
    booths.refused(InvalidAction, lambda: booths.registry.set_relay(EN, A, source))


def test_removing_a_pivot_booth_returns_its_relayers_to_floor(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, FR)

    booths.registry.remove_booth(FR)

    assert booths.registry.snapshot(EN).participants[0].relay == "floor"
    assert booths.registry.snapshot(EN).relay_label == "floor"
