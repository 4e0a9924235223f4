"""What the technician at the console does to booths: mic, handover, mute and chat.

The registry only lets participants act, so the console joins a booth as the technician
`CONSOLE_IDENTITY` the first time it acts there (not before: interpreters then see a
"Technician" in their booth only once the console has stepped in) and stays joined until the
console quits.
"""

from __future__ import annotations

from server.booth.models import Identity
from server.booth.state import BoothRegistry
from server.identity import Role

CONSOLE_IDENTITY = Identity("console", "Technician", Role.TECHNICIAN)


class ConsoleControl:
    """Technician actions on the registry, joining each booth on first use."""

    def __init__(self, registry: BoothRegistry) -> None:
        """Act on `registry` as CONSOLE_IDENTITY."""
        self._registry = registry
        self._joined: set[str] = set()

    @property
    def participant_id(self) -> str:
        """The console's participant id in every booth."""
        return CONSOLE_IDENTITY.participant_id

    def _ensure_joined(self, booth_id: str) -> None:
        if self._registry.participant(booth_id, CONSOLE_IDENTITY.participant_id) is None:
            self._registry.join(booth_id, CONSOLE_IDENTITY)
        self._joined.add(booth_id)

    def set_active(self, booth_id: str, participant_id: str) -> None:
        """Put a connected interpreter on mic."""
        self._ensure_joined(booth_id)
        self._registry.set_active(booth_id, CONSOLE_IDENTITY.participant_id, participant_id)

    def cancel_handover(self, booth_id: str) -> None:
        """End a pending offer or request."""
        self._ensure_joined(booth_id)
        self._registry.cancel(booth_id, CONSOLE_IDENTITY.participant_id)

    def set_muted(self, booth_id: str, muted: bool) -> None:
        """Mute or unmute the booth (the cough button, from the console)."""
        self._ensure_joined(booth_id)
        self._registry.set_muted(booth_id, CONSOLE_IDENTITY.participant_id, muted)

    def join_for_chat(self, booth_id: str) -> None:
        """Be present in the booth before talking in its chat."""
        self._ensure_joined(booth_id)

    def leave_all(self) -> None:
        """Leave every booth the console joined (at quit)."""
        for booth_id in sorted(self._joined):
            if self._registry.has_booth(booth_id) and self._registry.participant(
                booth_id, CONSOLE_IDENTITY.participant_id
            ):
                self._registry.leave(booth_id, CONSOLE_IDENTITY.participant_id)
        self._joined.clear()
