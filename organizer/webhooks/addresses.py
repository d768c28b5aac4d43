"""Where a webhook may go: http(s) URLs whose every address is public, unless allowed.

A URL pointing at the server's own network (loopback, private ranges,
link-local such as a cloud's metadata service) would let anyone who can
register an endpoint make the server call inside its own walls. The check
runs when an endpoint is saved (to tell the host) and again at every
delivery, on the very address then connected to, so a name that changes its
answer after saving reaches nothing it should not.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app

from ..i18n import gettext as _


class Refused(ValueError):
    """A destination that may not be called; ``str()`` says why, for the host."""


def split(url: str) -> tuple[str, str, int]:
    """The scheme, host name and port of an http(s) URL; :class:`Refused` otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused(_("This is not a web address: give one like "
                        "https://example.com/hook.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(_("Give an address starting with https:// (or http://)."))
    if parts.username or parts.password:
        raise Refused(_("Leave the user name and password out of the address: deliveries "
                        "are signed, and the signature is what your receiver should check."))
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``: every address it has must be public unless
    ``WEBHOOK_ALLOW_PRIVATE``; :class:`Refused` with a sentence otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(_("The name %(host)s could not be found.", host=host)) from None
    addresses = [info[4][0] for info in infos]
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"] and any(map(_private, addresses)):
        raise Refused(_("%(host)s is on a private, loopback or link-local network, which "
                        "webhooks may not call. Give a public address.", host=host))
    return addresses[0]


def check(url: str) -> str:
    """``url`` tidied if a webhook may be sent there; :class:`Refused` otherwise."""
    _scheme, host, port = split(url)
    resolve(host, port)
    return url.strip()
