"""In-memory state of the MediaMTX stand-in: configured paths, runtime paths, WebRTC sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    """Timestamp in the RFC 3339 form MediaMTX's API uses."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class RuntimePath:
    """The live side of one configured path."""

    name: str
    source: dict[str, Any] | None = None
    online_time: str | None = None
    readers: list[dict[str, Any]] = field(default_factory=list)
    inbound_bytes: int = 0
    outbound_bytes: int = 0
    # `alwaysAvailable: true`: the stream (and its readers) outlive the publisher.
    always_available: bool = False

    @property
    def available(self) -> bool:
        """Readers may attach: a publisher is there, or the path is always available."""
        return self.source is not None or self.always_available

    def as_item(self) -> dict[str, Any]:
        """The `/v3/paths/list` item, deprecated fields included."""
        online = self.source is not None
        available = self.available
        tracks2 = [{"codec": "Opus", "codecProps": {"channelCount": 1}}] if available else []
        return {
            "name": self.name,
            "confName": self.name,
            # The real binary describes a publisher only while it publishes; an
            # always-available path with nobody on it shows `source: null`, `online: false`.
            "source": self.source,
            "available": available,
            "availableTime": self.online_time,
            "online": online,
            "onlineTime": self.online_time,
            "tracks2": tracks2,
            "readers": list(self.readers),
            "inboundBytes": self.inbound_bytes,
            "outboundBytes": self.outbound_bytes,
            "inboundFramesInError": 0,
            # Deprecated in MediaMTX but still sent.
            "ready": available,
            "readyTime": self.online_time,
            "tracks": [track["codec"] for track in tracks2],
            "bytesReceived": self.inbound_bytes,
            "bytesSent": self.outbound_bytes,
        }


@dataclass
class Session:
    """A WebRTC session opened through WHIP (publish) or WHEP (read)."""

    id: str
    secret: str
    path: str
    state: str  # "publish" or "read"
    remote_addr: str
    query: str
    created: str = field(default_factory=now_iso)

    def as_item(self) -> dict[str, Any]:
        """The `/v3/webrtcsessions/list` item."""
        return {
            "id": self.id,
            "created": self.created,
            "remoteAddr": self.remote_addr,
            "peerConnectionEstablished": True,
            "localCandidate": "",
            "remoteCandidate": "",
            "state": self.state,
            "path": self.path,
            "query": self.query,
            "bytesReceived": 0,
            "bytesSent": 0,
        }


class FakeState:
    """Everything the stand-in knows; API changes live here only, never on disk."""

    def __init__(
        self,
        settings: dict[str, Any],
        defaults: dict[str, Any],
        static_paths: dict[str, dict[str, Any]],
    ) -> None:
        self.started = now_iso()
        self.settings = settings
        self.defaults = defaults
        self.path_confs: dict[str, dict[str, Any]] = {}
        self.runtime: dict[str, RuntimePath] = {}
        self.sessions: dict[str, Session] = {}
        # Test control: make SIGTERM a no-op, to exercise the supervisor's SIGKILL fallback.
        self.ignore_sigterm = False
        self.load(settings, defaults, static_paths)

    def load(
        self,
        settings: dict[str, Any],
        defaults: dict[str, Any],
        static_paths: dict[str, dict[str, Any]],
    ) -> None:
        """Apply a (re)loaded file: API-made changes are forgotten, as MediaMTX does."""
        self.settings = settings
        self.defaults = defaults
        self.path_confs = {name: dict(conf) for name, conf in static_paths.items()}
        for name in list(self.runtime):
            if name not in self.path_confs:
                self.remove_path(name)
        for name, conf in self.path_confs.items():
            self.runtime.setdefault(name, RuntimePath(name)).always_available = bool(
                conf.get("alwaysAvailable")
            )

    def set_path(self, name: str, conf: dict[str, Any]) -> None:
        """Create or replace a path's config; a static path becomes active at once."""
        self.path_confs[name] = conf
        runtime = self.runtime.setdefault(name, RuntimePath(name))
        runtime.always_available = bool(conf.get("alwaysAvailable"))

    def remove_path(self, name: str) -> None:
        """Forget a path, closing its sessions."""
        self.path_confs.pop(name, None)
        self.runtime.pop(name, None)
        for session in [s for s in self.sessions.values() if s.path == name]:
            del self.sessions[session.id]

    def set_publisher(self, name: str, source: dict[str, Any] | None) -> None:
        """Put a path online with `source`, or offline with None."""
        path = self.runtime[name]
        if source is None:
            path.source = None
            path.online_time = None
            if not path.always_available:
                # MediaMTX closes every reader when the stream goes (setNotAvailable).
                self._drop_readers(name)
            return
        path.source = source
        path.online_time = now_iso()

    def open_session(self, path: str, state: str, remote_addr: str, query: str) -> Session:
        """Register a WebRTC session and reflect it on the path."""
        session = Session(uuid.uuid4().hex, uuid.uuid4().hex, path, state, remote_addr, query)
        runtime = self.runtime[path]
        if state == "publish":
            replaced = [
                s for s in self.sessions.values() if s.path == path and s.state == "publish"
            ]
            for old in replaced:
                del self.sessions[old.id]
            if replaced and not runtime.always_available:
                # An override tears the stream down first: its readers are closed too.
                self._drop_readers(path)
            self.set_publisher(path, {"type": "webRTCSession", "id": session.id})
        else:
            runtime.readers.append({"type": "webRTCSession", "id": session.id})
        self.sessions[session.id] = session
        return session

    def _drop_readers(self, name: str) -> None:
        self.runtime[name].readers.clear()
        for reader in [s for s in self.sessions.values() if s.path == name and s.state == "read"]:
            del self.sessions[reader.id]

    def close_session(self, session_id: str) -> bool:
        """End a session; a publisher's end takes its path offline."""
        session = self.sessions.pop(session_id, None)
        if session is None:
            return False
        runtime = self.runtime.get(session.path)
        if runtime is None:
            return True
        if session.state == "publish":
            self.set_publisher(session.path, None)
        else:
            runtime.readers = [r for r in runtime.readers if r.get("id") != session.id]
        return True
