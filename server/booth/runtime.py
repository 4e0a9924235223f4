"""`BoothRuntime`: the live booths of a running kiosk, and everything that keeps them live.

It wraps the pure `BoothRegistry` (state.py) and does the I/O the registry leaves to its
caller:

- it loads the booths of the database at start and puts whoever was on air back on mic;
- it registers, refreshes and unregisters booths when the admin panel or the console changes
  them (one call each, database write included) and when the change watcher says the database
  changed elsewhere (`follow_database`);
- it stores the registry's span effects and live captions' finals through its one ordered
  `BoothWriter`;
- it runs the grace ticker that expires dropped participants;
- it carries booth chat (`BoothChat`).

Whoever shows booths subscribes here: the websocket hub (to fan out to sockets), live
captions, the console's dashboard. MediaMTX follows `subscribe_added` for new booths' paths,
and the listeners' room directory follows `subscribe_rooms`. A `BoothRuntime` is an async
context manager; the server runs one for its lifetime under `app[BOOTH_RUNTIME]`
(`setup_booth_runtime`). The console without a server uses one unstarted, to fill its registry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web

import db
from server import manage
from server.booth.chat import BoothChat
from server.booth.models import (
    Alert,
    BoothChange,
    BoothError,
    BoothListener,
    Clock,
    SpanClosed,
    SpanOpened,
)
from server.booth.state import BoothRegistry
from server.booth.writer import BoothWriter, StoredCaption, utc_datetime
from server.keys import BOOTH_RUNTIME, SERVICES

if TYPE_CHECKING:
    from db.models import Booth

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
"""How often the registry expires slots whose reconnect grace has run out."""

AddedListener = Callable[[str], None]
RoomsFollower = Callable[[], Awaitable[None]]
_Listener = TypeVar("_Listener")


class BoothRuntime:
    """The live booths: registry, database follow-up, ordered writes, grace ticker and chat."""

    def __init__(self, registry: BoothRegistry, clock: Clock) -> None:
        """Wrap `registry` (whose clock should be `clock`); nothing runs until entered."""
        self.registry = registry
        self.clock = clock
        self.writer = BoothWriter()
        self.chat = BoothChat(clock)
        self._added: list[AddedListener] = []
        self._rooms: list[RoomsFollower] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._ticker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> BoothRuntime:
        """Start the writer and the ticker, then load the booths of the database."""
        self._unsubscribe = self.registry.subscribe(self._on_change)
        self.writer.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="booth-ticker")
        try:
            await self.load()
        except Exception:
            # A database without the schema: the server still starts so /healthz can say so.
            logger.exception("cannot load the booths; sockets find them in the database later")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the ticker and the subscription, then write what is queued."""
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
            self._ticker = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        await self.writer.stop()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.registry.tick()
            except Exception:
                logger.exception("booth registry tick failed")

    def _on_change(self, change: BoothChange) -> None:
        for effect in change.effects:
            if isinstance(effect, SpanOpened | SpanClosed):
                self.writer.put(effect)
            elif isinstance(effect, Alert):
                logger.info("booth alert %s: %s", effect.booth_id, effect.message)

    # ------------------------------------------------------------------ subscriptions

    def subscribe(self, listener: BoothListener) -> Callable[[], None]:
        """Call `listener` with every change of every booth (synchronously, on the loop);
        returns the function that unsubscribes."""
        return self.registry.subscribe(listener)

    def subscribe_added(self, listener: AddedListener) -> Callable[[], None]:
        """Call `listener(booth_id)` whenever a booth is registered after the start."""
        return _subscribe(self._added, listener)

    def subscribe_rooms(self, follower: RoomsFollower) -> Callable[[], None]:
        """Await `follower()` whenever events or rooms were created, edited or deleted here."""
        return _subscribe(self._rooms, follower)

    # ------------------------------------------------------------------ following the database

    async def load(self) -> None:
        """Register every booth of the database and give the mic back to whoever held it.

        An OnAirSpan still open means the kiosk stopped while someone was on air: the registry
        puts them back on mic, disconnected, so a reconnect within the grace period keeps it.
        """
        for booth in await db.list_booths():
            self._add_record(booth)
        for span in await db.open_spans():
            booth_id = span.booth.path
            try:
                self.registry.restore_on_air(
                    booth_id, span.participant_id, span.display_name, span.started_at.timestamp()
                )
            except BoothError as exc:
                # Two open spans in one booth cannot both be true; keep the first, close the rest.
                logger.warning("closing a stale on-air span in %s: %s", booth_id, exc)
                await db.close_span(booth_id, span.participant_id, utc_datetime(self.clock()))

    async def follow_database(self) -> None:
        """The registry holds exactly the booths of the database (a change watcher subscriber).

        Booths added elsewhere (the CLI, a second process) are registered, renamed or
        re-switched ones updated, deleted ones removed; sockets, listener pages, the console
        and captions follow through the change notices. A booth that did not change notifies
        nobody.
        """
        booths = await db.list_booths()
        for booth in booths:
            if self.registry.has_booth(booth.path):
                self.refresh(booth)
            else:
                self.register(booth)
        wanted = {booth.path for booth in booths}
        for booth_id in self.registry.booth_ids():
            if booth_id not in wanted:
                self.unregister(booth_id)

    async def ensure(self, booth_id: str) -> bool:
        """True when the booth is live, registering it from the database if it was missed."""
        if self.registry.has_booth(booth_id):
            return True
        try:
            booth = await db.get_booth(booth_id)
        except db.NotFound:
            return False
        self.register(booth)
        return True

    def register(self, booth: Booth) -> None:
        """Make a database booth live (sockets, listener pages, captions, MediaMTX's path)."""
        if self._add_record(booth):
            for listener in list(self._added):
                listener(booth.path)

    def refresh(self, booth: Booth) -> None:
        """Carry an edited booth's language name and caption switch into the live booth.

        A booth not live yet is read fresh from the database when it is first used.
        """
        if self.registry.has_booth(booth.path):
            self.registry.update_booth(
                booth.path, language_name=booth.language_name, transcription=booth.transcription
            )

    def unregister(self, booth_id: str) -> None:
        """Forget a deleted booth: its open span closes and its sockets close with 4004."""
        if self.registry.has_booth(booth_id):
            self.registry.remove_booth(booth_id)

    def _add_record(self, booth: Booth) -> bool:
        if self.registry.has_booth(booth.path):
            return False
        self.registry.add_booth(
            booth.path, booth.language_code, booth.language_name, booth.transcription
        )
        return True

    # ------------------------------------------------------------------ edits (admin, console)

    async def create_booth(
        self, room_key: str, lang: str, language_name: str, transcription: bool = False
    ) -> Booth:
        """Add a booth to the room `EVENT/ROOM` and make it live; raises `manage.SetupError`."""
        booth = await manage.add_booth(room_key, lang, language_name, transcription)
        self.register(booth)
        return booth

    async def edit_booth(self, booth_id: str, *, language_name: str, transcription: bool) -> Booth:
        """Save a booth's language name and caption switch and show them live at once."""
        edited = await db.update_booth(
            booth_id, language_name=language_name, transcription=transcription
        )
        self.refresh(edited)
        return edited

    async def delete_booth(self, booth_id: str) -> None:
        """Delete a booth (with its invites, log and transcript) and end it live."""
        await db.delete_booth(booth_id)
        self.unregister(booth_id)

    async def delete_room(self, event: str, room: str) -> None:
        """Delete a room with its booths, end them live, and tell the room followers."""
        booth_ids = [booth.path for booth in await db.list_booths(event, room)]
        await db.delete_room(event, room)
        for booth_id in booth_ids:
            self.unregister(booth_id)
        await self.rooms_changed()

    async def delete_event(self, event: str) -> None:
        """Delete an event with everything in it, end its booths live, tell the room followers."""
        booth_ids = [booth.path for booth in await db.list_booths(event)]
        await db.delete_event(event)
        for booth_id in booth_ids:
            self.unregister(booth_id)
        await self.rooms_changed()

    async def rooms_changed(self) -> None:
        """Events or rooms were created, edited or deleted here: the room followers (the
        listeners' room directory) read them again before the caller answers."""
        for follower in list(self._rooms):
            await follower()

    # ------------------------------------------------------------------ writes

    def store_caption(self, caption: StoredCaption) -> None:
        """Queue a final caption for the database, in order with every other write."""
        self.writer.put(caption)

    def expel(self, allowed: Callable[[str], bool]) -> list[str]:
        """Take everyone `allowed` refuses out of every booth now (no reconnect grace: they
        may not come back; the mic passes on). Returns the booths where one held the mic."""
        held_mic = []
        for booth_id in self.registry.booth_ids():
            snapshot = self.registry.snapshot(booth_id)
            if (active := snapshot.active_id) and not allowed(active):
                held_mic.append(booth_id)
            for participant in snapshot.participants:
                if not allowed(participant.participant_id):
                    self.registry.leave(booth_id, participant.participant_id)
        return held_mic


def _subscribe(listeners: list[_Listener], listener: _Listener) -> Callable[[], None]:
    listeners.append(listener)

    def unsubscribe() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return unsubscribe


def setup_booth_runtime(app: web.Application) -> None:
    """Give the app its booth runtime (`app[BOOTH_RUNTIME]`) and run it with the app.

    Add it after the database context and before the websocket, media and captions contexts:
    they subscribe to it, and on the way down it stops after them and writes what they left.
    """
    services = app[SERVICES]
    app[BOOTH_RUNTIME] = BoothRuntime(services.registry, services.clock)
    app.cleanup_ctx.append(_runtime_context)


async def _runtime_context(app: web.Application) -> AsyncIterator[None]:
    async with app[BOOTH_RUNTIME]:
        yield
