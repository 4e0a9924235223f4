"""`GET /ws/booth/{event}/{room}/{lang}`: the booth socket of interpreters and technicians.

Each handler is a few lines that call the booth runtime (its registry, its chat). Who may do
what in a booth is the registry's business (it raises `Forbidden`); this module adds only
role-level checks from the permission matrix (`roles.can`) and the rule that nothing but `ping`
comes before `booth:join`. It reads and writes no database itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from server.auth.roles import Action, Principal, booth_role, can
from server.booth.runtime import BoothRuntime
from server.booth.state import Forbidden, Identity
from server.identity import Role
from server.keys import ACCESS, BOOTH_RUNTIME, SERVICES, WS_HUB
from server.ws.access import valid_principals
from server.ws.connection import Connection
from server.ws.edge import open_connection, refuse, serve_frames
from server.ws.hub import WebSocketHub
from server.ws.origin import origin_allowed
from server.ws.protocol import (
    BOOTH_SCHEMAS,
    CloseCode,
    ErrorCode,
    Message,
    ProtocolError,
    joined_message,
)

Handler = Callable[["BoothSession", Message], Awaitable[None]]
REVOKED = "access was revoked"


class BoothSession:
    """One booth socket after the handshake: its principal, and its identity once joined."""

    def __init__(
        self,
        app: web.Application,
        conn: Connection,
        booth_id: str,
        principal: Principal,
        role: Role,
    ) -> None:
        self.app = app
        self.hub: WebSocketHub = app[WS_HUB]
        self.runtime: BoothRuntime = app[BOOTH_RUNTIME]
        self.booths = self.runtime.registry
        self.conn = conn
        self.booth_id = booth_id
        self.principal = principal
        self.role = role
        self.identity: Identity | None = None

    def still_allowed(self) -> bool:
        """False once this participant's invite was revoked or account deactivated (the
        in-memory access view, which the change watcher keeps current)."""
        access = self.app.get(ACCESS)
        return access is None or access.allows(self.participant_id)

    @property
    def participant_id(self) -> str:
        """The stable participant id of this socket's principal."""
        return self.principal.participant_id

    async def dispatch(self, message: Message) -> None:
        """Run the handler of a valid message, after the join and role checks."""
        handler, actions = HANDLERS[message.type]
        if not self.still_allowed():
            await self.conn.close(CloseCode.NOT_AUTHENTICATED, REVOKED)
            return
        if self.identity is None and message.type != "booth:join":
            raise ProtocolError(ErrorCode.NOT_JOINED, "send booth:join first")
        if actions and not any(can(self.principal, a, self.booth_id) for a in actions):
            raise ProtocolError(ErrorCode.FORBIDDEN, f"a {self.role.value} may not do this")
        await handler(self, message)

    def end(self) -> None:
        """The socket closed: keep the slot for the grace period unless another tab is open."""
        if self.identity is None:
            return
        self.identity = None
        last = self.hub.remove_participant_socket(self.booth_id, self.participant_id, self.conn)
        if last and self.booths.has_booth(self.booth_id):
            self.booths.disconnect(self.booth_id, self.participant_id)

    # ------------------------------------------------------------------ handlers

    async def join(self, message: Message) -> None:
        """Take (or retake) this identity's slot and send the booth's state and chat."""
        # History first: nothing may reach this socket between the snapshot and booth:joined.
        history = await self.runtime.chat.recent(self.booth_id)
        name = self.principal.display_name
        # An invite's label (or an account's name) is who an interpreter is; technicians, and
        # interpreters whose invite had no label, say their own name.
        if self.role is not Role.INTERPRETER or self.principal.picks_own_name:
            name = " ".join(message.fields.get("display_name", "").split()) or name
        requested = Identity(self.participant_id, name, self.role)
        state = self.booths.join(self.booth_id, requested)
        # The booth may have added a suffix, so that no two people share a name.
        identity = self.booths.participant(self.booth_id, self.participant_id) or requested
        self.identity = identity
        self.hub.add_participant_socket(self.booth_id, self.participant_id, self.conn)
        participant = {
            "participant_id": identity.participant_id,
            "display_name": identity.display_name,
            "role": str(identity.role),
        }
        self.conn.send(joined_message(participant, state, [m.as_json() for m in history]))

    async def leave(self, message: Message) -> None:
        """Give up the slot now (no grace); the socket stays open but no longer joined."""
        self.booths.leave(self.booth_id, self.participant_id)
        self.hub.remove_participant_socket(self.booth_id, self.participant_id, self.conn)
        self.identity = None

    async def chat(self, message: Message) -> None:
        """Persist a chat message, then send it to everybody in the booth."""
        assert self.identity is not None
        body = message.fields["text"].strip()
        if not body:
            raise ProtocolError(ErrorCode.INVALID, "an empty chat message")
        await self.runtime.chat.post(
            self.booth_id, self.participant_id, self.identity.display_name, body
        )

    async def offer(self, message: Message) -> None:
        """The active interpreter offers the mic (to one partner, or to any)."""
        self.booths.offer(self.booth_id, self.participant_id, message.fields.get("to"))

    async def request(self, message: Message) -> None:
        """A passive interpreter asks for the mic."""
        self.booths.request(self.booth_id, self.participant_id)

    async def accept(self, message: Message) -> None:
        """The counterpart accepts the pending handover."""
        self.booths.accept(self.booth_id, self.participant_id)

    async def decline(self, message: Message) -> None:
        """The counterpart declines the pending handover."""
        self.booths.decline(self.booth_id, self.participant_id)

    async def cancel(self, message: Message) -> None:
        """The initiator (or a technician) withdraws the pending handover."""
        self.booths.cancel(self.booth_id, self.participant_id)

    async def set_active(self, message: Message) -> None:
        """Put an interpreter on mic (technician, admin, or the active interpreter)."""
        target = message.fields["participant_id"]
        self.booths.set_active(self.booth_id, self.participant_id, target)

    async def mute(self, message: Message) -> None:
        """The cough button."""
        self.booths.set_muted(self.booth_id, self.participant_id, message.fields["muted"])

    async def relay(self, message: Message) -> None:
        """Choose what this participant hears: floor or another booth of the room."""
        self.booths.set_relay(self.booth_id, self.participant_id, message.fields["source"])

    async def ingest(self, message: Message) -> None:
        """The active interpreter's page reports whether its WHIP stream is up."""
        if self.booths.snapshot(self.booth_id).active_id != self.participant_id:
            raise Forbidden("only the active interpreter reports the stream state")
        self.booths.set_ingest(self.booth_id, message.fields["connected"], from_page=True)


_CONTROL = (Action.HANDOVER, Action.CONTROL_BOOTH)

# Per type: the handler, and the actions of the matrix of which the principal needs one.
HANDLERS: dict[str, tuple[Handler, tuple[Action, ...]]] = {
    "booth:join": (BoothSession.join, (Action.JOIN_BOOTH,)),
    "booth:leave": (BoothSession.leave, ()),
    "booth:chat": (BoothSession.chat, (Action.CHAT,)),
    "booth:handover:offer": (BoothSession.offer, (Action.HANDOVER,)),
    "booth:handover:request": (BoothSession.request, (Action.HANDOVER,)),
    "booth:handover:accept": (BoothSession.accept, (Action.HANDOVER,)),
    "booth:handover:decline": (BoothSession.decline, (Action.HANDOVER,)),
    "booth:handover:cancel": (BoothSession.cancel, _CONTROL),
    "booth:set-active": (BoothSession.set_active, _CONTROL),
    "booth:mute": (BoothSession.mute, (Action.PUBLISH, Action.CONTROL_BOOTH)),
    "booth:relay": (BoothSession.relay, (Action.READ_MEDIA,)),
    "booth:ingest": (BoothSession.ingest, (Action.PUBLISH,)),
}
assert set(HANDLERS) | {"ping"} == set(BOOTH_SCHEMAS), "every booth schema needs a handler"


async def booth_socket(request: web.Request) -> web.StreamResponse:
    """Authenticate, then serve one booth socket until it closes."""
    hub, runtime = request.app[WS_HUB], request.app[BOOTH_RUNTIME]
    services = request.app[SERVICES]
    info = request.match_info
    booth_id = f"{info['event']}/{info['room']}/{info['lang']}"
    if not origin_allowed(request):
        return await refuse(request, CloseCode.FORBIDDEN, "this page may not open booth sockets")
    principals = await valid_principals(request, key=services.secrets.jwt_key)
    if not principals:
        return await refuse(request, CloseCode.NOT_AUTHENTICATED, "no valid token")
    if not await runtime.ensure(booth_id):
        return await refuse(request, CloseCode.NOT_FOUND, "no such booth")
    admitted = [(p, role) for p in principals if (role := booth_role(p, booth_id)) is not None]
    if not admitted:
        return await refuse(request, CloseCode.FORBIDDEN, "the token is not for this booth")
    principal, role = admitted[0]
    conn = await open_connection(request, hub, compress=True)
    session = BoothSession(request.app, conn, booth_id, principal, role)
    hub.track_booth_socket(conn, booth_id, principal.participant_id)
    try:
        # Revoked between the database check above and now: the watcher may have missed it.
        if not session.still_allowed():
            await conn.close(CloseCode.NOT_AUTHENTICATED, REVOKED)
        await serve_frames(conn, BOOTH_SCHEMAS, session.dispatch)
    finally:
        hub.untrack_booth_socket(conn)
        session.end()
        hub.connections.discard(conn)
        await conn.finish()
    return conn.socket
