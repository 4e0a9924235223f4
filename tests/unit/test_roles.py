"""The permission matrix (server/auth/roles.py): every grant and every denial, in and out of scope."""

from __future__ import annotations

import pytest

from server.auth.roles import Action, Principal, booth_role, can, roles_of
from server.identity import Role

PRINCIPALS = {
    Role.ADMIN: Principal("user:1", "Root", is_admin=True),
    Role.TECHNICIAN: Principal("user:2", "Tess", technician_events=frozenset({"pycon"})),
    Role.INTERPRETER: Principal("user:3", "Ana", interpreter_booths=frozenset({"pycon/main/en"})),
    Role.LISTENER: Principal("listener:x", "Listener", listener_rooms=frozenset({"pycon/main"})),
}

# What each role may do inside its own scope: the contract, written out by hand.
SPEC: dict[Role, set[Action]] = {
    Role.ADMIN: set(Action),
    Role.TECHNICIAN: {
        Action.ADMIN_PANEL,
        Action.MANAGE_EVENT,
        Action.MANAGE_INVITES,
        Action.VIEW_CONSOLE,
        Action.VIEW_TRANSCRIPT,
        Action.JOIN_BOOTH,
        Action.CHAT,
        Action.CONTROL_BOOTH,
        Action.PUBLISH,
        Action.READ_MEDIA,
        Action.LISTEN,
        Action.FEED_FLOOR,
    },
    Role.INTERPRETER: {
        Action.JOIN_BOOTH,
        Action.CHAT,
        Action.HANDOVER,
        Action.PUBLISH,
        Action.READ_MEDIA,
        Action.LISTEN,
    },
    Role.LISTENER: {Action.LISTEN, Action.READ_MEDIA},
}

GLOBAL = {Action.CREATE_EVENT, Action.MANAGE_USERS}
EVENT_LEVEL = {
    Action.ADMIN_PANEL,
    Action.MANAGE_EVENT,
    Action.MANAGE_INVITES,
    Action.VIEW_CONSOLE,
    Action.VIEW_TRANSCRIPT,
}
ROOM_LEVEL = {Action.READ_MEDIA, Action.LISTEN}


def _targets(role: Role, action: Action) -> tuple[str, str]:
    """(a target in the role's scope, a target outside it) for this action."""
    if action in GLOBAL:
        return "", ""
    if action in EVENT_LEVEL:
        return "pycon", "other"
    if action in ROOM_LEVEL:
        # A technician's scope is the whole event, so only another event is outside it.
        return "pycon/main", "other/main" if role is Role.TECHNICIAN else "pycon/hall-b"
    if action is Action.FEED_FLOOR:
        return "pycon/main/floor", "other/main/floor"
    return "pycon/main/en", "other/main/en"


CASES = [
    pytest.param(role, action, scoped, id=f"{role}-{action}-{'in' if scoped else 'out'}")
    for role in Role
    for action in Action
    for scoped in (True, False)
    if scoped or action not in GLOBAL
]


@pytest.mark.parametrize(("role", "action", "in_scope"), CASES)
def test_permission_matrix(role: Role, action: Action, in_scope: bool) -> None:
    inside, outside = _targets(role, action)
    target = inside if in_scope else outside
    expected = action in SPEC[role] and (in_scope or role is Role.ADMIN)
    assert can(PRINCIPALS[role], action, target) is expected


@pytest.mark.parametrize("action", sorted(GLOBAL))
@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.INTERPRETER, Role.LISTENER])
def test_only_admins_act_on_the_whole_installation(role: Role, action: Action) -> None:
    assert not can(PRINCIPALS[role], action, "pycon")


def test_interpreter_may_not_join_another_booth_of_the_same_room() -> None:
    assert not can(PRINCIPALS[Role.INTERPRETER], Action.JOIN_BOOTH, "pycon/main/de")
    assert not can(PRINCIPALS[Role.INTERPRETER], Action.PUBLISH, "pycon/main/de")


def test_interpreter_may_hear_every_channel_of_their_room() -> None:
    interpreter = PRINCIPALS[Role.INTERPRETER]
    assert can(interpreter, Action.READ_MEDIA, "pycon/main/de")
    assert can(interpreter, Action.READ_MEDIA, "pycon/main/floor")
    assert not can(interpreter, Action.READ_MEDIA, "pycon/hall-b/de")


def test_interpreter_has_no_event_wide_scope() -> None:
    assert not can(PRINCIPALS[Role.INTERPRETER], Action.LISTEN, "pycon")


def test_listener_may_read_the_booths_of_their_room_only() -> None:
    listener = PRINCIPALS[Role.LISTENER]
    assert can(listener, Action.READ_MEDIA, "pycon/main/en")
    assert not can(listener, Action.READ_MEDIA, "pycon/hall-b/en")
    assert not can(listener, Action.LISTEN, "pycon")


def test_technician_controls_every_booth_of_their_event_only() -> None:
    technician = PRINCIPALS[Role.TECHNICIAN]
    assert can(technician, Action.CONTROL_BOOTH, "pycon/hall-b/de")
    assert not can(technician, Action.CONTROL_BOOTH, "other/main/en")


def test_technician_needs_a_target() -> None:
    assert not can(PRINCIPALS[Role.TECHNICIAN], Action.MANAGE_EVENT, "")


def test_nobody_can_do_nothing() -> None:
    nobody = Principal("anon", "Nobody")
    assert roles_of(nobody) == []
    assert not any(can(nobody, action, "pycon/main/en") for action in Action)


def test_roles_are_listed_strongest_first() -> None:
    both = Principal(
        "user:9",
        "Both",
        is_admin=True,
        interpreter_booths=frozenset({"pycon/main/en"}),
        technician_events=frozenset({"pycon"}),
    )
    assert roles_of(both) == [Role.ADMIN, Role.TECHNICIAN, Role.INTERPRETER]


@pytest.mark.parametrize(
    ("role", "booth", "expected"),
    [
        (Role.ADMIN, "other/main/en", Role.ADMIN),
        (Role.TECHNICIAN, "pycon/hall-b/de", Role.TECHNICIAN),
        (Role.TECHNICIAN, "other/main/en", None),
        (Role.INTERPRETER, "pycon/main/en", Role.INTERPRETER),
        (Role.INTERPRETER, "pycon/main/de", None),
        (Role.LISTENER, "pycon/main/en", None),
    ],
)
def test_booth_role_is_the_role_taken_inside_a_booth(
    role: Role, booth: str, expected: Role | None
) -> None:
    assert booth_role(PRINCIPALS[role], booth) is expected
