"""Websockets per client address, a reserve of file descriptors, and a quiet accept loop.

Every open websocket holds one file descriptor for as long as it lives. Without limits a
thousand sockets from one laptop used every descriptor the process had: `accept()` then failed
for everybody, `/healthz` included, and asyncio logged a traceback for each failed accept
(megabytes a second). Three measures, all set up by `setup_socket_limits`:

- At start-up the process's soft open-file limit is raised to its hard limit.
- A new websocket is refused with 503 (before the upgrade, so it costs nothing) when its
  client address already holds its share, or when the process's websockets would eat into
  the descriptors kept in reserve for pages, `/healthz`, the database and MediaMTX.
- asyncio's "socket.accept() out of system resource" error is logged once per interval with
  a count instead of once per attempt with a traceback. After such an error asyncio retries
  the accept a second later; when the server has closed in between (a shutdown), that retry
  finds no socket and raises. That is logged as one line, not a traceback per retry.

Listener and booth sockets have separate per-address caps: a whole audience may sit behind one
venue NAT address, while booth sockets come from a few interpreters and technicians (the web
console opens one per booth card). The caps are `[server] listener_sockets_per_address` and
`booth_sockets_per_address`.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from server.keys import CONFIG, SOCKET_BUDGET

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RESERVE_FRACTION = 4
"""A quarter of the descriptors (at least MIN_RESERVE) is kept for everything but websockets."""
MIN_RESERVE = 64
ACCEPT_ERROR_INTERVAL = 10.0
"""Seconds between two log lines about failed accepts."""
RETRY_AFTER_SECONDS = 30
KINDS = {"/ws/listen/": "listener", "/ws/booth/": "booth"}

BUSY = "The kiosk has too many open connections right now. Try again in a minute."
TOO_MANY_FROM_HERE = (
    "Too many connections from this network address. Close other tabs or devices, or ask a "
    "technician to raise the limit."
)


def raise_open_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit (where allowed); returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            logger.warning("cannot raise the open-file limit above %d", soft)
    return soft


def websocket_budget(open_file_limit: int) -> int:
    """How many websockets may be open at once, leaving a reserve of descriptors."""
    if open_file_limit == resource.RLIM_INFINITY:
        return 1 << 30
    reserve = max(MIN_RESERVE, open_file_limit // RESERVE_FRACTION)
    return max(0, open_file_limit - reserve)


@dataclass
class SocketBudget:
    """Counts open websockets per kind and client address, and decides on new ones."""

    total_limit: int
    per_address: dict[str, int]
    open_total: int = 0
    by_address: Counter[tuple[str, str]] = field(default_factory=Counter)

    def refusal(self, kind: str, address: str) -> str | None:
        """Why a new socket of `kind` from `address` is refused, or None to accept it."""
        if self.open_total >= self.total_limit:
            return BUSY
        if self.by_address[(kind, address)] >= self.per_address[kind]:
            return TOO_MANY_FROM_HERE
        return None

    def take(self, kind: str, address: str) -> None:
        """Count one open socket."""
        self.open_total += 1
        self.by_address[(kind, address)] += 1

    def give_back(self, kind: str, address: str) -> None:
        """Count one socket closed."""
        self.open_total -= 1
        key = (kind, address)
        self.by_address[key] -= 1
        if self.by_address[key] <= 0:
            del self.by_address[key]


def _socket_kind(request: web.Request) -> str | None:
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return None
    return next((kind for prefix, kind in KINDS.items() if request.path.startswith(prefix)), None)


@web.middleware
async def socket_limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """503 for a websocket over its address's share or into the reserve; count the rest."""
    kind = _socket_kind(request)
    budget = request.app.get(SOCKET_BUDGET)
    if kind is None or budget is None:
        return await handler(request)
    address = request.remote or "unknown"
    if reason := budget.refusal(kind, address):
        # Plain text, built in memory: when descriptors are short, even opening the error
        # page's template would fail.
        return web.Response(
            status=503, text=reason, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    budget.take(kind, address)
    try:
        # A websocket handler returns only when its socket has closed.
        return await handler(request)
    finally:
        budget.give_back(kind, address)


class AcceptErrorThrottle:
    """A loop exception handler that reports failed accepts once per interval, without a traceback.

    asyncio calls the handler for every failed `accept()` (and retries many times a second);
    a retry that comes after the server closed is reported once, in one line; everything else
    goes on to the handler that was there before.
    """

    MESSAGE = "socket.accept() out of system resource"
    # asyncio's retry callback, which raises ValueError when the server's socket is closed.
    RETRY_CALLBACK = "._start_serving("

    def __init__(
        self, previous: Any, interval: float = ACCEPT_ERROR_INTERVAL, clock: Any = time.monotonic
    ) -> None:
        self._previous = previous
        self._interval = interval
        self._clock = clock
        self._last = float("-inf")
        self._suppressed = 0
        self._retry_after_close_reported = False

    def _is_retry_after_close(self, context: dict[str, Any]) -> bool:
        return isinstance(context.get("exception"), ValueError) and self.RETRY_CALLBACK in str(
            context.get("message", "")
        )

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """Handle one exception context of the loop."""
        if self._is_retry_after_close(context):
            if not self._retry_after_close_reported:
                logger.info("stopped retrying to accept connections: the server has closed")
                self._retry_after_close_reported = True
            return
        if context.get("message") != self.MESSAGE:
            if self._previous is not None:
                self._previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        now = self._clock()
        if now - self._last < self._interval:
            self._suppressed += 1
            return
        error = context.get("exception")
        logger.error(
            "cannot accept connections: %s (%d more failures since the last report); "
            "open connections are using every file descriptor",
            getattr(error, "strerror", None) or error,
            self._suppressed,
        )
        self._last, self._suppressed = now, 0


async def _start_limits(app: web.Application) -> None:
    limit = raise_open_file_limit()
    server = app[CONFIG].server
    app[SOCKET_BUDGET] = SocketBudget(
        total_limit=websocket_budget(limit),
        per_address={
            "listener": server.listener_sockets_per_address,
            "booth": server.booth_sockets_per_address,
        },
    )
    loop = asyncio.get_running_loop()
    if not isinstance(loop.get_exception_handler(), AcceptErrorThrottle):
        loop.set_exception_handler(AcceptErrorThrottle(loop.get_exception_handler()))
    logger.info("open-file limit %d: up to %d websockets", limit, websocket_budget(limit))


def setup_socket_limits(app: web.Application) -> None:
    """Install the websocket limits; they take effect when the app starts."""
    app.middlewares.append(socket_limits_middleware)
    app.on_startup.append(_start_limits)
