"""The machine's LAN addresses and the public URLs derived from them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import ifaddr

from server.config import Config


@dataclass
class ListeningPorts:
    """The ports the kiosk's sites really listen on (they differ from the config's for port 0).

    The runner fills them in as it binds: `http` before start-up, because MediaMTX's auth hook
    URL needs it; `https` once the HTTPS site runs, and staff pages on HTTP redirect to it then.
    """

    http: int | None = None
    https: int | None = None


def lan_addresses() -> list[str]:
    """IPv4 addresses other than loopback and link-local, private ranges first."""
    found: list[ipaddress.IPv4Address] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not isinstance(ip.ip, str):
                continue
            address = ipaddress.IPv4Address(ip.ip)
            if address.is_loopback or address.is_link_local or address in found:
                continue
            found.append(address)
    found.sort(key=lambda a: (not a.is_private, int(a)))
    return [str(a) for a in found]


def primary_address() -> str:
    """The address phones on the LAN most likely reach; loopback when there is none."""
    addresses = lan_addresses()
    return addresses[0] if addresses else "127.0.0.1"


def public_url(config: Config, host: str | None = None) -> str:
    """Base of listener links: configured, else plain HTTP on the LAN address."""
    if config.kiosk.public_url:
        return config.kiosk.public_url.rstrip("/")
    return f"http://{host or primary_address()}:{config.server.port}"


def secure_url(config: Config, host: str | None = None) -> str:
    """Base of invite links: configured, else HTTPS on the LAN address (HTTP when tls is off)."""
    if config.kiosk.secure_url:
        return config.kiosk.secure_url.rstrip("/")
    if config.server.tls == "off":
        return public_url(config, host)
    return f"https://{host or primary_address()}:{config.server.https_port}"
