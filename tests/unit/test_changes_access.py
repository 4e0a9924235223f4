"""The in-memory access view and the one function that maps a participant to its invite.

Pure rules, tested directly: the view refuses only what it knows to be revoked, deactivated or
deleted, and an id newer than its last reading is left to the database checks.
"""

from __future__ import annotations

import pytest

from server.auth.principals import invite_id_of_participant, user_id_of
from server.changes import AccessStates, AccessView


@pytest.mark.parametrize(
    ("participant_id", "invite_id"),
    [
        ("invite:7", 7),
        ("invite:7:2", 7),  # one redemption of a multi-use invite
        ("invite:", None),
        ("invite:7:", None),
        ("invite:7:2:1", None),
        ("invite:x", None),
        ("invite:²", None),
        ("user:7", None),
        ("listener:ab12", None),
        ("console", None),
    ],
)
def test_invite_ids_of_both_session_forms_are_read(
    participant_id: str, invite_id: int | None
) -> None:
    assert invite_id_of_participant(participant_id) == invite_id


def test_user_id_of_reads_user_subjects_only() -> None:
    assert [user_id_of(p) for p in ("user:3", "user:", "user:3:1", "invite:3")] == [
        3,
        None,
        None,
        None,
    ]


def test_the_view_refuses_revoked_deleted_and_deactivated_and_nothing_else() -> None:
    view = AccessView()
    empty = [view.allows(p) for p in ("invite:1", "user:1", "listener:x", "console")]
    changed = view.update(
        AccessStates(invites={1: True, 2: False, 4: True}, users={1: True, 2: False})
    )
    assert empty == [True, True, True, True]
    assert changed
    assert view.allows("invite:1") and view.allows("invite:1:3")
    assert not view.allows("invite:2") and not view.allows("invite:2:1")
    assert not view.allows("invite:3"), "an id below the highest seen that is gone was deleted"
    assert view.allows("invite:5"), "an invite newer than the last reading is not refused here"
    assert view.allows("user:1") and not view.allows("user:2") and view.allows("user:3")
    assert view.allows("listener:x") and view.allows("console")


def test_a_reading_with_the_same_states_changes_nothing() -> None:
    view = AccessView()
    states = AccessStates(invites={1: True}, users={1: True})
    assert view.update(states)
    assert not view.update(AccessStates(invites={1: True}, users={1: True}))
