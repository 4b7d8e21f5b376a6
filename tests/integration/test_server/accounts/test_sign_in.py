"""Signing in with a password and a TOTP code over real HTTP: the answers, the cookies and what
a session may then do; refusals that tell nothing; lockout with backoff."""

from __future__ import annotations

import httpx
import pytest

from server.accounts import repository, service
from server.auth.cookies import CSRF_COOKIE, SESSION_COOKIE
from server.auth.schemas import Role
from server.db import Database
from server.settings import Settings, with_overrides
from tests.integration.live import Live, serve
from tests.integration.test_server.accounts.support import (
    PASSWORD,
    Session,
    code_for,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.integration


def _set_cookies(answer: httpx.Response) -> dict[str, str]:
    found = {}
    for line in answer.headers.get_list("set-cookie"):
        name = line.split("=", 1)[0]
        found[name] = line
    return found


async def test_password_and_code_open_a_session_in_two_cookies(live: Live) -> None:
    user = await make_user(live, "Dilnoza")
    async with httpx.AsyncClient(base_url=live.http) as client:
        answer = await sign_in(client, "dilnoza", code=code_for(user))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["user"]["username"] == "dilnoza"
    assert body["user"]["role"] == "dispatcher"
    assert body["idle_timeout_s"] == live.state.settings.session_idle_timeout_s
    cookies = _set_cookies(answer)
    session, csrf = cookies[SESSION_COOKIE].lower(), cookies[CSRF_COOKIE].lower()
    for flag in ("samesite=strict", "path=/"):
        assert flag in session
        assert flag in csrf
    assert "httponly" in session
    assert "httponly" not in csrf
    assert "secure" not in session  # plain HTTP here; tests/…/transport covers HTTPS
    assert answer.cookies[CSRF_COOKIE] == body["csrf"]


async def test_wrong_password_unknown_user_and_missing_code_are_told_apart_only_after_the_password(
    live: Live,
) -> None:
    await make_user(live, "aziz")
    async with httpx.AsyncClient(base_url=live.http) as client:
        unknown = await sign_in(client, "nobody")
        wrong = await sign_in(client, "aziz", password="not the password")
        no_code = await sign_in(client, "aziz")
        bad_code = await sign_in(client, "aziz", code="000000x")
    assert [unknown.status_code, wrong.status_code, no_code.status_code] == [401, 401, 401]
    assert unknown.json()["code"] == wrong.json()["code"] == "sign_in_failed"
    assert unknown.json()["detail"] == wrong.json()["detail"]
    assert no_code.json()["code"] == "code_required"
    assert bad_code.json()["code"] == "sign_in_failed"
    assert SESSION_COOKIE not in unknown.cookies


async def test_a_code_is_accepted_once(live: Live) -> None:
    user = await make_user(live, "bobur")
    code = code_for(user)
    async with httpx.AsyncClient(base_url=live.http) as client:
        first = await sign_in(client, "bobur", code=code)
        again = await sign_in(client, "bobur", code=code)
        next_step = await sign_in(client, "bobur", code=code_for(user, steps_ahead=1))
    assert first.status_code == 201
    assert again.status_code == 401
    assert again.json()["code"] == "sign_in_failed"
    assert next_step.status_code == 201  # the next step's code (a clock a little ahead) is fine


async def test_an_admin_without_a_code_role_signs_in_with_the_password_alone(
    settings: Settings, db: Database
) -> None:
    async with serve(with_overrides(settings, totp_required_roles=""), db) as live:
        user = await make_user(live, "it-admin", Role.ADMIN)
        assert user.totp_secret is None
        async with httpx.AsyncClient(base_url=live.http) as client:
            answer = await sign_in(client, "IT-Admin")
        assert answer.status_code == 201, answer.text
        assert answer.json()["user"]["role"] == "admin"


async def test_wrong_codes_lock_the_account_and_each_further_lock_is_longer(
    settings: Settings, db: Database
) -> None:
    locking = with_overrides(settings, login_max_failures=3, login_lockout_s=120.0)
    async with serve(locking, db) as live:
        user = await make_user(live, "jasur")
        async with httpx.AsyncClient(base_url=live.http) as client:
            wrong = [await sign_in(client, "jasur", code="123456") for _ in range(3)]
            right_while_locked = await sign_in(client, "jasur", code=code_for(user))
        assert [a.status_code for a in wrong] == [401, 401, 429]
        locked = wrong[-1].json()
        assert locked["code"] == "account_locked"
        assert 110 <= int(wrong[-1].headers["retry-after"]) <= 120
        assert right_while_locked.status_code == 429
        assert right_while_locked.json()["code"] == "account_locked"
        stored = await repository.find(live.state.db, "jasur")
        assert stored is not None
        assert stored.failed_attempts == 3


async def test_a_right_sign_in_resets_the_count(settings: Settings, db: Database) -> None:
    async with serve(with_overrides(settings, login_max_failures=2), db) as live:
        user = await make_user(live, "kamola")
        async with httpx.AsyncClient(base_url=live.http) as client:
            assert (await sign_in(client, "kamola", password="wrong one")).status_code == 401
            assert (await sign_in(client, "kamola", code=code_for(user))).status_code == 201
            assert (await sign_in(client, "kamola", password="wrong one")).status_code == 401
        stored = await repository.find(live.state.db, "kamola")
        assert stored is not None
        assert stored.failed_attempts == 1
        assert stored.locked_until is None


async def test_a_cookie_session_needs_the_csrf_header_for_changes(live: Live) -> None:
    user = await make_user(live, "laylo")
    async with httpx.AsyncClient(base_url=live.http) as client:
        session = Session(await sign_in(client, "laylo", code=code_for(user)))
        client.cookies.clear()
        whoami = await client.get("/api/v1/session", headers=session.cookie_header)
        sites = await client.get("/api/v1/sites", headers=session.cookie_header)
        forged = await client.post("/api/v1/session/everywhere", headers=session.cookie_header)
        wrong = await client.post(
            "/api/v1/session/everywhere",
            headers={**session.cookie_header, "X-CSRF-Token": "0" * 64},
        )
        still = await client.get("/api/v1/session", headers=session.cookie_header)
        out = await client.delete("/api/v1/session", headers=session.unsafe_headers)
        after = await client.get("/api/v1/session", headers=session.cookie_header)
    assert whoami.status_code == 200, whoami.text
    assert whoami.json()["user"]["username"] == "laylo"
    assert whoami.json()["kind"] == "session"
    assert sites.status_code == 200
    assert [forged.status_code, wrong.status_code] == [403, 403]
    assert forged.json()["code"] == "csrf_failed"
    assert still.status_code == 200
    assert out.status_code == 204
    cleared = _set_cookies(out)[SESSION_COOKIE].lower()
    assert "max-age=0" in cleared
    assert after.status_code == 401


async def test_the_session_secret_also_works_as_a_bearer_token_but_a_token_not_as_a_cookie(
    live: Live,
) -> None:
    user = await make_user(live, "malika")
    token = await live.token(Role.DISPATCHER)
    async with httpx.AsyncClient(base_url=live.http) as client:
        session = Session(await sign_in(client, "malika", code=code_for(user)))
        client.cookies.clear()
        bearer = await client.get("/api/v1/sites", headers=live.headers(session.secret))
        as_cookie = await client.get(
            "/api/v1/sites", headers={"Cookie": f"{SESSION_COOKIE}={token}"}
        )
    assert bearer.status_code == 200
    assert as_cookie.status_code == 401
    assert as_cookie.json()["code"] == "cookie_not_session"


async def test_a_disabled_account_cannot_sign_in(live: Live) -> None:
    user = await make_user(live, "nodir")
    await service.disable_user(live.state.db, "nodir")
    async with httpx.AsyncClient(base_url=live.http) as client:
        answer = await sign_in(client, "nodir", PASSWORD, code_for(user))
    assert answer.status_code == 401
    assert answer.json()["code"] == "sign_in_failed"


async def test_sign_ins_failures_locks_and_sign_outs_are_in_the_audit_log(
    settings: Settings, db: Database
) -> None:
    async with serve(with_overrides(settings, login_max_failures=2), db) as live:
        user = await make_user(live, "otabek")
        async with httpx.AsyncClient(base_url=live.http) as client:
            session = Session(await sign_in(client, "otabek", code=code_for(user)))
            client.cookies.clear()
            await client.post("/api/v1/session/everywhere", headers=session.unsafe_headers)
            await sign_in(client, "nobody")
            for _ in range(2):
                await sign_in(client, "otabek", password="wrong one")
        rows = await live.state.db.fetch("SELECT action, actor, outcome FROM audit_log ORDER BY id")
    actions = [(row["action"], row["actor"], row["outcome"]) for row in rows]
    assert ("session.sign_in", "dispatcher:otabek", "ok") in actions
    assert ("session.sign_out_everywhere", "dispatcher:otabek", "ok") in actions
    assert ("session.sign_in_failed", "unknown:nobody", "refused") in actions
    assert actions.count(("session.sign_in_failed", "dispatcher:otabek", "refused")) == 2
    assert ("session.locked", "dispatcher:otabek", "ok") in actions


async def test_an_address_that_fails_across_many_names_is_refused_for_a_while(
    settings: Settings, db: Database
) -> None:
    spraying = with_overrides(settings, auth_failures_max=3, auth_block_s=300.0)
    async with serve(spraying, db) as live:
        user = await make_user(live, "sevara")
        token = await live.token(Role.DISPATCHER)
        async with httpx.AsyncClient(base_url=live.http) as client:
            guesses = [await sign_in(client, f"guess{number}") for number in range(4)]
            right = await sign_in(client, "sevara", code=code_for(user))
            with_token = await client.get("/api/v1/session", headers=live.headers(token))
        # Each name failed once only, so no account was locked: the address was.
        assert [a.status_code for a in guesses] == [401, 401, 401, 401]
        assert right.status_code == 429
        assert right.json()["code"] == "too_many_failed_sign_ins"
        assert 290 <= int(right.headers["retry-after"]) <= 300
        assert with_token.status_code == 200  # tokens are counted apart
        stored = await repository.find(live.state.db, "sevara")
        assert stored is not None
        assert stored.failed_attempts == 0
