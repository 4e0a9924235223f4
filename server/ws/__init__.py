"""The websocket layer of the embedded server: booth and listener sockets (docs/design.md §7)."""

from __future__ import annotations

from server.ws.chat import PostedChat, post_chat
from server.ws.listen_socket import broadcast_caption
from server.ws.room_directory import rooms_changed
from server.ws.setup import (
    follow_booths,
    refresh_booth,
    register_booth,
    setup_websockets,
    unregister_booth,
)

__all__ = [
    "PostedChat",
    "broadcast_caption",
    "follow_booths",
    "post_chat",
    "refresh_booth",
    "register_booth",
    "rooms_changed",
    "setup_websockets",
    "unregister_booth",
]
