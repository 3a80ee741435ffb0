"""Provider endpoints as the registry names them: whether the wallet will send anything there, and why a request
to one failed, in words.

Anyone can register a provider, and its endpoint is any string the contract accepts. The wallet sends a prompt
and a signed payment to it, and probes it from the Providers screen; so before any request the endpoint must be
a plain web address: http or https, a host, no user name or password, no query or fragment (the API path is
appended to it), no control characters (they would split the HTTP request), a real port, and not a link-local,
unspecified or multicast address (169.254.169.254 is where cloud machines keep their credentials).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MAX_ENDPOINT = 2048


def endpoint_refusal(url: str) -> str | None:
    """Why the wallet sends nothing to ``url`` (a sentence), or None when it is a usable endpoint."""
    if not url or len(url) > MAX_ENDPOINT:
        return "The registered endpoint is not a web address: it is empty or too long."
    if any(c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in url):
        return "The registered endpoint is not a web address: it contains spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The registered endpoint is not a web address the wallet can read."
    if parts.scheme.lower() not in ("http", "https"):
        return ("The registered endpoint is not a web address the wallet can use (http or https): tasks cannot "
                "be sent to this provider.")
    if not parts.hostname:
        return "The registered endpoint is not a web address: it names no host."
    if "@" in parts.netloc:
        return "The registered endpoint carries a user name or password; the wallet does not send them."
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "The registered endpoint has a query or fragment (?…, #…); an API's base address has none."
    if port == 0:
        return "The registered endpoint names port 0, which no server listens on."
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    if address.is_link_local or address.is_unspecified or address.is_multicast:
        return (f"The registered endpoint points at {address}, a link-local, unspecified or "
                "multicast address (where cloud machines keep their credentials, for one): the wallet sends "
                "nothing there.")
    return None


def endpoint_problem(exc: Exception, timeout: float) -> str:
    """Why a provider's endpoint could not be reached, and what to do, for a person rather than a log."""
    import httpx

    text = str(exc).lower()
    if isinstance(exc, httpx.TimeoutException):
        return (f"No answer within {timeout:g} seconds: the provider's server is slow or cannot be reached from "
                "here. Try again later, or use another provider.")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ("The registered endpoint is not a web address the wallet can use (http or https): tasks cannot "
                "be sent to this provider.")
    if isinstance(exc, httpx.ConnectError):
        if "certificate" in text or "ssl" in text:
            return ("Its secure connection (HTTPS certificate) could not be verified: do not use this provider "
                    "until it is fixed.")
        if any(s in text for s in ("name or service not known", "nodename nor servname", "name resolution",
                                   "getaddrinfo")):
            return ("The endpoint's host name cannot be found: check this computer's internet connection; if it "
                    "works, the provider's address is wrong.")
        return ("Nothing answers at this address: the provider's server is not running, or does not accept "
                "connections from here. Try again later, or use another provider.")
    return "The connection failed before the provider answered. Try again later, or use another provider."
