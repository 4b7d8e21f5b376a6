"""Every route but /health, /ready, the API docs, the pages' shells and static files and an
outside party's share link demands a token, and a token of the wrong role is refused."""

from __future__ import annotations

import re

import httpx
import pytest
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from server.auth.guards import EVERY_ROLE, ROLES_OPT
from server.auth.schemas import Role
from tests.integration.live import Live

pytestmark = pytest.mark.integration

# Route path → a URL on it that must answer 200 without a token: /health and /ready (for load
# balancers; they hold no data), the API docs (Swagger UI and the OpenAPI document: a browser
# opens them before it has a token), and the dispatcher page's shell and static files (they hold
# no data either), and the redaction review page's shell. Every other route must refuse, except
# a share link's doors, where the link itself is the key: an unknown one is simply not found.
PUBLIC = {
    "/health": "/health",
    "/ready": "/ready",
    "/schema": "/schema",
    "/schema/swagger": "/schema/swagger",
    "/schema/openapi.json": "/schema/openapi.json",
    "/schema/oauth2-redirect.html": "/schema/oauth2-redirect.html",
    "/schema/{path:str}": "/schema/openapi.json",
    "/": "/",
    "/static/{file_path:path}": "/static/js/main.js",
    "/crew": "/crew/",
    "/crew/sw.js": "/crew/sw.js",
    "/crew/manifest.webmanifest": "/crew/manifest.webmanifest",
    "/crew/static/{file_path:path}": "/crew/static/js/main.js",
    "/evidence/redact/{redaction_id:str}": "/evidence/redact/1",
    "/auth/oidc/status": "/auth/oidc/status",  # whether the sign-in screen offers single sign-on
}
SHARE_LINK = "/share/"
SIGN_IN = ("POST", "/api/v1/session")
"""Signing in with a password is how a person gets a session: no token (here no body: 400)."""
SINGLE_SIGN_ON = {"/auth/oidc/login", "/auth/oidc/callback"}
"""The browser's way to single sign-on (server/oidc): no token, and without --oidc-issuer (as
here) not found."""


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _http_routes(live: Live) -> list[tuple[str, str, frozenset[Role]]]:
    from server.app import create_app  # noqa: PLC0415

    app = create_app(live.state)
    found: list[tuple[str, str, frozenset[Role]]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            assert isinstance(handler, HTTPRouteHandler)
            roles = handler.opt.get(ROLES_OPT, EVERY_ROLE)
            for method in handler.http_methods:
                if method in {"HEAD", "OPTIONS"}:
                    continue
                found.append((str(method), route.path, roles))
    return found


async def test_every_route_refuses_a_request_without_a_token(live: Live) -> None:
    routes = _http_routes(live)
    assert len(routes) > 30
    async with httpx.AsyncClient(base_url=live.http) as client:
        for method, path, _ in routes:
            response = await client.request(method, PUBLIC.get(path, _concrete(path)))
            if path in PUBLIC:
                assert response.status_code == 200, path
                continue
            if path.startswith(SHARE_LINK):
                assert response.status_code == 404, (method, path, response.text)
                continue
            if path in SINGLE_SIGN_ON:
                assert response.json()["code"] == "oidc_not_configured", (path, response.text)
                continue
            if (method, path) == SIGN_IN:
                assert response.status_code == 400, response.text
                continue
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["code"] in {"token_missing", "unauthorized"}


async def test_every_route_refuses_a_token_of_the_wrong_role(live: Live) -> None:
    tokens = {role: await live.token(role) for role in Role if role is not Role.CREW}
    checked = 0
    async with httpx.AsyncClient(base_url=live.http) as client:
        for method, path, roles in _http_routes(live):
            outsiders = [role for role in tokens if role not in roles]
            if path in PUBLIC or not outsiders:
                continue
            for role in outsiders:
                response = await client.request(
                    method, _concrete(path), headers=live.headers(tokens[role]), json={}
                )
                assert response.status_code == 403, (method, path, role, response.text)
                assert response.json()["code"] == "forbidden"
                checked += 1
    assert checked > 50


async def test_an_unknown_token_is_refused(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        response = await client.get("/api/v1/sites", headers=live.headers("pb_forged"))
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_the_api_docs_open_without_a_token_and_every_route_they_list_needs_one(
    live: Live,
) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        page = await client.get("/schema/swagger")
        schema = (await client.get("/schema/openapi.json")).json()
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "swagger" in page.text.lower()
        assert "/api/v1/alerts" in schema["paths"]
        assert "/api/v1/incidents/{incident_id}/dispatch" in schema["paths"]
        # the scheme is what makes Swagger UI show Authorize, and send the token it is given
        assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        assert schema["security"] == [{"bearer": []}]
        listed = [(m, path) for path, ops in schema["paths"].items() for m in ops]
        guarded = [
            (method, path)
            for method, path in listed
            if path not in PUBLIC and (method.upper(), path) != SIGN_IN
        ]
        assert len(guarded) > 30
        for method, path in guarded:
            response = await client.request(method.upper(), _concrete(path))
            assert response.status_code == 401, (method, path, response.status_code)
