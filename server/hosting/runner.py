"""Running the app: plain HTTP for listeners' phones and HTTPS for microphones, on one runner.

`KioskRunner` is the one host of the web server. `voxbento-kiosk serve` awaits `run_server`,
which runs it until a signal; the console starts and stops it inside its own loop. Either way
the runner prepares TLS, binds the ports (one-line failures), starts the sites with the
configured listen backlog and the kiosk's access log, and stops through `runner.cleanup()`,
which lets the websocket layer close its sockets with 1001 before the database closes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from aiohttp import web

from server.app import make_app
from server.config import Config
from server.hosting.network import lan_addresses, primary_address
from server.hosting.startup import StartupError, bind_port, check_ports, describe_failure
from server.hosting.tls import generate_self_signed, ssl_context, tls_paths
from server.http.access_log import KioskAccessLogger
from server.keys import PORTS
from server.secrets.redaction import install_redaction
from server.services import Services

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 5.0


@dataclass(frozen=True)
class RunningServer:
    """What is listening, handed to the `ready` callback once both sites accept connections."""

    app: web.Application
    http_port: int
    https_port: int | None
    host: str

    def url(self, *, secure: bool, host: str | None = None) -> str:
        """The base URL of one listener, for `host` (default: the LAN address)."""
        name = host or primary_address()
        if secure:
            if self.https_port is None:
                raise ValueError("HTTPS is not running")
            return f"https://{name}:{self.https_port}"
        return f"http://{name}:{self.http_port}"


def prepare_tls(config: Config) -> ssl.SSLContext | None:
    """The HTTPS context; with tls = "self-signed", make the certificate first if it is absent."""
    if config.server.tls == "off":
        return None
    cert, key = tls_paths(config)
    if config.server.tls == "self-signed" and not (cert.is_file() and key.is_file()):
        addresses = lan_addresses()
        generate_self_signed(cert, key, addresses)
        logger.info("made a self-signed certificate for %s in %s", addresses, cert.parent)
    context = ssl_context(config)
    if context is None:
        logger.error("HTTPS is off: no certificate at %s and %s", cert, key)
    return context


ACCEPT_BATCH = 64
"""Connections accepted per wake-up of the loop (see `start_site`)."""


async def start_site(
    runner: web.AppRunner,
    sock: socket.socket,
    backlog: int,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Serve `sock` on `runner`, keeping its listen backlog (see `server.hosting.startup.bind_port`).

    asyncio uses the `backlog` of `create_server` twice: for `listen()` and as how many
    connections it accepts in one go when the socket becomes readable. A crowd of phones would
    then be accepted 2,048 at a time, and the loop (which the console shares) would not look at
    anything else until all of them had been set up: key presses waited seconds. So the site
    accepts ACCEPT_BATCH at a time, and the socket is put back to the full backlog right after.
    """
    await web.SockSite(
        runner, sock, ssl_context=ssl_context, backlog=min(backlog, ACCEPT_BATCH)
    ).start()
    sock.listen(backlog)  # on a listening socket, only the queue length changes


def _log_urls(server: RunningServer) -> None:
    logger.info("Listeners (phones): %s/", server.url(secure=False))
    if server.https_port is not None:
        logger.info("Interpreters and technicians (HTTPS): %s/", server.url(secure=True))
    else:
        logger.info("HTTPS is not running: browsers will refuse the microphone except on localhost")
    for address in lan_addresses()[1:]:
        logger.info("Also reachable at http://%s:%d/", address, server.http_port)


def _install_signal_handlers(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or a platform without signal support
        installed.append(sig)
    return installed


class KioskRunner:
    """The kiosk's web server on its ports, for `serve` and the console alike.

    `await runner.start()` (or `async with runner:`) builds the app, binds the ports, runs the
    app's start-up (database, websockets, MediaMTX, captions) and opens the sites; `stop()`
    undoes it all and is safe to call when never started. A failure to start raises
    StartupError with one line for the user, and leaves nothing bound.
    """

    def __init__(self, config: Config, services: Services | None = None) -> None:
        self.config = config
        self.services = services
        self.app: web.Application | None = None
        """The application, from the start of `start()` on (its services come up in setup)."""
        self.running: RunningServer | None = None
        """What listens, once `start()` has returned."""
        self._runner: web.AppRunner | None = None

    async def start(self) -> RunningServer:
        """Build the app, run its start-up and open the sites; returns what listens where."""
        config = self.config
        try:
            self.services = self.services or Services.for_config(config)
            tls = prepare_tls(config)
        except Exception as exc:
            raise StartupError(describe_failure(exc, config)) from None
        app = self.app = make_app(config, self.services)
        ports = app[PORTS]
        # Bound here rather than by the site so that port 0 (tests, bench) reports its real
        # port, and before start-up, because MediaMTX's auth hook URL needs that port.
        backlog = config.server.listen_backlog
        http_socket = bind_port(config, "port")
        http_port: int = http_socket.getsockname()[1]
        ports.http = http_port
        runner = web.AppRunner(
            app,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            handle_signals=False,
            access_log_class=KioskAccessLogger,
        )
        try:
            await runner.setup()
        except Exception as exc:
            http_socket.close()
            raise StartupError(describe_failure(exc, config)) from None
        except BaseException:
            http_socket.close()
            raise
        self._runner = runner
        try:
            await start_site(runner, http_socket, backlog)
            if tls is not None:
                https_socket = bind_port(config, "https_port")
                await start_site(runner, https_socket, backlog, tls)
                ports.https = https_socket.getsockname()[1]  # staff pages on HTTP redirect here
        except BaseException:
            await self.stop()
            raise
        self.running = RunningServer(app, http_port, ports.https, config.server.host)
        _log_urls(self.running)
        return self.running

    async def stop(self) -> None:
        """Close the sites and run the app's cleanup; safe to call when never started."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> RunningServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def run_server(
    config: Config,
    services: Services | None = None,
    *,
    ready: Callable[[RunningServer], object] | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Serve the app on `port` (HTTP) and `https_port` (HTTPS) until stopped.

    It returns after a graceful shutdown, triggered by SIGINT/SIGTERM (when `handle_signals`),
    by setting `stop`, or by cancelling the task.
    """
    stop = stop or asyncio.Event()
    runner = KioskRunner(config, services)
    signals: list[signal.Signals] = []
    try:
        server = await runner.start()
        if handle_signals:
            signals = _install_signal_handlers(stop)
        if ready is not None:
            ready(server)
        await stop.wait()
        logger.info("shutting down")
    finally:
        loop = asyncio.get_running_loop()
        for sig in signals:
            loop.remove_signal_handler(sig)
        await runner.stop()


def serve(config: Config) -> None:
    """Run the server in the foreground until Ctrl-C or SIGTERM (service mode).

    A failure to start raises StartupError with one line for the user.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    install_redaction()
    check_ports(config)  # before anything is logged: a busy port is the only line shown
    asyncio.run(run_server(config))
