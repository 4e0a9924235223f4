"""One change mechanism: the running kiosk follows what changes in its database elsewhere.

`ChangeWatcher` (watcher.py) hears "the database changed" from one source (db/changes.py) and
tells its subscribers; `AccessView` (access.py) keeps revocations in memory for the media hook
and booth sockets; follow.py wires both into the application.
"""

from __future__ import annotations

from server.changes.access import AccessStates, AccessView
from server.changes.follow import changed_here, end_revoked_sessions, setup_changes
from server.changes.watcher import ChangeWatcher, Subscriber

__all__ = [
    "AccessStates",
    "AccessView",
    "ChangeWatcher",
    "Subscriber",
    "changed_here",
    "end_revoked_sessions",
    "setup_changes",
]
