"""Who may call what. Every HTTP route names its roles with `allow(...)`; the middleware resolves
the caller into a Principal first. WebSocket routes authenticate in their hello message.

A caller presents either `Authorization: Bearer <token>` (devices, integrations, scripts; a
session's secret works there too) or, from the dispatcher page, the `posbon_session` cookie. A
cookie is sent by the browser on its own, so a request it authenticates that changes anything
(POST, PUT, PATCH, DELETE) must also carry X-CSRF-Token, which only our page can read
(server/auth/cookies.py), else 403 `csrf_failed`. Only a session may come by cookie."""

from __future__ import annotations

from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Guard

from server.auth.cookies import CSRF_HEADER, SESSION_COOKIE, UNSAFE_METHODS, csrf_matches
from server.auth.limits import FailedLookups
from server.auth.schemas import Principal, Role, TokenKind
from server.auth.service import identify
from server.auth.transport import client_host
from server.db import Database
from server.errors import Forbidden, Unauthorized

PUBLIC_PATHS: Final = ("/health",)
ROLES_OPT: Final = "roles"
EVERY_ROLE: Final = frozenset(Role)


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        db: Database,
        failures: FailedLookups,
        idle_timeout_s: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(app, **options)
        self.db = db
        self.failures = failures
        self.idle_timeout_s = idle_timeout_s

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        by_cookie = not header and bool(connection.cookies.get(SESSION_COOKIE))
        if by_cookie:
            token = connection.cookies[SESSION_COOKIE]
        elif scheme.lower() != "bearer" or not token:
            raise Unauthorized(
                "Send 'Authorization: Bearer <token>'; create a token with 'posbon token create'.",
                code="token_missing",
            )
        token = token.strip()
        principal = await identify(
            self.db,
            token,
            client_address(connection),
            self.failures,
            idle_timeout_s=self.idle_timeout_s,
        )
        if by_cookie:
            _check_cookie_use(connection, principal, token)
        return AuthenticationResult(user=principal, auth=token)


def _check_cookie_use(
    connection: ASGIConnection[Any, Any, Any, Any], principal: Principal, secret: str
) -> None:
    if principal.kind is not TokenKind.SESSION:
        raise Unauthorized(
            "Only a signed-in session comes in the posbon_session cookie; send a token as "
            "'Authorization: Bearer <token>'.",
            code="cookie_not_session",
        )
    presented = connection.headers.get(CSRF_HEADER, "")
    if connection.scope.get("method") in UNSAFE_METHODS and not csrf_matches(secret, presented):
        raise Forbidden(
            "This change came without the page's X-CSRF-Token header; reload the page.",
            code="csrf_failed",
        )


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the TCP peer's, or behind a proxy named in --forwarded-allow the
    address it forwarded (server/auth/transport.py), so per-address limits see each client."""
    return client_host(connection)


def _check_role(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    allowed: frozenset[Role] = handler.opt[ROLES_OPT]
    principal = connection.user
    if not isinstance(principal, Principal):
        raise Unauthorized("No token was presented.", code="token_missing")
    if principal.role not in allowed:
        names = ", ".join(sorted(role.value for role in allowed))
        raise Forbidden(f"The {principal.role.value} role may not do this; it needs: {names}.")


def allow(*roles: Role) -> dict[str, Any]:
    """Handler keyword arguments that restrict a route to `roles`."""
    guards: list[Guard] = [_check_role]
    return {"guards": guards, "opt": {ROLES_OPT: frozenset(roles) or EVERY_ROLE}}


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.user
    assert isinstance(principal, Principal)
    return principal
