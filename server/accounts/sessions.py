"""A signed-in person's browser session: a row of `tokens` of kind `session`, owned by the user,
with the user's role and scope and an `expires_at` `session_max_age_s` away.

Its secret is an ordinary token secret (server/auth/service.py finds it like any token, so
revocation, the doorbell and the one-second check work unchanged), but it travels only in the
HttpOnly `posbon_session` cookie, beside a readable `posbon_csrf` cookie the page echoes in
X-CSRF-Token (server/auth/cookies.py). The idle timeout is server/auth/service.py's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec
from litestar import Response
from litestar.datastructures import Cookie

from server.accounts.schemas import Account
from server.accounts.service import actor_of
from server.audit.log import record
from server.auth import repository as tokens
from server.auth.cookies import CSRF_COOKIE, SESSION_COOKIE, csrf_of
from server.auth.schemas import Principal, TokenKind
from server.auth.service import TOKEN_BYTES, TOKEN_PREFIX, announce_revoked, forget, hash_token
from server.db import Database
from server.settings import Settings

NAME_CHARS = 100
"""`tokens.name` holds 100 characters; a session is named by its user."""


class OpenedSession(msgspec.Struct, frozen=True, kw_only=True):
    token_id: int
    secret: str
    """The cookie's value: shown to no one, not even the page's script."""
    csrf: str
    expires_at: dt.datetime


async def open_session(
    db: Database, settings: Settings, user: Account, *, address: str, via: str
) -> OpenedSession:
    """Start a session for `user` (already checked: password and code, or the identity
    provider); `via` says how, for the audit log ("password", "oidc")."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = dt.datetime.now(dt.UTC)
    expires_at = now + dt.timedelta(seconds=settings.session_max_age_s)
    async with db.write():
        token_id = await tokens.insert(
            db,
            user.username[:NAME_CHARS],
            user.role,
            None,
            hash_token(secret),
            scope=user.scope,
            kind=TokenKind.SESSION,
            user_id=user.id,
            expires_at=expires_at,
        )
        await tokens.mark_used(db, token_id, now)
        await record(
            db,
            action="session.sign_in",
            actor=actor_of(user),
            target=f"user:{user.id}",
            address=address,
            detail=f"via {via}; session {token_id}",
        )
    return OpenedSession(
        token_id=token_id, secret=secret, csrf=csrf_of(secret), expires_at=expires_at
    )


def session_cookies(response: Response[Any], opened: OpenedSession, *, secure: bool) -> None:
    """Set the session's two cookies: the secret (HttpOnly) and the CSRF token (readable)."""
    max_age = max(0, int((opened.expires_at - dt.datetime.now(dt.UTC)).total_seconds()))
    for key, value, httponly in (
        (SESSION_COOKIE, opened.secret, True),
        (CSRF_COOKIE, opened.csrf, False),
    ):
        response.set_cookie(
            Cookie(
                key=key,
                value=value,
                path="/",
                max_age=max_age,
                httponly=httponly,
                secure=secure,
                samesite="strict",
            )
        )


def clear_cookies(response: Response[Any], *, secure: bool) -> None:
    for key, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.set_cookie(
            Cookie(
                key=key,
                value="",
                path="/",
                max_age=0,
                httponly=httponly,
                secure=secure,
                samesite="strict",
            )
        )


async def sign_out(db: Database, principal: Principal, *, address: str) -> None:
    """End the caller's own session (or token: a bearer token signing out revokes itself)."""
    async with db.write():
        await tokens.revoke(db, principal.token_id)
        announce_revoked(db, [principal.token_id])
        await record(
            db,
            action="session.sign_out",
            actor=principal,
            target=_target(principal),
            address=address,
            detail=f"session {principal.token_id}",
        )
    forget([principal.token_id])


async def sign_out_everywhere(db: Database, principal: Principal, *, address: str) -> list[int]:
    """End every session of the caller's user; their sockets close on every node within a
    second (the doorbell, then the one-second check as the backstop)."""
    async with db.write():
        if principal.user_id is None:
            ended = [principal.token_id]
            await tokens.revoke(db, principal.token_id)
        else:
            ended = await tokens.revoke_sessions_of(db, principal.user_id)
        announce_revoked(db, ended)
        await record(
            db,
            action="session.sign_out_everywhere",
            actor=principal,
            target=_target(principal),
            address=address,
            detail=f"{len(ended)} sessions ended",
        )
    forget(ended)
    return ended


def _target(principal: Principal) -> str:
    if principal.user_id is None:
        return f"token:{principal.token_id}"
    return f"user:{principal.user_id}"
