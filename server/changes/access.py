"""Who has lost access: revoked invites and deactivated accounts, held in memory.

MediaMTX's auth hook must answer without any I/O, and a booth socket checks every frame, so
both read this view instead of the database. The change watcher reloads it (two small queries)
whenever the database may have changed; a reload that finds the same states changes nothing.

The view only denies what it knows: an invite or account it has not seen yet (created a moment
ago, before the next reload) is not refused here. Ids are never reused (AUTOINCREMENT), so an id
at or below the highest one seen that is no longer in the table was deleted, and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import db
from server.auth.principals import invite_id_of_participant, user_id_of


@dataclass(frozen=True)
class AccessStates:
    """One reading of the database: id -> still valid, for invites and for user accounts."""

    invites: Mapping[int, bool] = field(default_factory=dict)
    users: Mapping[int, bool] = field(default_factory=dict)


class AccessView:
    """The latest `AccessStates`, and the question "may this participant still act?"."""

    def __init__(self) -> None:
        """Start knowing nothing, which denies nothing."""
        self.states = AccessStates()
        self._highest = (0, 0)

    def allows(self, participant_id: str) -> bool:
        """False for a session of a revoked or deleted invite, or of an inactive or deleted
        account; True for everybody else (listeners, the console, ids not seen yet)."""
        invite_id = invite_id_of_participant(participant_id)
        if invite_id is not None:
            return invite_id > self._highest[0] or self.states.invites.get(invite_id, False)
        user_id = user_id_of(participant_id)
        if user_id is not None:
            return user_id > self._highest[1] or self.states.users.get(user_id, False)
        return True

    def update(self, states: AccessStates) -> bool:
        """Take a new reading; True when access changed for somebody."""
        if states == self.states:
            return False
        self.states = states
        self._highest = (max(states.invites, default=0), max(states.users, default=0))
        return True

    async def reload(self) -> bool:
        """Read the states from the database; True when access changed for somebody."""
        invites = await db.invite_revocations()
        users = await db.user_activity()
        return self.update(
            AccessStates(
                invites={key: not revoked for key, revoked in invites.items()},
                users=users,
            )
        )
