"""The web admin panel under `/admin` (docs/design.md §6): events, rooms, booths, people, invites,
transcripts and on-air logs, as plain server-rendered pages."""

from __future__ import annotations

from aiohttp import web

from server.admin import events, invites, people, records, users, venue


def add_admin_routes(app: web.Application) -> None:
    """Register every `/admin` page on `app`."""
    for module in (events, venue, people, invites, records, users):
        app.router.add_routes(module.routes)
