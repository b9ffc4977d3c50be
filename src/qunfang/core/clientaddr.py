"""The client's address, the one function that the login lockout, the rate limits and the
security log all use.

Behind nginx every connection comes from the proxy, so the address the visitor connected from
is in `X-Forwarded-For` — a header anyone can also send. It is read only when the connection
itself comes from an address in QUNFANG_TRUSTED_PROXIES, and then from the right: each proxy
appends the address it saw, so the last hop that is not one of our proxies is the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies = settings.QUNFANG_TRUSTED_PROXIES
    if remote is None or not _trusted(remote, proxies):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a malformed hop: believe nothing left of it
        if not _trusted(address, proxies):
            return address
    return remote
