"""Test support for the booth state machine: a fake clock and a registry with a recorder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from server.booth.models import Effect
from server.booth.state import BoothChange, BoothError, BoothRegistry, Identity
from tests.harness.clock import FakeClock

EN = "conf/main/en"
FR = "conf/main/fr"
DE = "conf/main/de"
HALL_EN = "conf/hall/en"

ANA = Identity("invite:1", "Ana", "interpreter")
BEN = Identity("invite:2", "Ben", "interpreter")
CAT = Identity("invite:3", "Cat", "interpreter")
TESS = Identity("user:1", "Tess", "technician")
ADAM = Identity("user:2", "Adam", "admin")
OUTSIDER = "invite:99"

START = 1_700_000_000.0
GRACE = 20.0


@dataclass
class Booths:
    """A registry with four booths (three in conf/main, one in conf/hall) and a change log."""

    clock: FakeClock
    registry: BoothRegistry
    changes: list[BoothChange] = field(default_factory=list)

    def effects(self, booth_id: str = EN) -> list[Effect]:
        """Every effect delivered for a booth since the log was last cleared."""
        return [e for c in self.changes if c.booth_id == booth_id for e in c.effects]

    def changed_booths(self) -> list[str]:
        """The booth ids notified since the log was last cleared, in order."""
        return [c.booth_id for c in self.changes]

    def clear(self) -> None:
        """Forget what has been delivered so far."""
        self.changes.clear()

    def refused(self, error: type[BoothError], action: Callable[[], object]) -> BoothError:
        """Run an action that must fail with `error`, changing no state and notifying nobody."""
        before = {bid: self.registry.snapshot(bid) for bid in self.registry.booth_ids()}
        self.clear()
        with pytest.raises(error) as caught:
            action()
        after = {bid: self.registry.snapshot(bid) for bid in self.registry.booth_ids()}
        assert after == before
        assert self.changes == []
        return caught.value


def make_booths(grace_seconds: float = GRACE) -> Booths:
    """Build the standard test registry, already subscribed to."""
    clock = FakeClock(START)
    booths = Booths(clock, BoothRegistry(clock, grace_seconds=grace_seconds))
    booths.registry.add_booth(EN, "en", "English")
    booths.registry.add_booth(FR, "fr", "Français")
    booths.registry.add_booth(DE, "de", "Deutsch", transcription=True)
    booths.registry.add_booth(HALL_EN, "en", "English")
    booths.registry.subscribe(booths.changes.append)
    return booths
