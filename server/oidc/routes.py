"""The browser's side of single sign-on: /auth/oidc/login, /auth/oidc/callback, /auth/oidc/status.

No token is needed for any of them (server/app.py: UNAUTHENTICATED). Login and callback are
browser navigations, not API calls, so they are left out of the OpenAPI document; with no
`--oidc-issuer` both answer 404 `oidc_not_configured`. A provider that cannot be reached makes
them a 503 `oidc_unavailable` (its fault, not the person's: trying again later may work).

The flow between the two travels in a sealed HttpOnly cookie (server/oidc/flow.py), so a
callback that reaches the other node of a cluster finishes there just as well.
"""

from __future__ import annotations

import time
from typing import Any, Final

import msgspec
from litestar import Response, Router, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect

from server.accounts.sessions import session_cookies
from server.auth.transport import client_host, is_https
from server.errors import ApiError, BadRequest, Forbidden, NotFound, ServiceUnavailable
from server.http_params import AnyRequest
from server.oidc import flow, service
from server.oidc.client import ProviderUnavailable, SignInRefused, SingleSignOn
from server.oidc.page import refusal_page, wants_page
from server.state import AppState, Posbon

CALLBACK_PATH: Final = "/auth/oidc/callback"
SIGNED_IN_PATH: Final = "/"
MAX_ERROR_CHARS: Final = 200
"""How much of the provider's own error text is shown back to the person."""

Oidc = NamedDependency[SingleSignOn]
"""How a handler asks for the node's single sign-on: `oidc: Oidc`."""


class OidcStatus(msgspec.Struct, frozen=True):
    enabled: bool
    """Whether the sign-in screen offers "Sign in with the city account"."""


@get("/status", summary="Whether single sign-on is on (no token needed)", tags=["session"])
async def status(oidc: Oidc) -> OidcStatus:
    return OidcStatus(enabled=oidc.enabled)


@get("/login", include_in_schema=False)
async def login(request: AnyRequest, oidc: Oidc) -> Response[Any]:
    """Send the browser to the identity provider, with a fresh flow in a cookie."""
    try:
        return await _login(request, oidc)
    except ApiError as err:
        if wants_page(request):
            return refusal_page(request, err)
        raise


async def _login(request: AnyRequest, oidc: SingleSignOn) -> Redirect:
    _configured(oidc)
    redirect_uri = str(request.base_url).rstrip("/") + CALLBACK_PATH
    try:
        pending, url = await oidc.begin(redirect_uri)
    except ProviderUnavailable as err:
        raise _unavailable(err) from err
    cookie = Cookie(
        key=flow.FLOW_COOKIE,
        value=flow.seal(pending, oidc.flow_key),
        path=flow.FLOW_COOKIE_PATH,
        max_age=int(flow.FLOW_LIFETIME_S),
        httponly=True,
        secure=is_https(request),
        samesite="lax",  # the provider's redirect back is a top-level GET from its site
    )
    return Redirect(url, status_code=302, cookies=[cookie])


class ProviderAnswer(msgspec.Struct, frozen=True):
    """The query the provider sends the browser back with."""

    authorization_code: str = ""
    state: str = ""
    error: str = ""
    error_description: str = ""


@get("/callback", include_in_schema=False)
async def callback(
    request: AnyRequest,
    oidc: Oidc,
    posbon: Posbon,
) -> Response[Any]:
    """Finish the sign-in: check the answer, map the groups, open a session, go to the page."""
    # Read by hand: `state` is a name litestar keeps for its own parameter.
    query = request.query_params
    answer = ProviderAnswer(
        authorization_code=query.get("code", ""),
        state=query.get("state", ""),
        error=query.get("error", "")[:MAX_ERROR_CHARS],
        error_description=query.get("error_description", "")[:MAX_ERROR_CHARS],
    )
    try:
        return await _callback(request, oidc, posbon, answer)
    except ApiError as err:
        if wants_page(request):
            return refusal_page(request, err)
        raise


async def _callback(
    request: AnyRequest, oidc: SingleSignOn, posbon: AppState, answer: ProviderAnswer
) -> Redirect:
    _configured(oidc)
    try:
        pending = flow.unseal(
            request.cookies.get(flow.FLOW_COOKIE),
            oidc.flow_key,
            state=answer.state,
            now_s=time.time(),
        )
    except flow.FlowError as err:
        raise BadRequest(str(err), code="oidc_bad_state") from err
    if answer.error:
        raise Forbidden(
            "The identity provider refused the sign-in: "
            f"{answer.error_description or answer.error}.",
            code="oidc_refused",
        )
    if not answer.authorization_code:
        raise BadRequest(
            "The identity provider sent no code; start the sign-in again from the sign-in page.",
            code="oidc_bad_state",
        )
    try:
        identity = await oidc.finish(answer.authorization_code, pending)
    except ProviderUnavailable as err:
        raise _unavailable(err) from err
    except SignInRefused as err:
        raise Forbidden(f"The sign-in was refused: {err}.", code="oidc_refused") from err
    opened = await service.sign_in(posbon, oidc.rules, identity, address=client_host(request))
    response = Redirect(SIGNED_IN_PATH, status_code=302)
    session_cookies(response, opened, secure=is_https(request))
    response.delete_cookie(flow.FLOW_COOKIE, path=flow.FLOW_COOKIE_PATH)
    return response


def _configured(oidc: SingleSignOn) -> None:
    if not oidc.enabled:
        raise NotFound(
            "Single sign-on is not set up on this server (--oidc-issuer).",
            code="oidc_not_configured",
        )


def _unavailable(err: ProviderUnavailable) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The city's identity provider cannot be used right now ({err}); try again later.",
        code="oidc_unavailable",
    )


router = Router(path="/auth/oidc", route_handlers=[status, login, callback])
