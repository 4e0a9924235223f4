"""Setup operations shared by the CLI, the Textual console and the web admin.

Every operation validates through `server.identity`, changes nothing when it refuses, and
raises one exception type, SetupError, whose message is shown to the user as it is.
"""

from __future__ import annotations

from server.manage.bootstrap import (
    InitReport,
    connect_database,
    disconnect_database,
    ensure_certificate,
    init_kiosk,
    open_database,
    prepare_database,
    write_example_config,
)
from server.manage.errors import DataError, SetupError, user_errors
from server.manage.event_import import EventPlan, import_event, plan_event_import
from server.manage.invites import (
    InviteRow,
    check_invite_options,
    create_invite,
    find_invite,
    invite_url,
    list_invite_rows,
    revoke_invite,
)
from server.manage.people import PASSWORD_MIN, add_user, check_password
from server.manage.queries import (
    BoothHistory,
    BoothOutline,
    EventOutline,
    RoomOutline,
    booth_chat,
    booth_history,
    booth_transcript,
    event_exists,
    live_booths,
    store_chat,
    venue_outline,
)
from server.manage.secrets import RotationReport, read_secret, rotate_secrets, store_secret
from server.manage.venues import (
    add_booth,
    add_event,
    add_room,
    floor_of,
    set_floor,
    set_floor_spec,
    store_floor,
)

__all__ = [
    "PASSWORD_MIN",
    "DataError",
    "BoothHistory",
    "BoothOutline",
    "EventOutline",
    "EventPlan",
    "InitReport",
    "InviteRow",
    "RoomOutline",
    "RotationReport",
    "SetupError",
    "add_booth",
    "add_event",
    "add_room",
    "add_user",
    "booth_chat",
    "booth_history",
    "booth_transcript",
    "check_invite_options",
    "check_password",
    "connect_database",
    "create_invite",
    "disconnect_database",
    "ensure_certificate",
    "event_exists",
    "find_invite",
    "floor_of",
    "import_event",
    "init_kiosk",
    "invite_url",
    "list_invite_rows",
    "live_booths",
    "open_database",
    "plan_event_import",
    "prepare_database",
    "read_secret",
    "revoke_invite",
    "rotate_secrets",
    "set_floor",
    "set_floor_spec",
    "store_chat",
    "store_floor",
    "store_secret",
    "user_errors",
    "venue_outline",
    "write_example_config",
]
