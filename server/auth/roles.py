"""Who may do what: the permission matrix as plain data and one function (no I/O).

A Principal is what a request's token and memberships say about its bearer. `can` answers for an
action on a target, where the target is an event slug (`pycon`), a room (`pycon/main`) or a booth
id (`pycon/main/en`). Scope narrows every grant: a technician acts only in their events, an
interpreter only in their booth (and may read the media of its room), a listener only in a room.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from server.identity import Role


class Action(StrEnum):
    """Everything the permission matrix decides."""

    CREATE_EVENT = "create_event"  # new events; target ""
    MANAGE_USERS = "manage_users"  # accounts and passwords; target ""
    ADMIN_PANEL = "admin_panel"  # /admin pages of an event
    MANAGE_EVENT = "manage_event"  # rooms, booths, memberships, listener code of an event
    MANAGE_INVITES = "manage_invites"  # create, list, revoke invites and see their QR
    VIEW_CONSOLE = "view_console"  # /console/{event}
    VIEW_TRANSCRIPT = "view_transcript"  # transcripts and on-air logs
    JOIN_BOOTH = "join_booth"  # booth websocket and interpreter page
    CHAT = "chat"
    HANDOVER = "handover"  # offer, request, accept, decline, cancel as a participant
    CONTROL_BOOTH = "control_booth"  # set anyone active, mute, cancel any handover
    PUBLISH = "publish"  # send audio to the booth's media path
    READ_MEDIA = "read_media"  # play a room's floor and booths
    LISTEN = "listen"  # listener page and socket
    FEED_FLOOR = "feed_floor"  # the floor page: publish a room's floor from a browser


# The matrix. Scope is checked separately by `_in_scope`.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.TECHNICIAN: frozenset(
        {
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
        }
    ),
    Role.INTERPRETER: frozenset(
        {
            Action.JOIN_BOOTH,
            Action.CHAT,
            Action.HANDOVER,
            Action.PUBLISH,
            Action.READ_MEDIA,
            Action.LISTEN,
        }
    ),
    Role.LISTENER: frozenset({Action.LISTEN, Action.READ_MEDIA}),
}

# Actions whose target is the whole installation rather than one event.
GLOBAL_ACTIONS = frozenset({Action.CREATE_EVENT, Action.MANAGE_USERS})


@dataclass(frozen=True)
class Principal:
    """What the kiosk knows about whoever makes a request."""

    participant_id: str
    display_name: str
    is_admin: bool = False
    technician_events: frozenset[str] = field(default_factory=frozenset)
    interpreter_booths: frozenset[str] = field(default_factory=frozenset)
    listener_rooms: frozenset[str] = field(default_factory=frozenset)
    picks_own_name: bool = False
    """An interpreter from an invite without a label: their page asks for a name, and the
    name `booth:join` carries is the one the booth shows."""


def _event_of(target: str) -> str:
    return target.split("/")[0]


def _room_of(target: str) -> str:
    return "/".join(target.split("/")[:2])


def _in_scope(principal: Principal, role: Role, action: Action, target: str) -> bool:
    if role is Role.ADMIN:
        return True
    if action in GLOBAL_ACTIONS:
        return False
    if role is Role.TECHNICIAN:
        return bool(target) and _event_of(target) in principal.technician_events
    if role is Role.INTERPRETER:
        if target.count("/") < 1:
            return False
        if action in (Action.READ_MEDIA, Action.LISTEN):
            return any(_room_of(b) == _room_of(target) for b in principal.interpreter_booths)
        return target in principal.interpreter_booths
    # Listener: a room or anything inside it.
    return target.count("/") >= 1 and _room_of(target) in principal.listener_rooms


def roles_of(principal: Principal) -> list[Role]:
    """The roles a principal holds anywhere, strongest first."""
    roles = []
    if principal.is_admin:
        roles.append(Role.ADMIN)
    if principal.technician_events:
        roles.append(Role.TECHNICIAN)
    if principal.interpreter_booths:
        roles.append(Role.INTERPRETER)
    if principal.listener_rooms:
        roles.append(Role.LISTENER)
    return roles


def can(principal: Principal, action: Action, target: str = "") -> bool:
    """True when some role of the principal grants `action` and covers `target`."""
    return any(
        action in GRANTS[role] and _in_scope(principal, role, action, target)
        for role in roles_of(principal)
    )


def booth_role(principal: Principal, booth_id: str) -> Role | None:
    """The role a principal takes inside a booth (admin, technician, interpreter), or None."""
    for role in roles_of(principal):
        if role is Role.LISTENER:
            continue
        if _in_scope(principal, role, Action.JOIN_BOOTH, booth_id):
            return role
    return None
