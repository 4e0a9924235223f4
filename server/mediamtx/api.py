"""A small client for MediaMTX's control API (v3) on loopback, with the path cache behind `ensure_path`.

Cache rules (docs/design.md §9):
- `ensure_path` adds a path once; later calls for a known name make no request.
- `add` answering 400 `path already exists` counts as success (static paths, or a race).
- `clear_cache()` forgets every name; the supervisor calls it after each MediaMTX start,
  because MediaMTX forgets API-added paths on restart.
- Any 404 on a route that names a path drops that name, so the next `ensure_path` adds it
  again. `path_is_active(name)` (`GET /v3/paths/get/{name}`) is the cheap check that can
  trigger that.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp


class MediaMTXError(Exception):
    """Base of every error the client raises."""


class MediaMTXUnavailable(MediaMTXError):
    """MediaMTX did not answer (not running, or not ready yet)."""


class MediaMTXAPIError(MediaMTXError):
    """MediaMTX answered with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"MediaMTX API {status}: {message}")
        self.status = status
        self.message = message


class PathNotFound(MediaMTXAPIError):
    """404: the path is not configured, or not active."""


class PathAlreadyExists(MediaMTXAPIError):
    """400 `path already exists` from `config/paths/add`."""


@dataclass(frozen=True)
class MediaMTXInfo:
    """What `GET /v3/info` reports."""

    version: str
    started: str


class MediaMTXClient:
    """Talks to MediaMTX's API at `127.0.0.1:{api_port}`; usable as an async context manager."""

    def __init__(
        self,
        api_port: int,
        *,
        host: str = "127.0.0.1",
        timeout: float = 2.0,
        page_size: int = 100,
    ) -> None:
        self.base_url = f"http://{host}:{api_port}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._page_size = page_size
        self._session: aiohttp.ClientSession | None = None
        self._known_paths: set[str] = set()

    async def __aenter__(self) -> MediaMTXClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def info(self) -> MediaMTXInfo:
        """`GET /v3/info`: proves that MediaMTX is up."""
        body = await self._request("GET", "/v3/info")
        return MediaMTXInfo(
            version=str(body.get("version", "")), started=str(body.get("started", ""))
        )

    async def add_path(self, name: str, conf: dict[str, Any] | None = None) -> None:
        """`POST /v3/config/paths/add/{name}`; raises PathAlreadyExists for a known name."""
        await self._request(
            "POST", f"/v3/config/paths/add/{quote(name)}", name=name, json=conf or {}
        )

    async def replace_path(self, name: str, conf: dict[str, Any]) -> None:
        """`POST /v3/config/paths/replace/{name}`: set a path's whole config (adds a missing one).

        MediaMTX reloads the path when its source changes, so its readers reconnect.
        """
        await self._request("POST", f"/v3/config/paths/replace/{quote(name)}", name=name, json=conf)
        self._known_paths.add(name)

    async def delete_path(self, name: str) -> None:
        """`DELETE /v3/config/paths/delete/{name}`; a name MediaMTX does not have is no error."""
        self._known_paths.discard(name)
        with contextlib.suppress(PathNotFound):
            await self._request("DELETE", f"/v3/config/paths/delete/{quote(name)}", name=name)

    async def get_path(self, name: str) -> dict[str, Any]:
        """`GET /v3/paths/get/{name}`: the runtime state; PathNotFound when not active."""
        return await self._request("GET", f"/v3/paths/get/{quote(name)}", name=name)

    async def list_paths(self) -> list[dict[str, Any]]:
        """Every item of `GET /v3/paths/list`, following the pages."""
        return await self._list_all("/v3/paths/list")

    async def list_webrtc_sessions(self) -> list[dict[str, Any]]:
        """Every item of `GET /v3/webrtcsessions/list` (WHIP publishers, WHEP readers)."""
        return await self._list_all("/v3/webrtcsessions/list")

    async def kick_webrtc_session(self, session_id: str) -> None:
        """`POST /v3/webrtcsessions/kick/{id}`; a session already gone is no error."""
        with contextlib.suppress(PathNotFound):
            await self._request("POST", f"/v3/webrtcsessions/kick/{quote(session_id)}")

    async def _list_all(self, route: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 0
        while True:
            body = await self._request("GET", f"{route}?itemsPerPage={self._page_size}&page={page}")
            items.extend(body.get("items") or [])
            page += 1
            if page >= int(body.get("pageCount") or 0):
                return items

    async def ensure_path(self, name: str, conf: dict[str, Any] | None = None) -> None:
        """Make sure MediaMTX has path `name` (added with `conf`), one API call at most per cache lifetime."""
        if name in self._known_paths:
            return
        with contextlib.suppress(PathAlreadyExists):
            await self.add_path(name, conf)
        self._known_paths.add(name)

    async def path_is_active(self, name: str) -> bool:
        """True when `paths/get` finds the path; a 404 also drops it from the cache."""
        try:
            await self.get_path(name)
        except PathNotFound:
            return False
        return True

    async def wait_until_active(self, name: str, *, interval: float = 0.05) -> None:
        """Poll `paths/get` until the path is active (wrap it in `asyncio.timeout`).

        The API answers before it applies a change, so a caller that hands a URL to a client
        right after `ensure_path` waits here first.
        """
        while True:
            if await self.path_is_active(name):
                return
            await asyncio.sleep(interval)

    def clear_cache(self) -> None:
        """Forget every known path; call it after every MediaMTX (re)start."""
        self._known_paths.clear()

    def forget_path(self, name: str) -> None:
        """Forget one path, so the next `ensure_path` adds it again."""
        self._known_paths.discard(name)

    def is_known(self, name: str) -> bool:
        """Whether `ensure_path(name)` would skip the API."""
        return name in self._known_paths

    async def _request(
        self, method: str, route: str, *, name: str | None = None, json: Any = None
    ) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.base_url + route, json=json) as response:
                body = await response.json(content_type=None) if await response.read() else {}
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            raise MediaMTXUnavailable(f"MediaMTX API unreachable: {err}") from err
        if not isinstance(body, dict):
            body = {}
        if status < 300:
            return body
        message = str(body.get("error", ""))
        if status == 404:
            if name is not None:
                self.forget_path(name)
            raise PathNotFound(status, message or "not found")
        if status == 400 and "already exists" in message:
            raise PathAlreadyExists(status, message)
        raise MediaMTXAPIError(status, message)
