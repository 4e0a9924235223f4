"""TCP keepalive for listener sockets: the kernel, not a ping timer, notices a phone gone away.

Listener sockets have no websocket ping timer: thousands of phones would each hold a timer and
wake the loop every HEARTBEAT_SECONDS. TCP keepalive probes an idle connection after the same
time, every KEEPALIVE_INTERVAL seconds, and the kernel reports it dead after KEEPALIVE_PROBES
unanswered probes; TCP_USER_TIMEOUT does the same for a connection with frames still
unacknowledged. The socket then errors and its receive loop ends as usual. The probes also keep
the venue Wi-Fi's NAT mapping alive, as the pings did.

The options are set once, on the listening socket (`server.hosting.startup.bind_port`): Linux
copies them to every connection it accepts, so a phone joining costs no system call for them.
Every connection of the kiosk gets them that way; pages and booth sockets lose nothing by it (an
idle keep-alive connection sees a probe every 20 s; a peer that has acknowledged nothing for a
minute is gone). Where a platform does not copy them, or the socket came from elsewhere (the
test server), `keep_alive_by_kernel` sets them on the listener's own connection.
"""

from __future__ import annotations

import contextlib
import socket

from aiohttp import web

from server.ws.connection import HEARTBEAT_SECONDS

KEEPALIVE_INTERVAL = 5
KEEPALIVE_PROBES = 4
USER_TIMEOUT_MS = 60_000
"""Unacknowledged data older than this ends the connection (a phone gone mid-broadcast)."""

KERNEL_WATCH: tuple[tuple[int, int, int], ...] = tuple(
    (level, option, value)
    for level, option, value in (
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", None), int(HEARTBEAT_SECONDS)),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", None), KEEPALIVE_INTERVAL),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", None), KEEPALIVE_PROBES),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_USER_TIMEOUT", None), USER_TIMEOUT_MS),
    )
    if option is not None  # not every platform has every option
)
"""(level, option, value) for every keepalive option this platform has."""


def watch_by_kernel(sock: socket.socket) -> None:
    """Set the keepalive options on `sock` (a listening socket, or one connection)."""
    for level, option, value in KERNEL_WATCH:
        with contextlib.suppress(OSError):
            sock.setsockopt(level, option, value)


def keep_alive_by_kernel(request: web.Request) -> None:
    """Make sure the listener's connection carries the keepalive options.

    One system call when they came with the connection from the listening socket; all of
    them otherwise.
    """
    transport = request.transport
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None:
        return
    # SO_KEEPALIVE alone tells nothing (aiohttp turns it on for every connection, with the
    # kernel's default two-hour idle): the last option in the list, our own value, does.
    level, option, value = KERNEL_WATCH[-1]
    with contextlib.suppress(OSError):
        if sock.getsockopt(level, option) == value:
            return
    watch_by_kernel(sock)
