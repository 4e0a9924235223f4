"""Live captions inside the running kiosk: `captions_context`, added to `cleanup_ctx` by `make_app`.

When `[transcription] enabled = true`, the context runs one `LiveCaptions` (server/transcription/live.py)
for the app's lifetime: booths with `transcription = true` are captioned while they are on air.
The engine loads on a worker thread at the first booth that goes on air, so the kiosk starts
fast; a model that cannot load is logged and shown as `"state": "error: …"`, and the server runs
on without captions. With MediaMTX disabled there is nothing to read: the state says so.

What it publishes in `app[EXTRAS]`:

- `"captions_state"`: a zero-argument callable returning
  `{"enabled": bool, "booths": [booth ids being transcribed], "state": word}`, the `captions`
  entry of /healthz. The word is disabled, idle, loading, ready or `error: …`.
- `"caption_source"` (read, not written): a test seam, `(booth_id) -> str`, the source to open
  instead of the booth's MediaMTX stream (a file is paced in real time like a live booth).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

import db
from server.auth.credentials import create_listener_token
from server.config import Config
from server.keys import BOOTH_RUNTIME, CONFIG, EXTRAS, SERVICES
from server.secrets.store import KioskSecrets
from server.ws import broadcast_caption

if TYPE_CHECKING:
    from server.transcription.engine import TranscriptionEngine

log = logging.getLogger(__name__)

STATE = "captions_state"
SOURCE = "caption_source"
# The RTSP user name, so MediaMTX's logs and the hook's `user` say who reads; the hook only
# looks at the token.
READER_ID = "captions"
READER_TOKEN_HOURS = 1.0
NO_MEDIAMTX = "captions read the booths from MediaMTX, and [mediamtx] enabled = false"


def disabled_state() -> dict[str, Any]:
    """The `captions` entry when captions are off in the configuration."""
    return {"enabled": False, "booths": [], "state": "disabled"}


def failed_state(reason: str) -> dict[str, Any]:
    """The `captions` entry when captions are on but cannot run at all."""
    return {"enabled": True, "booths": [], "state": f"error: {reason}"}


def rtsp_source(config: Config, kiosk_secrets: KioskSecrets) -> Callable[[str], str]:
    """Booth id → MediaMTX's RTSP URL for it, with a fresh listener token as `?token=`.

    MediaMTX asks the auth hook before it lets anyone read, and for RTSP it parses `?token=`
    into the hook's `token` field. The token is not the URL's password: FFmpeg (under PyAV)
    keeps at most 127 characters of an RTSP URL's user:password, which cuts a JWT short, so
    the real MediaMTX refused every caption reader that way. A listener token of the booth's
    room may read that room's paths and publish nothing: the least the captions need. It is
    minted per connection attempt, so a long session never reconnects with an expired one.
    """
    port = config.mediamtx.rtsp_port

    def source_for(booth_id: str) -> str:
        event, room, _ = booth_id.split("/")
        token = create_listener_token(
            event, room, key=kiosk_secrets.jwt_key, hours=READER_TOKEN_HOURS
        )
        return f"rtsp://{READER_ID}@127.0.0.1:{port}/{booth_id}?token={token}"

    return source_for


def engine_factory(config: Config) -> Callable[[], TranscriptionEngine]:
    """Builds the configured engine; called once, on a worker thread, when first needed."""
    settings = config.transcription

    def build() -> TranscriptionEngine:
        from server.transcription.engine import FasterWhisperEngine

        return FasterWhisperEngine(settings.model, num_workers=settings.max_concurrent)

    return build


async def _first_seq() -> int:
    """Continue after the highest stored seq: a listener page drops finals it has seen."""
    try:
        return await db.last_transcript_seq() + 1
    except Exception:  # no schema yet: /healthz reports the database, captions start at 1
        log.exception("cannot read the last caption number; starting at 1")
        return 1


async def captions_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: run live captions for the app's lifetime when they are enabled."""
    config, services, extras = app[CONFIG], app[SERVICES], app[EXTRAS]
    if not config.transcription.enabled:
        extras[STATE] = disabled_state
        yield
        return
    try:
        from server.transcription.live import LiveCaptions
    except ImportError as error:
        from server.transcription.engine import CAPTIONS_EXTRA_HINT

        log.error("captions are off: %s (%s)", CAPTIONS_EXTRA_HINT, error)
        extras[STATE] = lambda: failed_state(CAPTIONS_EXTRA_HINT)
        yield
        return
    source_for = extras.get(SOURCE)
    if source_for is None and not config.mediamtx.enabled:
        log.error("captions are off: %s", NO_MEDIAMTX)
        extras[STATE] = lambda: failed_state(NO_MEDIAMTX)
        yield
        return
    source_for = source_for or rtsp_source(config, services.secrets)
    runtime = app[BOOTH_RUNTIME]
    live = LiveCaptions(
        registry=runtime.registry,
        engine_factory=engine_factory(config),
        max_concurrent=config.transcription.max_concurrent,
        source_for=source_for,
        broadcast=lambda booth_id, status, text, seq: broadcast_caption(
            app, booth_id, status, text, seq
        ),
        # The runtime's one ordered writer; it outlives this context and stores the last finals.
        writer=runtime.writer,
        clock=services.clock,
        first_seq=await _first_seq(),
    )
    extras[STATE] = live.state
    live.start()
    try:
        yield
    finally:
        await live.close()
