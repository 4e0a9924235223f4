"""The websocket layer of the embedded server: booth sockets and listener sockets (DESIGN §7)."""

from __future__ import annotations

from server.ws.listen_socket import broadcast_caption
from server.ws.setup import register_booth, setup_websockets, unregister_booth

__all__ = ["broadcast_caption", "register_booth", "setup_websockets", "unregister_booth"]
