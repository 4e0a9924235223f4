"""Start-up failures in one line: a busy port, a folder we may not write, a broken certificate.

The server and the console both bind their ports through `bind_port`, so a port that is taken
becomes a `StartupError` naming the port and the config key to change. `describe_failure` turns
whatever else stopped the start into one line, with any secret masked, for the CLI to print
before it exits 2. Nobody sees a traceback (let alone one with local variables) because the
kiosk could not start.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
from pathlib import Path

from server.config import Config, ConfigError
from server.secrets.redaction import redact
from server.ws.keepalive import watch_by_kernel

logger = logging.getLogger("server.hosting.startup")

SOMAXCONN_FILE = Path("/proc/sys/net/core/somaxconn")


def kernel_backlog_cap() -> int | None:
    """`net.core.somaxconn`: the kernel silently cuts any larger listen backlog down to it."""
    try:
        return int(SOMAXCONN_FILE.read_text())
    except (OSError, ValueError):
        return None  # not Linux, or /proc is not mounted


class StartupError(Exception):
    """The kiosk cannot start; the message says why and what to change, in one line."""


def _config_file(config: Config) -> str:
    return str(config.source) if config.source else "kiosk.toml"


def bind_port(config: Config, key: str, *, backlog: int | None = None) -> socket.socket:
    """A listening socket on `[server] host` and the port of `[server] {key}`.

    We bind the sockets ourselves so that port 0 (tests) yields a port we can report, and so
    that a failure names the key the technician has to change. The queue is
    `[server] listen_backlog` unless `backlog` says otherwise; whoever serves the socket must keep it (aiohttp's site calls
    listen() again, with 128 unless told: see `server.hosting.runner.start_site`).
    """
    host = config.server.host
    port: int = getattr(config.server, key)
    if backlog is None:
        backlog = config.server.listen_backlog
    cap = kernel_backlog_cap()
    if cap is not None and cap < backlog:
        logger.warning(
            "listen backlog %d is cut to %d by the kernel (net.core.somaxconn); a crowd of "
            "phones arriving at once may have to retry",
            backlog,
            cap,
        )
    try:
        sock = socket.create_server((host, port), backlog=backlog)
    except OSError as exc:
        raise StartupError(bind_failure(config, key, host, port, exc)) from None
    watch_by_kernel(sock)  # accepted connections inherit it: no system calls per phone
    return sock


def bind_failure(config: Config, key: str, host: str, port: int, exc: OSError) -> str:
    """The one line for a port that cannot be opened."""
    where = _config_file(config)
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} is already in use by another program (is the kiosk running already?); "
            f"stop that program or set another port in [server] {key} in {where}"
        )
    if exc.errno == errno.EACCES:
        return (
            f"port {port} needs administrator rights; "
            f"set a port above 1023 in [server] {key} in {where}"
        )
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return (
            f"cannot listen on address '{host}' (port {port}): it is not an address of this "
            f'machine; set [server] host in {where} (use "0.0.0.0" for every network)'
        )
    return f"cannot listen on port {port} ({exc.strerror or exc}); check [server] {key} in {where}"


def describe_failure(exc: BaseException, config: Config) -> str:
    """One line for anything that stopped the kiosk from starting, secrets masked."""
    if isinstance(exc, StartupError | ConfigError):
        line = str(exc)
    elif isinstance(exc, ssl.SSLError):
        line = (
            f"cannot load the HTTPS certificate ({exc.reason or exc}); check [server] tls, "
            f"tls_cert and tls_key in {_config_file(config)}"
        )
    elif isinstance(exc, PermissionError):
        line = f"no permission to use {exc.filename or 'a file'}; check [kiosk] data_dir"
    elif isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else ""
        line = f"{name}{exc.strerror or exc}"
    else:
        line = f"the kiosk could not start: {type(exc).__name__}: {exc}"
    return redact(" ".join(line.split()))


def check_ports(config: Config) -> None:
    """Raise StartupError now if a configured port cannot be opened.

    The console calls this before it draws anything, so a busy port is one line on a normal
    terminal rather than a screen that flashes and vanishes. The real bind still reports any
    port taken in between.
    """
    keys = ["port"] + (["https_port"] if config.server.tls != "off" else [])
    for key in keys:
        if getattr(config.server, key):
            bind_port(config, key, backlog=1).close()
