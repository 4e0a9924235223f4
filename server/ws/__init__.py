"""The websocket layer of the embedded server: booth and listener sockets (docs/design.md §7).

Connection work only: it parses frames, calls the booth runtime (server/booth/runtime.py) and
sends frames. The live booths, their database writes and chat storage are the runtime's.
"""

from __future__ import annotations

from server.ws.listen_socket import broadcast_caption
from server.ws.room_directory import rooms_changed
from server.ws.setup import setup_websockets

__all__ = [
    "broadcast_caption",
    "rooms_changed",
    "setup_websockets",
]
