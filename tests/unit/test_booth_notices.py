"""Which booths a change notifies: the changed booth, and siblings whose relay label moved."""

from __future__ import annotations

import pytest

from server.booth.state import Identity
from tests.booth_support import ANA, BEN, DE, EN, FR, Booths, make_booths

A, B = ANA.participant_id, BEN.participant_id


@pytest.fixture
def booths() -> Booths:
    """English booth with Ana on air and Ben passive; the change log starts empty."""
    booths = make_booths()
    booths.registry.join(EN, ANA)
    booths.registry.join(EN, BEN)
    booths.clear()
    return booths


def test_a_change_that_keeps_the_relay_source_notifies_only_that_booth(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, FR)
    booths.clear()

    booths.registry.set_listeners(EN, 7)

    assert booths.changed_booths() == [EN]


def test_passing_the_mic_to_a_relaying_interpreter_notifies_the_new_pivot(
    booths: Booths,
) -> None:
    booths.registry.set_relay(EN, B, DE)
    booths.clear()

    booths.registry.set_active(EN, A, B)

    assert booths.changed_booths() == [EN, DE]
    assert booths.changes[1].snapshot.relay_label == "+"


def test_moving_relay_between_siblings_notifies_both_in_registry_order(booths: Booths) -> None:
    booths.registry.set_relay(EN, A, DE)
    booths.clear()

    booths.registry.set_relay(EN, A, FR)

    assert booths.changed_booths() == [EN, FR, DE]
    labels = {c.booth_id: c.snapshot.relay_label for c in booths.changes}
    assert labels == {EN: "\u2212", FR: "+", DE: "floor"}


def test_a_pivot_with_another_relayer_left_is_not_notified(booths: Booths) -> None:
    booths.registry.join(DE, Identity("invite:8", "Dan", "interpreter"))
    booths.registry.set_relay(DE, "invite:8", FR)
    booths.registry.set_relay(EN, A, FR)
    booths.clear()

    booths.registry.set_relay(EN, A, "floor")

    assert booths.changed_booths() == [EN]
    assert booths.registry.snapshot(FR).relay_label == "+"


def test_room_booths_keep_the_order_they_were_added_in_after_a_removal() -> None:
    booths = make_booths()
    booths.registry.remove_booth(EN)
    booths.registry.add_booth(EN, "en", "English")

    assert booths.registry.room_booth_ids("conf", "main") == [FR, DE, EN]
