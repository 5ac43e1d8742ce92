"""Which webhook URLs may be called: checked when an endpoint is registered and again
before every attempt, since a name that was public may resolve elsewhere later.

A delivery connects to the address checked here (`Target.address`), not to whatever
the name resolves to a moment later, so a rebinding DNS answer cannot slip past.
"""

import ipaddress
import socket
from dataclasses import dataclass

import httpx

from homeward.settings import Settings
from homeward.webhooks.exceptions import UnsafeWebhookUrl

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class UrlPolicy:
    require_https: bool
    allow_loopback: bool

    @classmethod
    def of(cls, settings: Settings) -> "UrlPolicy":
        production = settings.environment == "production"
        return cls(
            require_https=production,
            allow_loopback=not production and settings.webhook_allow_loopback,
        )


@dataclass(frozen=True)
class Target:
    url: httpx.URL
    address: Address

    def pinned_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address."""
        return self.url.copy_with(host=str(self.address))

    @property
    def host_header(self) -> str:
        host = self.url.host
        if ":" in host:
            host = f"[{host}]"
        return host if self.url.port is None else f"{host}:{self.url.port}"


def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (the tests replace this to simulate DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _public(address: Address, policy: UrlPolicy) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return policy.allow_loopback
    return address.is_global and not address.is_multicast


def check_url(raw: str, policy: UrlPolicy) -> Target:
    """The URL and the address to call it at; `UnsafeWebhookUrl` if it may not be called."""
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as error:
        raise UnsafeWebhookUrl(f"The URL cannot be parsed: {error}") from error
    allowed = ("https",) if policy.require_https else ("https", "http")
    if url.scheme not in allowed:
        raise UnsafeWebhookUrl("Webhook URLs must use https")
    if not url.host:
        raise UnsafeWebhookUrl("The URL has no host")
    if url.userinfo:
        raise UnsafeWebhookUrl("Put no user name or password in the URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addresses = resolve(url.host, port)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise UnsafeWebhookUrl(f"The host {url.host} does not resolve") from error
    if not addresses:
        raise UnsafeWebhookUrl(f"The host {url.host} does not resolve")
    refused = [str(address) for address in addresses if not _public(address, policy)]
    if refused:
        raise UnsafeWebhookUrl(
            f"The host {url.host} resolves to an address that is not public "
            f"({', '.join(refused)}); webhooks are sent only to public internet addresses"
        )
    return Target(url=url, address=addresses[0])
