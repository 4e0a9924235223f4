"""Live captions inside the running kiosk: `CaptionsService`, kept in `app[CAPTIONS]`.

`make_app` adds `captions_context` to `cleanup_ctx`, which enters one `CaptionsService` for the
app's lifetime. When `[transcription] enabled = true`, the service runs one `LiveCaptions`
(server/transcription/live.py): booths with `transcription = true` are captioned while they are on air.
The engine loads on a worker thread at the first booth that goes on air, so the kiosk starts
fast; a model that cannot load is logged and shown as `"state": "error: …"`, and the server runs
on without captions. With MediaMTX disabled there is nothing to read: the state says so.

`CaptionsService.state()` returns `{"enabled": bool, "booths": [booth ids being transcribed],
"state": word}`, the `captions` entry of /healthz. The word is disabled, idle, loading, ready or
`error: …`. `app[CAPTION_SOURCE]`, when a test sets it before start-up, is a `(booth_id) -> str`
giving the source to open instead of the booth's MediaMTX stream (a file is paced in real time
like a live booth).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

import db
from server.auth.credentials import create_listener_token
from server.config import Config
from server.identity import BoothId
from server.keys import BOOTH_RUNTIME, CAPTION_SOURCE, CAPTIONS, CONFIG, SERVICES
from server.secrets.store import KioskSecrets
from server.services import Services
from server.ws import broadcast_caption

if TYPE_CHECKING:
    from server.booth.runtime import BoothRuntime
    from server.transcription.engine import TranscriptionEngine
    from server.transcription.live import LiveCaptions

log = logging.getLogger(__name__)

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
        room = BoothId.of(booth_id).room
        token = create_listener_token(
            room.event, room.slug, key=kiosk_secrets.jwt_key, hours=READER_TOKEN_HOURS
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


Broadcast = Callable[[str, str, str, int], None]
"""(booth id, status, text, seq) -> send the caption to the booth's listeners."""


class CaptionsService:
    """Live captions for the app's lifetime; `async with CaptionsService(...) as captions:`.

    Entering starts `LiveCaptions` when captions are enabled and can run; otherwise the service
    only reports why not. Finals go to the booth runtime's one ordered writer, which outlives
    this service, so the last finals of a booth are still stored after captions stop.
    """

    def __init__(
        self,
        config: Config,
        services: Services,
        runtime: BoothRuntime,
        broadcast: Broadcast,
        source_for: Callable[[str], str] | None = None,
    ) -> None:
        self.config = config
        self.services = services
        self.runtime = runtime
        self._broadcast = broadcast
        self._source_for = source_for
        self._live: LiveCaptions | None = None
        self._state: Callable[[], dict[str, Any]] = disabled_state

    def state(self) -> dict[str, Any]:
        """`{"enabled": bool, "booths": [booth ids being transcribed], "state": word}`."""
        return self._state()

    async def __aenter__(self) -> CaptionsService:
        config = self.config
        if not config.transcription.enabled:
            return self
        try:
            from server.transcription.live import LiveCaptions
        except ImportError as error:
            from server.transcription.engine import CAPTIONS_EXTRA_HINT

            log.error("captions are off: %s (%s)", CAPTIONS_EXTRA_HINT, error)
            self._state = functools.partial(failed_state, CAPTIONS_EXTRA_HINT)
            return self
        if self._source_for is None and not config.mediamtx.enabled:
            log.error("captions are off: %s", NO_MEDIAMTX)
            self._state = functools.partial(failed_state, NO_MEDIAMTX)
            return self
        source_for = self._source_for or rtsp_source(config, self.services.secrets)
        live = LiveCaptions(
            registry=self.runtime.registry,
            engine_factory=engine_factory(config),
            max_concurrent=config.transcription.max_concurrent,
            source_for=source_for,
            broadcast=self._broadcast,
            writer=self.runtime.writer,
            clock=self.services.clock,
            first_seq=await _first_seq(),
        )
        self._live, self._state = live, live.state
        live.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            await self._live.close()
            self._live = None


async def captions_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one `CaptionsService` in `app[CAPTIONS]` for the app's lifetime."""
    service = CaptionsService(
        app[CONFIG],
        app[SERVICES],
        app[BOOTH_RUNTIME],
        broadcast=functools.partial(broadcast_caption, app),
        source_for=app.get(CAPTION_SOURCE),
    )
    async with service as captions:
        app[CAPTIONS] = captions
        yield
