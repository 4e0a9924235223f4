"""Reads `/v3/paths/list` every second and reports per-path ingest and listener changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from server.mediamtx.api import MediaMTXClient, MediaMTXError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PathStatus:
    """What the booth state needs from one MediaMTX path."""

    online: bool
    """A publisher is online (the booth's `ingest`)."""
    readers: int
    """How many readers are attached (the booth's `listeners`)."""


OFFLINE = PathStatus(online=False, readers=0)


def status_of(item: Mapping[str, Any]) -> PathStatus:
    """Read one `paths/list` item; `ready` is the deprecated name of `online`."""
    online = item.get("online", item.get("ready", False))
    readers = item.get("readers") or []
    return PathStatus(online=bool(online), readers=len(readers) if isinstance(readers, list) else 0)


class MediaStatusPoller:
    """Polls MediaMTX and calls `on_status` with the paths whose status changed.

    A path that disappears, or every path while MediaMTX does not answer, is reported
    offline with no readers: without MediaMTX nothing is on air.
    """

    def __init__(
        self,
        client: MediaMTXClient,
        interval: float = 1.0,
        *,
        on_status: Callable[[dict[str, PathStatus]], None],
    ) -> None:
        self._client = client
        self._interval = interval
        self._on_status = on_status
        self._known: dict[str, PathStatus] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def statuses(self) -> dict[str, PathStatus]:
        """The last status seen for every path that is not plainly offline."""
        return dict(self._known)

    async def __aenter__(self) -> MediaStatusPoller:
        self._task = asyncio.create_task(self._loop(), name="mediamtx-poller")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def poll_once(self) -> dict[str, PathStatus]:
        """Read the paths once, notify the changes, and return them."""
        try:
            current = {
                str(item.get("name")): status_of(item) for item in await self._client.list_paths()
            }
        except MediaMTXError as err:
            logger.debug("MediaMTX paths not readable: %s", err)
            current = {}
        changed = {
            name: status
            for name, status in current.items()
            if self._known.get(name, OFFLINE) != status
        }
        changed.update({name: OFFLINE for name in self._known if name not in current})
        self._known = {name: status for name, status in current.items() if status != OFFLINE}
        if changed:
            self._on_status(changed)
        return changed

    async def _loop(self) -> None:
        while True:
            await self.poll_once()
            await asyncio.sleep(self._interval)
