"""The long-lived objects one kiosk process shares between the server, the console and tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from server.booth.state import BoothRegistry
from server.config import Config
from server.secrets.store import KioskSecrets, load_or_create_secrets


@dataclass
class Services:
    """What `make_app` needs besides the config. Tests and the console build their own."""

    secrets: KioskSecrets
    clock: Callable[[], float] = time.time
    # False when the caller (a test, the console) opens and closes the database itself.
    open_database: bool = True
    # Built from `clock` so tests that fake time drive the booth rules with the same clock.
    registry: BoothRegistry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = BoothRegistry(self.clock)

    @classmethod
    def for_config(cls, config: Config) -> Services:
        """Default services for a real run: secrets from (or created in) the data folder."""
        kiosk_secrets, _ = load_or_create_secrets(config.data_dir)
        return cls(secrets=kiosk_secrets)
