"""How a request reached us: over TLS or not, and from whom.

uvicorn terminates TLS itself when `--tls-cert/--tls-key` are set (the scope's scheme is then
"https" or "wss"). Behind a reverse proxy, uvicorn's proxy-headers middleware rewrites the
scheme and the client address from X-Forwarded-Proto/-For, but only for a peer named in
`--forwarded-allow` (server/runner.py); with the setting empty the headers are ignored. So by
the time a handler runs, the ASGI scope already says the truth, and this module only reads it.
"""

from __future__ import annotations

import ssl
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from server.settings import Settings, SettingsError, flag_and_variable

SECURE_SCHEMES: Final = frozenset({"https", "wss"})
HSTS_HEADER: Final = "strict-transport-security"


def is_https(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """True when the request came over TLS, to us directly or to a trusted proxy."""
    return scope_is_https(connection.scope)


def scope_is_https(scope: Scope) -> bool:
    return scope.get("scheme", "http") in SECURE_SCHEMES


def client_host(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the TCP peer, or the address a trusted proxy forwarded."""
    client = connection.client
    return "unknown" if client is None else client.host


def strict_transport(max_age_s: int) -> BeforeMessageSendHookHandler:
    """A hook that adds Strict-Transport-Security to every HTTP response sent over HTTPS (never
    over plain HTTP: a browser ignores it there, and the site may not speak TLS at all)."""
    value = f"max-age={max_age_s}"

    def add_header(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start" and scope_is_https(scope):
            MutableScopeHeaders.from_message(message)[HSTS_HEADER] = value

    return add_header


def trusted_proxies(settings: Settings) -> list[str]:
    """The addresses and networks of --forwarded-allow (checked in server/settings.py)."""
    return [item.strip() for item in settings.forwarded_allow.split(",") if item.strip()]


def https_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for the HTTP port, or None for plain HTTP. Loaded before anything starts,
    so an unreadable or mismatched pair stops the start with one line naming the settings."""
    if not settings.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    except (OSError, ssl.SSLError) as err:
        raise SettingsError(
            f"{flag_and_variable('tls_cert')} and {flag_and_variable('tls_key')}: cannot load "
            f"{settings.tls_cert!r} with key {settings.tls_key!r} ({err})"
        ) from err
    return context
