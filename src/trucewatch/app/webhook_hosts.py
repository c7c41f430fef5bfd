"""Where webhook alerts may be sent: no request forgery through a subscription.

A party's liaison may subscribe with a webhook, and the server then makes HTTP requests
to the address it gave. Left open, that lets a hostile party reach what only the server can
reach: the database port on loopback, another host of the mission's private network, a
cloud metadata service (169.254.169.254). So a webhook's host must resolve only to public
addresses (not loopback, private, link-local, shared, multicast, reserved or unspecified),
unless the operator allows it by name or network (``Settings.webhook_allowed_hosts``: host
names, IP addresses or CIDR networks such as ``10.20.0.0/16``).

The host is checked when the subscription is made and again before every delivery (its
name may resolve elsewhere by then). What is left: a name that resolves to a public
address at the check and to a private one at the connection a moment later (DNS
rebinding); a mission that fears it sends webhooks through an egress proxy.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
"""``resolve(host, port)``: the IP addresses (text) the host name resolves to."""

__all__ = ["WebhookHostRefused", "WebhookHosts", "system_resolver"]


class WebhookHostRefused(ValueError):
    """The webhook's host is not one alerts may be sent to (the message says why)."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, through the system's resolver (``getaddrinfo``)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _is_public(addr: Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


@dataclass(frozen=True)
class WebhookHosts:
    """The policy: public addresses, plus the ``allowed`` host names and networks."""

    allowed: Sequence[str] = ()
    resolve: Resolver = system_resolver
    _names: frozenset[str] = field(init=False, repr=False)
    _networks: tuple[Network, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names, networks = _split(self.allowed)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_networks", networks)

    def check(self, url: str) -> None:
        """Raise :class:`WebhookHostRefused` unless alerts may be posted to ``url``."""
        parsed = urlparse(url)
        host = (parsed.hostname or "").lower().rstrip(".")
        if not host:
            raise WebhookHostRefused("the URL has no host")
        if host in self._names:
            return
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            addresses = [ipaddress.ip_address(host)] if _is_ip(host) else [
                ipaddress.ip_address(a.split("%", 1)[0]) for a in self.resolve(host, port)]
        except (OSError, ValueError) as exc:
            raise WebhookHostRefused(f"host {host!r} does not resolve ({exc})") from None
        if not addresses:
            raise WebhookHostRefused(f"host {host!r} does not resolve")
        for addr in addresses:
            if not _is_public(addr) and not any(addr in net for net in self._networks):
                raise WebhookHostRefused(
                    f"host {host!r} resolves to {addr}, a loopback, private or reserved "
                    "address; an operator may allow it with the setting "
                    "webhook_allowed_hosts")  # fmt: skip


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _split(allowed: Iterable[str]) -> tuple[frozenset[str], tuple[Network, ...]]:
    """The allowed entries as host names and as networks (an address is a /32 or /128)."""
    names: set[str] = set()
    networks: list[Network] = []
    for entry in allowed:
        text = entry.strip().lower().rstrip(".")
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            names.add(text)
    return frozenset(names), tuple(networks)
