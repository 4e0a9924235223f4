"""Running the aiohttp server inside the console's event loop.

The console and the server share one loop and one `Services`. The start mirrors
`server.hosting.runner.run_server`: `AppRunner.setup()` (database, websockets, supervisor) and then one
site for plain HTTP and, when TLS is on, one for HTTPS; `runner.cleanup()` undoes it all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web

from server.app import make_app
from server.config import Config
from server.hosting.runner import (
    SHUTDOWN_TIMEOUT,
    RunningServer,
    prepare_tls,
    start_site,
)
from server.hosting.startup import bind_port
from server.http.https_only import HTTPS_PORT
from server.keys import EXTRAS
from server.mediamtx.service import HTTP_PORT
from server.services import Services

logger = logging.getLogger("kiosk.hosting")


@dataclass
class ServerHost:
    """The embedded web server: its application, its runner and what it listens on."""

    config: Config
    services: Services
    web_app: web.Application | None = None
    runner: web.AppRunner | None = None
    running: RunningServer | None = None

    async def start(self) -> RunningServer:
        """Build the app, run its startup and open the sites; returns the bound ports."""
        tls = prepare_tls(self.config)
        self.web_app = make_app(self.config, self.services)
        host = self.config.server.host
        # Bound here rather than by TCPSite so that port 0 (tests, bench) reports its real port,
        # and before start-up, because MediaMTX's auth hook URL needs that port.
        backlog = self.config.server.listen_backlog
        http_socket = bind_port(self.config, "port")
        self.web_app[EXTRAS][HTTP_PORT] = http_socket.getsockname()[1]
        self.runner = web.AppRunner(
            self.web_app, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        try:
            await self.runner.setup()
        except BaseException:
            http_socket.close()
            raise
        await start_site(self.runner, http_socket, backlog)
        https_port = None
        if tls is not None:
            https_socket = bind_port(self.config, "https_port")
            await start_site(self.runner, https_socket, backlog, tls)
            https_port = https_socket.getsockname()[1]
            self.web_app[EXTRAS][HTTPS_PORT] = https_port  # staff pages on HTTP now redirect here
        self.running = RunningServer(self.web_app, http_socket.getsockname()[1], https_port, host)
        logger.info("serving HTTP on port %d", self.running.http_port)
        if https_port is not None:
            logger.info("serving HTTPS on port %d", https_port)
        return self.running

    async def stop(self) -> None:
        """Close the sites and run the app's cleanup; safe to call when never started."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
