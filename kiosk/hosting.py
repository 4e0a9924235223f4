"""Running the aiohttp server inside the console's event loop, and reaching into it.

The console and the server share one loop and one `Services`: the server is started with
`AppRunner` → `setup()` → `TCPSite.start()` (HTTP, plus HTTPS when a certificate exists) and
stopped with `runner.cleanup()`, as aiohttp documents for embedding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from server.app import make_app
from server.config import Config
from server.keys import EXTRAS
from server.services import Services
from server.tls import ssl_context

logger = logging.getLogger("kiosk.hosting")


@dataclass
class ServerHost:
    """The embedded web server: its application, runner and the ports it really listens on."""

    config: Config
    services: Services
    web_app: web.Application | None = None
    runner: web.AppRunner | None = None
    ports: dict[str, int] = field(default_factory=dict)

    async def start(self) -> None:
        """Build the app, run its startup (database, registry, supervisor) and open the sites."""
        self.web_app = make_app(self.config, self.services)
        self.runner = web.AppRunner(self.web_app, handle_signals=False, access_log=None)
        await self.runner.setup()
        host = self.config.server.host
        http = web.TCPSite(self.runner, host, self.config.server.port)
        await http.start()
        self.ports["http"] = _bound_port(http)
        context = ssl_context(self.config)
        if context is not None:
            https = web.TCPSite(self.runner, host, self.config.server.https_port, ssl_context=context)
            await https.start()
            self.ports["https"] = _bound_port(https)
        logger.info("serving on %s", ", ".join(f"{k} {v}" for k, v in self.ports.items()))

    async def stop(self) -> None:
        """Close the sites and run the app's cleanup; safe to call when never started."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def extras(self) -> dict[str, Any]:
        """What other server modules published in `app[EXTRAS]` (supervisor, websockets…)."""
        if self.web_app is None:
            return {}
        return self.web_app.get(EXTRAS, {})


def _bound_port(site: web.TCPSite) -> int:
    """The port a site really listens on (port 0 in the config means "any free port")."""
    server = site._server  # aiohttp keeps the asyncio server here; no public accessor exists
    sockets = getattr(server, "sockets", None) or []
    return int(sockets[0].getsockname()[1]) if sockets else 0
