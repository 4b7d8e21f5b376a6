"""Signing in and out of the dispatcher page: `/api/v1/session`.

POST (no token needed: it is how a person gets one) checks the password and code and sets the
session cookies; GET says who the caller is (any token or session); DELETE signs this session
out; POST /everywhere ends every session of the person, whose sockets close on every node.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, delete, get, post
from litestar.di import NamedDependency

from server.accounts import repository, service, sessions
from server.accounts.schemas import SessionOut, SignIn, Whoami
from server.auth.guards import allow, client_address, principal_of
from server.auth.limits import FailedLookups
from server.auth.transport import is_https
from server.errors import error_response
from server.http_params import AnyRequest, JSONBody
from server.state import Posbon

EXCLUDE_FROM_AUTH = {"exclude_from_auth": True}
"""Handler opt the token middleware skips (litestar's key): signing in needs no token."""
ANYONE = allow()
SignInFailures = NamedDependency[FailedLookups]
"""Failed sign-ins by client address (one per node: server/app.py)."""


@post(
    "/",
    opt=EXCLUDE_FROM_AUTH,
    status_code=201,
    summary="Sign in with a username, password and (when the account needs one) a TOTP code",
    description="Sets the HttpOnly `posbon_session` cookie and the readable `posbon_csrf` "
    "cookie; send the CSRF token as X-CSRF-Token on every POST, PUT, PATCH and DELETE. 401 "
    "`sign_in_failed` for a wrong username, password or code, 401 `code_required` when the "
    "code is missing, 429 `account_locked` with Retry-After after too many failures in a row, "
    "429 `too_many_failed_sign_ins` with Retry-After when the caller's address failed too "
    "often lately, whichever accounts it tried.",
    security=[],
)
async def sign_in(
    posbon: Posbon, request: AnyRequest, data: JSONBody[SignIn], sign_in_failures: SignInFailures
) -> Response[Any]:
    address = client_address(request)
    refused_for_s = sign_in_failures.blocked_for(address)
    if refused_for_s:
        return _retry_later(request, service.TooManyFailedSignIns(refused_for_s))
    try:
        account = await service.sign_in(posbon.db, posbon.settings, data, address=address)
    except service.AccountLocked as locked:
        sign_in_failures.failed(address)
        return _retry_later(request, locked)
    except service.SignInFailed:
        sign_in_failures.failed(address)
        raise
    opened = await sessions.open_session(
        posbon.db, posbon.settings, account, address=address, via="password"
    )
    body = SessionOut(
        user=account,
        csrf=opened.csrf,
        expires_at=opened.expires_at,
        idle_timeout_s=posbon.settings.session_idle_timeout_s,
    )
    response: Response[Any] = Response(body, status_code=201)
    sessions.session_cookies(response, opened, secure=is_https(request))
    return response


def _retry_later(request: AnyRequest, refusal: service.RetryLater) -> Response[Any]:
    headers = {"Retry-After": str(refusal.retry_after_s)}
    return error_response(request, refusal.status_code, refusal.code, refusal.detail, headers)


@get("/", **ANYONE, summary="Who am I: the caller's token or session, and its person")
async def whoami(posbon: Posbon, request: AnyRequest) -> Whoami:
    principal = principal_of(request)
    user = None
    if principal.user_id is not None:
        user = await repository.find_by_id(posbon.db, principal.user_id)
    return Whoami(
        token_id=principal.token_id,
        name=principal.name,
        role=principal.role,
        kind=principal.kind.value,
        scope=principal.scope,
        user=user,
    )


@delete("/", **ANYONE, status_code=200, summary="Sign out: end this session, clear its cookies")
async def sign_out(posbon: Posbon, request: AnyRequest) -> Response[None]:
    principal = principal_of(request)
    await sessions.sign_out(posbon.db, principal, address=client_address(request))
    response: Response[None] = Response(None, status_code=204)
    sessions.clear_cookies(response, secure=is_https(request))
    return response


@post(
    "/everywhere",
    **ANYONE,
    status_code=204,
    summary="Sign out everywhere: end every session of this person",
    description="Their sockets close with 4401 on every node within about a second.",
)
async def sign_out_everywhere(posbon: Posbon, request: AnyRequest) -> Response[None]:
    principal = principal_of(request)
    await sessions.sign_out_everywhere(posbon.db, principal, address=client_address(request))
    response: Response[None] = Response(None, status_code=204)
    sessions.clear_cookies(response, secure=is_https(request))
    return response


router = Router(
    path="/api/v1/session",
    route_handlers=[sign_in, whoami, sign_out, sign_out_everywhere],
    tags=["session"],
)
