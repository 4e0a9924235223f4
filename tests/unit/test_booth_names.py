"""Names in a booth: never two people under one name (pure core), and who an invite's holder is."""

from __future__ import annotations

import pytest

from server.auth.principals import invite_id_of_participant, invite_participant_id
from server.booth.names import distinct_name
from server.booth.state import Identity, SpanOpened
from server.http.link_preview import is_link_preview
from tests.booth_support import EN, FR, GRACE, make_booths


def interpreter(pid: str, name: str) -> Identity:
    """An interpreter identity; `invite:5:2` is the second person to use invite 5."""
    return Identity(pid, name, "interpreter")


@pytest.mark.parametrize(
    ("wanted", "taken", "shown"),
    [
        ("Ana", [], "Ana"),
        ("Ana", ["Ben"], "Ana"),
        ("Ana", ["Ana"], "Ana (2)"),
        ("Ana", ["Ana", "Ana (2)"], "Ana (3)"),
        ("Ana", ["Ana", "Ana (3)"], "Ana (2)"),
        ("ana", ["ANA"], "ana (2)"),
        ("Ana Lima", ["Ana  Lima"], "Ana Lima (2)"),
        ("Ana (2)", ["Ana (2)"], "Ana (2) (2)"),
        ("x" * 200, ["x" * 200], "x" * 196 + " (2)"),
    ],
)
def test_distinct_name_adds_the_smallest_free_suffix(
    wanted: str, taken: list[str], shown: str
) -> None:
    assert distinct_name(wanted, taken) == shown


def test_two_people_under_one_name_are_told_apart_in_the_booth() -> None:
    booths = make_booths()
    first, second = interpreter("invite:5:1", "Ana"), interpreter("invite:5:2", "Ana")
    booths.registry.join(EN, first)
    state = booths.registry.join(EN, second)
    assert [p.display_name for p in state.participants] == ["Ana", "Ana (2)"]
    identity = booths.registry.participant(EN, "invite:5:2")
    assert identity is not None and identity.display_name == "Ana (2)"


def test_a_reconnect_keeps_its_own_name_rather_than_colliding_with_itself() -> None:
    booths = make_booths()
    booths.registry.join(EN, interpreter("invite:5:1", "Ana"))
    booths.registry.join(EN, interpreter("invite:5:2", "Ana"))
    booths.registry.disconnect(EN, "invite:5:1")
    state = booths.registry.join(EN, interpreter("invite:5:1", "Ana"))
    assert [p.display_name for p in state.participants] == ["Ana", "Ana (2)"]
    # The second person renaming to a free name drops the suffix.
    state = booths.registry.join(EN, interpreter("invite:5:2", "Ana B."))
    assert [p.display_name for p in state.participants] == ["Ana", "Ana B."]


def test_a_name_is_free_again_once_its_slot_is_gone() -> None:
    booths = make_booths()
    booths.registry.join(EN, interpreter("invite:5:1", "Ana"))
    booths.registry.join(EN, interpreter("invite:5:2", "Ana"))
    booths.registry.disconnect(EN, "invite:5:1")
    booths.clock.advance(GRACE + 1)
    state = booths.registry.join(EN, interpreter("invite:5:3", "Ana"))
    assert sorted(p.display_name for p in state.participants) == ["Ana", "Ana (2)"]


def test_names_are_distinct_per_booth_and_the_on_air_log_gets_the_shown_name() -> None:
    booths = make_booths()
    booths.registry.join(FR, interpreter("invite:6:1", "Ana"))
    booths.registry.join(EN, interpreter("invite:5:1", "Ben"))
    booths.registry.leave(EN, "invite:5:1")
    booths.registry.join(EN, interpreter("invite:5:2", "Ana"))
    booths.registry.join(EN, interpreter("invite:5:3", "Ana"))
    booths.registry.set_active(EN, "invite:5:2", "invite:5:3")
    opened = [e for e in booths.effects(EN) if isinstance(e, SpanOpened)]
    assert [e.display_name for e in opened][-2:] == ["Ana", "Ana (2)"]


def test_a_restored_holder_of_the_mic_is_also_told_apart() -> None:
    booths = make_booths()
    booths.registry.join(EN, Identity("user:1", "Ana", "technician"))
    booths.registry.restore_on_air(EN, "invite:5:1", "Ana", since=0.0)
    identity = booths.registry.participant(EN, "invite:5:1")
    assert identity is not None and identity.display_name == "Ana (2)"


@pytest.mark.parametrize(
    ("participant_id", "invite_id"),
    [
        ("invite:12", 12),
        ("invite:12:1", 12),
        ("invite:12:30", 12),
        (invite_participant_id(7, 3), 7),
        ("invite:12:0", None),
        ("invite:12:x", None),
        ("invite:12:3:4", None),
        ("invite:", None),
        ("invite:abc", None),
        ("invite:\u00b2", None),
        ("invite:-1", None),
        ("user:12", None),
        ("listener:ab12", None),
    ],
)
def test_invite_id_of_participant_reads_both_forms_and_nothing_else(
    participant_id: str, invite_id: int | None
) -> None:
    assert invite_id_of_participant(participant_id) == invite_id


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "",
    ],
)
def test_ordinary_browsers_are_not_taken_for_link_previews(agent: str) -> None:
    assert not is_link_preview(agent)
