"""Admin pages for what happened in a booth: its transcript and its on-air log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

import db
from server.admin.access import booth_of, event_principal
from server.admin.onair import summarise_spans
from server.admin.views import render_admin
from server.auth.cookies import request_now
from server.auth.roles import Action
from server.http.errors import Problem
from server.transcription.export import to_srt, to_txt, to_vtt

if TYPE_CHECKING:
    from db.models import TranscriptSegment

routes = web.RouteTableDef()

EXPORT_FORMATS: dict[str, tuple[Callable[[Sequence[TranscriptSegment]], str], str]] = {
    "srt": (to_srt, "application/x-subrip"),
    "vtt": (to_vtt, "text/vtt"),
    "txt": (to_txt, "text/plain"),
}


@routes.get("/admin/events/{event}/rooms/{room}/booths/{lang}/transcript")
async def transcript(request: web.Request) -> web.Response:
    """The booth's captions as a readable page, with download links."""
    principal, event = await event_principal(request, Action.VIEW_TRANSCRIPT)
    booth = await booth_of(event, request)
    segments = await db.list_transcript(booth.path)
    context = {"event": event, "booth": booth, "segments": segments, "formats": EXPORT_FORMATS}
    return render_admin(request, principal, "transcript.html", context)


@routes.get("/admin/events/{event}/rooms/{room}/booths/{lang}/transcript.{format}")
async def transcript_download(request: web.Request) -> web.Response:
    """The booth's transcript as an SRT, WebVTT or plain-text file."""
    _, event = await event_principal(request, Action.VIEW_TRANSCRIPT)
    booth = await booth_of(event, request)
    fmt = request.match_info["format"]
    if fmt not in EXPORT_FORMATS:
        raise Problem(404, f"there is no '{fmt}' transcript; try srt, vtt or txt")
    export, content_type = EXPORT_FORMATS[fmt]
    text = export(await db.list_transcript(booth.path))
    filename = f"{booth.path.replace('/', '-')}.{fmt}"
    return web.Response(
        text=text,
        content_type=content_type,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@routes.get("/admin/events/{event}/rooms/{room}/booths/{lang}/on-air")
async def on_air_log(request: web.Request) -> web.Response:
    """Who interpreted when, with per-person and booth totals: what interpreters are paid by."""
    principal, event = await event_principal(request, Action.VIEW_TRANSCRIPT)
    booth = await booth_of(event, request)
    log = summarise_spans(await db.list_spans(booth.path), request_now(request))
    context = {"event": event, "booth": booth, "log": log}
    return render_admin(request, principal, "on_air.html", context)
