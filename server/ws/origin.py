"""Which web pages may open a booth socket: the kiosk's own, never another site's.

A browser sends the page's `Origin` with every websocket handshake and attaches the kiosk's
cookies whatever page opened it, so without this check any site an interpreter visits could
act in their booth (cross-site websocket hijacking). The kiosk's own origins are: the address
the request came to (its `Host`, on either of the kiosk's ports), the configured `public_url`
and `secure_url`, and localhost on the kiosk's ports. A request without `Origin` comes from a
program, not a browser page, and is judged by its token alone.
"""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from server.hosting.network import lan_addresses
from server.keys import CONFIG

Origin = tuple[str, str, int | None]
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _origin(url: URL) -> Origin:
    return (url.scheme.lower(), (url.host or "").lower(), url.port)


def _parse(text: str) -> Origin | None:
    try:
        url = URL(text)
    except ValueError:
        return None
    if not url.is_absolute() or url.scheme not in ("http", "https"):
        return None
    return _origin(url)


def _own_ports(request: web.Request) -> dict[str, set[int]]:
    """The kiosk's ports per scheme: the configured ones and the one this request came to."""
    config = request.app[CONFIG]
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    arrived_on = sockname[1] if sockname else None
    ports: dict[str, set[int]] = {"http": {config.server.port}, "https": set()}
    if config.server.tls != "off":
        ports["https"].add(config.server.https_port)
    if arrived_on:
        ports["https" if request.secure else "http"].add(arrived_on)
    return ports


def origin_allowed(request: web.Request) -> bool:
    """True when the handshake has no Origin or one of the kiosk's own."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    parsed = _parse(origin)
    if parsed is None:
        return False
    config = request.app[CONFIG]
    if any(
        parsed == _parse(base)
        for base in (config.kiosk.public_url, config.kiosk.secure_url)
        if base
    ):
        return True
    scheme, host, port = parsed
    if port not in _own_ports(request)[scheme]:
        return False
    # The LAN addresses are looked up only when the cheaper names did not match.
    return host in ((request.url.host or "").lower(), *LOOPBACK_NAMES) or host in lan_addresses()
