"""The pace of Python's cycle collector for a server that takes in a crowd at once.

Every phone that joins allocates many small objects (transport, protocol, parser, request,
websocket, futures) and keeps them for as long as it listens. CPython's default thresholds
start a young-generation pass every 700 net allocations and an older pass every 10 of those,
and as the surviving objects pile up, full passes walk every object the process holds, modules
and templates included. Measured on a 2,000-phone storm, the collector was about a third of the server's CPU
time per phone (docs/decisions/join-storm.md).

A young-generation threshold of YOUNG_THRESHOLD makes those passes about fourteen times rarer;
each walks more young objects, which is cheap next to walking the whole heap (allocating
200,000 objects that stay alive cost 0.285 s of collection at 700, 0.032 s at 10,000).
Reference cycles are still collected, a little later: garbage waits for at most
YOUNG_THRESHOLD net allocations instead of 700. Objects without cycles are freed by reference
counting as before; the collector plays no part in that.
"""

from __future__ import annotations

import gc

from aiohttp import web

YOUNG_THRESHOLD = 10_000
"""Net allocations between two young-generation passes (CPython's default is 700)."""


def pace_collector() -> None:
    """Raise the young-generation threshold to YOUNG_THRESHOLD (never lower it).

    Process-wide and idempotent: the console and `serve` call it through the app's start-up,
    and a host that already chose a larger threshold keeps its own.
    """
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_THRESHOLD:
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)


async def _pace_on_startup(app: web.Application) -> None:
    pace_collector()


def setup_collector(app: web.Application) -> None:
    """Pace the collector when the app starts (for `serve` and the console alike)."""
    app.on_startup.append(_pace_on_startup)
