"""Single sign-on through a real OpenID provider (tests/oidc_provider, its own process), with a
plain HTTP client as the browser: the group decides the role, a person in no mapped group or
an answer that is not this browser's flow gets no session, and the node serves without the
provider (the browser test, test_oidc_browser.py, clicks through the same pages in Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from server.accounts.service import create_user
from server.auth.repository import scope_of
from server.auth.schemas import Role, Scope
from server.db import Database
from server.oidc.client import SingleSignOn
from server.settings import Settings
from tests.integration.live import Live, serve
from tests.integration.test_server.oidc.conftest import PEOPLE, SsoNode
from tests.integration.test_server.oidc.provider import running_provider, through_provider

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CALLBACK = "/auth/oidc/callback"
FLOW_COOKIE = "posbon_oidc_flow"


async def _session_rows(db: Database) -> list[dict[str, Any]]:
    return await db.fetch("SELECT name, role, user_id FROM tokens WHERE kind = 'session'")


async def _audit(db: Database, action: str) -> list[dict[str, Any]]:
    return await db.fetch(
        "SELECT actor, target, outcome, detail FROM audit_log WHERE action = {}", action
    )


async def test_a_person_in_a_mapped_group_signs_in_as_a_dispatcher(sso: SsoNode) -> None:
    live = sso.live
    async with httpx.AsyncClient() as browser:
        answer = await through_provider(browser, live.http, "ana")
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"] == "/"
        set_cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in set_cookies if c.startswith("posbon_session="))
        assert "HttpOnly" in session
        assert "samesite=strict" in session.lower()
        assert any(c.startswith(f"{FLOW_COOKIE}=") and "Max-Age=0" in c for c in set_cookies)
        whoami = await browser.get(live.http + "/api/v1/session")
    assert whoami.status_code == 200, whoami.text
    body = whoami.json()
    assert body["role"] == "dispatcher"
    assert body["kind"] == "session"
    assert body["user"]["username"] == "ana"
    assert body["user"]["display_name"] == "Ana Karimova"
    assert body["user"]["source"] == "oidc"
    assert body["user"].get("scope", {}) == {}
    [signed_in] = await _audit(live.state.db, "session.sign_in")
    assert "oidc" in signed_in["detail"]


async def test_a_districts_group_gives_only_its_districts(sso: SsoNode) -> None:
    db = sso.live.state.db
    async with httpx.AsyncClient() as browser:
        answer = await through_provider(browser, sso.live.http, "nora")
        assert answer.status_code == 302, answer.text
    [user] = await db.fetch("SELECT id, role, scope FROM users WHERE username = 'nora'")
    [session] = await db.fetch(
        "SELECT role, scope FROM tokens WHERE kind = 'session' AND user_id = {}", user["id"]
    )
    for row in (user, session):
        assert row["role"] == "dispatcher"
        assert scope_of(row["scope"]) == Scope(districts=frozenset({"North"}))


async def test_a_person_in_no_mapped_group_is_refused(sso: SsoNode) -> None:
    db = sso.live.state.db
    async with httpx.AsyncClient() as browser:
        answer = await through_provider(browser, sso.live.http, "bob")
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "oidc_no_role"
        assert "bob is in no group" in answer.json()["detail"]
        assert not any(
            c.startswith("posbon_session=") for c in answer.headers.get_list("set-cookie")
        )
        whoami = await browser.get(sso.live.http + "/api/v1/session")
    assert whoami.status_code == 401
    assert await _session_rows(db) == []
    assert await db.fetch("SELECT id FROM users WHERE username = 'bob'") == []
    [refused] = await _audit(db, "session.sign_in_failed")
    assert refused["actor"] == "bob"
    assert "no mapped group" in refused["detail"]


async def test_a_local_accounts_name_is_not_taken_over(sso: SsoNode) -> None:
    live = sso.live
    await create_user(
        live.state.db,
        live.state.settings,
        username="ana",
        password="a long local password 1",
        role=Role.ADMIN,
    )
    async with httpx.AsyncClient() as browser:
        answer = await through_provider(browser, live.http, "ana")
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "username_taken"
    assert await _session_rows(live.state.db) == []
    [refused] = await _audit(live.state.db, "session.sign_in_failed")
    assert refused["detail"] == "oidc: username_taken"


async def test_a_browser_is_shown_the_refusal_in_its_language(sso: SsoNode) -> None:
    headers = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "ru"}
    async with httpx.AsyncClient(headers=headers) as browser:
        answer = await through_provider(browser, sso.live.http, "bob")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert 'data-code="oidc_no_role"' in answer.text
    assert "bob не состоит ни в одной группе" in answer.text


async def test_a_changed_state_is_refused(sso: SsoNode) -> None:
    live = sso.live
    async with httpx.AsyncClient() as browser:
        seen: list[str] = []

        async def keep_callback(request: httpx.Request) -> None:
            if request.url.path == CALLBACK:
                seen.append(str(request.url))

        browser.event_hooks["request"].append(keep_callback)
        genuine = await through_provider(browser, live.http, "ana")
        assert genuine.status_code == 302  # the same way through works unchanged
        query = dict(parse_qsl(urlsplit(seen[0]).query))
        # A second run through the provider; its answer's state is changed on the way back.
        browser.cookies.delete("posbon_session")
        login = await browser.get(live.http + "/auth/oidc/login")
        state = dict(parse_qsl(urlsplit(login.headers["location"]).query))["state"]
        tampered = {**query, "state": state[:-2] + ("AA" if state[-2:] != "AA" else "BB")}
        answer = await browser.get(live.http + CALLBACK + "?" + urlencode(tampered))
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "oidc_bad_state"
    assert [row["name"] for row in await _session_rows(live.state.db)] == ["ana"]


async def test_an_answer_without_this_browsers_flow_is_refused(sso: SsoNode) -> None:
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(sso.live.http + CALLBACK + "?code=abc&state=xyz")
    assert answer.status_code == 400
    assert answer.json()["code"] == "oidc_bad_state"
    assert "No sign-in was started in this browser" in answer.json()["detail"]


async def test_a_refusal_by_the_provider_is_passed_on(sso: SsoNode) -> None:
    live = sso.live
    async with httpx.AsyncClient() as browser:
        login = await browser.get(live.http + "/auth/oidc/login")
        state = dict(parse_qsl(urlsplit(login.headers["location"]).query))["state"]
        refused = {"state": state, "error": "access_denied", "error_description": "Not today"}
        answer = await browser.get(live.http + CALLBACK + "?" + urlencode(refused))
    assert answer.status_code == 403
    assert answer.json()["code"] == "oidc_refused"
    assert answer.json()["detail"] == "The identity provider refused the sign-in: Not today."
    assert await _session_rows(live.state.db) == []


async def test_groups_only_in_the_userinfo_answer_count_too(
    sso_settings: Settings,
    db: Database,
    provider_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[dict[str, Any]] = []
    userinfo = SingleSignOn._userinfo

    async def kept(self: SingleSignOn, *args: Any) -> dict[str, Any]:
        asked.append(await userinfo(self, *args))
        return asked[-1]

    monkeypatch.setattr(SingleSignOn, "_userinfo", kept)
    async with serve(sso_settings, db) as live:
        callback = live.http + CALLBACK
        log = tmp_path / "provider.log"
        async with (
            running_provider(provider_port, callback, PEOPLE, log, claims_in="userinfo"),
            httpx.AsyncClient() as browser,
        ):
            answer = await through_provider(browser, live.http, "ana")
            assert answer.status_code == 302, answer.text
            whoami = (await browser.get(live.http + "/api/v1/session")).json()
    assert whoami["role"] == "dispatcher"
    assert [answer["groups"] for answer in asked] == [["staff", "ops-dispatch"]]


async def test_without_an_issuer_single_sign_on_is_not_there(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        status = await client.get("/auth/oidc/status")
        login = await client.get("/auth/oidc/login")
        callback = await client.get(CALLBACK + "?code=a&state=b")
        schema = (await client.get("/schema/openapi.json")).json()
    assert status.json() == {"enabled": False}
    for answer in (login, callback):
        assert answer.status_code == 404
        assert answer.json()["code"] == "oidc_not_configured"
    assert "/auth/oidc/login" not in schema["paths"]
    assert CALLBACK not in schema["paths"]


async def test_the_node_serves_while_the_provider_is_down(
    sso_settings: Settings, db: Database, provider_port: int, tmp_path: Path
) -> None:
    async with serve(sso_settings, db) as live, httpx.AsyncClient(base_url=live.http) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/auth/oidc/status")).json() == {"enabled": True}
        down = await client.get("/auth/oidc/login")
        assert down.status_code == 503
        assert down.json()["code"] == "oidc_unavailable"
        callback = live.http + CALLBACK
        log = tmp_path / "provider.log"
        async with running_provider(provider_port, callback, PEOPLE, log) as provider:
            up = await client.get("/auth/oidc/login")
    assert up.status_code == 302
    assert up.headers["location"].startswith(provider.issuer + "/auth?")
