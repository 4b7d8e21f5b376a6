"""Who may call what. Every HTTP route names its roles with `allow(...)`; the middleware resolves
the bearer token into a Principal first. WebSocket routes authenticate in their hello message."""

from __future__ import annotations

from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Guard

from server.auth.limits import FailedLookups
from server.auth.schemas import Principal, Role
from server.auth.service import identify
from server.db import Database
from server.errors import Forbidden, Unauthorized

PUBLIC_PATHS: Final = ("/health",)
ROLES_OPT: Final = "roles"
EVERY_ROLE: Final = frozenset(Role)


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self, app: ASGIApp, *, db: Database, failures: FailedLookups, **options: Any
    ) -> None:
        super().__init__(app, **options)
        self.db = db
        self.failures = failures

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(
                "Send 'Authorization: Bearer <token>'; create a token with 'posbon token create'.",
                code="token_missing",
            )
        principal = await identify(
            self.db, token.strip(), client_address(connection), self.failures
        )
        return AuthenticationResult(user=principal, auth=token)


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The TCP peer's address (a proxy's own, behind one)."""
    client = connection.client
    return "unknown" if client is None else client.host


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
